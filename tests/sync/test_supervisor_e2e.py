"""The CMS supervisor's month, end to end: her screens driven by hand, two vans, a real server.

She plans a stop; both vans receive it and record their visits there; she reviews them and asks
the social worker for a completion; the social worker answers from Today by an addendum; she
validates; she settles a conflict between the vans; the dashboard and the bilan show the day.
Sync runs as the app's sync does (the engine, each user's own token) between the steps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.pdf import has_pdftotext, pdf_text
from tests.sync.conftest import Van, add_person
from tests.ui.conftest import _collect_between_tests, _ui_thread_gc  # noqa: F401
from tests.ui.helpers import save_as, type_text
from van_app.core.models import Beneficiary, SupervisorReview, TourStop
from van_app.core.pmi import PmiForm, sign_pmi_consultation
from van_app.core.reference import reference
from van_app.core.social import sign_social_consultation
from van_app.core.social_form import SocialForm
from van_app.core.today import stop_of_day
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.models.review_queue import ReviewQueueTableModel
from van_app.ui.screens.review_queue import ReviewQueueScreen
from van_app.ui.session import SessionWidget

LEFT = Qt.MouseButton.LeftButton
REF = reference()
TODAY = dt.date(2026, 12, 8)  # a Tuesday, no public holiday
LUC = "26168"  # Luc-en-Diois
COMMENT = "Merci de préciser le montant de l'impayé de loyer."
ANSWER = "Impayé de 412,50 € au 30/11."


def open_session(qtbot: QtBot, van: Van, runner: TaskRunner) -> SessionWidget:
    context = AppContext(store=van.store, runner=runner, reference=REF, today=lambda: TODAY)
    session = SessionWidget(context)
    qtbot.addWidget(session)
    session.resize(1280, 800)
    session.show()
    qtbot.waitExposed(session)
    return session


def go_to(qtbot: QtBot, session: SessionWidget, title: str) -> None:
    """Click the navigation entry ``title``."""
    nav = session.navigation
    row = next(r for r in range(nav.count()) if nav.item(r).text() == title)
    rect = nav.visualItemRect(nav.item(row))
    qtbot.mouseClick(nav.viewport(), LEFT, pos=rect.center())
    assert session.stack.currentWidget() is session._listed[row]


def synced(*vans: Van) -> None:
    for van in vans:
        report = van.sync()
        assert report.rejected == 0 and report.verified, (van.username, report)


def queue_rows(screen: ReviewQueueScreen) -> dict[str, str]:
    """consultation id → the review status shown."""
    proxy = screen.proxy
    rows = {}
    for row in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(row, 0)).row()
        rows[screen.model.row_at(source).consultation_id] = proxy.index(
            row, ReviewQueueTableModel.COL_REVIEW
        ).data()
    return rows


def open_review(qtbot: QtBot, screen: ReviewQueueScreen, consultation_id: str):  # type: ignore[no-untyped-def]
    row = list(queue_rows(screen)).index(consultation_id)
    rect = screen.table.visualRect(screen.proxy.index(row, ReviewQueueTableModel.COL_PERSON))
    qtbot.mouseClick(screen.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(screen.table.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(
        lambda: (
            screen.dialog is not None
            and screen.dialog.consultation_id == consultation_id
            and screen.dialog.detail is not None
        )
    )
    return screen.dialog


def test_plan_receive_review_answer_settle_and_report(
    qtbot: QtBot,
    enrol,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    supervisor, social, nurse = enrol("croux"), enrol("amartin"), enrol("bnguyen")
    runner = TaskRunner()
    cms = open_session(qtbot, supervisor, runner)

    # 1. She plans a stop in Luc-en-Diois for the day, by hand.
    tour = cms.tour_screen
    with qtbot.waitSignal(tour.loaded, timeout=10_000):
        go_to(qtbot, cms, "Tournée")
    qtbot.mouseClick(tour.new_stop_button, LEFT)
    dialog = tour.stop_dialog
    dialog.commune_picker.edit.setFocus()
    qtbot.keyClicks(dialog.commune_picker.edit, "luc-en")
    popup = dialog.commune_picker.edit.completer_.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    type_text(qtbot, dialog.place_edit, "Parking de la salle des fêtes")
    with qtbot.waitSignal(tour.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert tour.proxy.rowCount() == 1
    synced(supervisor)

    # 2. Both vans receive it: it is their stop of the day.
    synced(social, nurse)
    for van in (social, nurse):
        with van.store.session() as session:
            stop = stop_of_day(session, van.store.user, TODAY, REF)
        assert (
            stop is not None
            and stop.commune == "Luc-en-Diois"
            and stop.services == "Accueil social et PMI"
        )

    # 3. Visits at the stop: a woman at the social desk, a baby at the PMI.
    woman = add_person(social, "Achard", "Josiane", birth_date=dt.date(1971, 3, 2))
    social_visit = sign_social_consultation(
        social.store, None, REF, TODAY,
        SocialForm(
            beneficiary_id=woman, consultation_date=TODAY, duration_minutes=30,
            arrival_mode="town_hall_poster", demand_types=["housing"], actions=["information"],
            outcome="resolved_on_spot", note="Aide au maintien dans le logement expliquée.",
        ),
    )  # fmt: skip
    baby = add_person(nurse, "Bonnet", "Léo", birth_date=TODAY - dt.timedelta(days=120), sex="M")
    pmi_visit = sign_pmi_consultation(
        nurse.store,
        PmiForm(beneficiary_id=baby, kind="child", duration_minutes=20, weight_g=6300,
                length_mm=620, head_circumference_mm=410, note="Bonne croissance."),
        REF, TODAY,
    )  # fmt: skip
    synced(social, nurse, supervisor)

    # 4. The review queue holds the social visit (the PMI one waits for a supervisor who may
    # read it: "Relecture PMI"); she asks the social worker for a completion.
    go_to(qtbot, cms, "Relecture")
    review = cms.review_screen
    qtbot.waitUntil(lambda: set(queue_rows(review)) == {social_visit}, timeout=10_000)
    assert set(queue_rows(review).values()) == {"À relire"}
    detail = open_review(qtbot, review, social_visit)
    assert (
        detail.entries.value_labels["Note"].text() == "Aide au maintien dans le logement expliquée."
    )
    detail.comment_edit.setFocus()
    type_text(qtbot, detail.comment_edit, COMMENT)
    with qtbot.waitSignal(review.loaded), qtbot.waitSignal(detail.review_saved):
        qtbot.mouseClick(detail.request_button, LEFT)
    with qtbot.waitSignal(review.loaded):
        review.status_combo.setCurrentIndex(review.status_combo.findData(None))
    assert queue_rows(review)[pmi_visit] == "Relecture PMI"
    pmi_detail = open_review(qtbot, review, pmi_visit)
    assert pmi_detail.reserved_label.isVisible(), "the PMI content is not hers to read"
    assert not pmi_detail.validate_button.isVisible(), "nor hers to validate"
    pmi_detail.reject()
    synced(supervisor)

    # 5. The social worker sees the request on Today and answers by an addendum.
    synced(social)
    van = open_session(qtbot, social, runner)
    today = van.today_screen
    qtbot.waitUntil(lambda: len(today.request_buttons) == 1, timeout=10_000)
    assert "Claire Roux" in today.request_labels[0].text()
    form = van.social_screen
    with qtbot.waitSignal(form.loaded):
        qtbot.mouseClick(today.request_buttons[0], LEFT)
    form.addenda.edit.setFocus()
    type_text(qtbot, form.addenda.edit, ANSWER)
    with qtbot.waitSignal(form.addendum_added):
        qtbot.mouseClick(form.addenda.button, LEFT)
    van.show_screen(today)
    qtbot.waitUntil(lambda: not today.request_buttons, timeout=10_000)
    synced(social)

    # 6. Back at the CMS the status has followed; she reads the answer and validates.
    synced(supervisor)
    cms.context.events.records_changed.emit()  # what the app's sync says when it pulled
    review.reset_button.click()
    qtbot.waitUntil(
        lambda: queue_rows(review).get(social_visit) == "Complément apporté", timeout=10_000
    )
    detail = open_review(qtbot, review, social_visit)
    assert ANSWER in detail.thread_label.text()
    with qtbot.waitSignal(review.loaded), qtbot.waitSignal(detail.review_saved):
        qtbot.mouseClick(detail.validate_button, LEFT)
    synced(supervisor, social)
    with social.store.session() as session:
        statuses = sorted(r.status for r in session.exec(select(SupervisorReview)).all())
    assert statuses == ["completion_requested", "validated"], "the request stays in the history"

    # 7. Both vans changed the woman's phone: she keeps the social worker's number everywhere.
    for van_, phone in ((social, "06 11 11 11 11"), (nurse, "06 22 22 22 22")):
        synced(van_)
        with van_.store.session() as session:
            person = session.get(Beneficiary, woman)
            person.phone = phone
            session.add(van_.store.stamp(person))
    synced(social, nurse, supervisor)
    go_to(qtbot, cms, "Conflits et doublons")
    conflicts = cms.conflicts_screen
    qtbot.waitUntil(lambda: conflicts.conflicts_model.rowCount() == 1, timeout=10_000)
    view = conflicts.selected_conflict()
    assert view is not None and "ACHARD" in view.record_label.upper()
    with qtbot.waitSignal(conflicts.conflict_settled, timeout=10_000):
        qtbot.mouseClick(conflicts.other_button, LEFT)
    synced(supervisor, social, nurse)
    for van_ in (social, nurse, supervisor):
        with van_.store.session() as session:
            assert session.get(Beneficiary, woman).phone == "06 11 11 11 11"

    # 8. The dashboard of the day, and the bilan exported from it.
    go_to(qtbot, cms, "Activité")
    activity = cms.activity_screen
    with qtbot.waitSignal(activity.loaded, timeout=20_000):
        activity.start_edit.setDate(TODAY)
        activity.end_edit.setDate(TODAY)
    qtbot.waitUntil(lambda: activity.tiles.text("people") == "2", timeout=20_000)
    assert activity.tiles.text("consultations") == "2"
    assert activity.tiles.text("immediate_resolution") == "100\u00a0%"
    assert activity.tiles.text("unknown_before") == "100\u00a0%"

    save_as(monkeypatch, tmp_path / "bilan.xlsx")
    with qtbot.waitSignal(activity.exported, timeout=30_000):
        qtbot.mouseClick(activity.xlsx_button, LEFT)
    book = openpyxl.load_workbook(tmp_path / "bilan.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Luc-en-Diois" in cells
    rows = [row for sheet in book for row in sheet.iter_rows(values_only=True)]
    figures = {
        r[0]: r[1] for r in rows if len(r) > 1 and isinstance(r[0], str) and isinstance(r[1], int)
    }
    assert figures["Personnes reçues"] == 2 and figures["Consultations signées"] == 2
    assert "ACHARD" not in " ".join(str(c) for c in cells).upper(), "no names in the bilan"

    save_as(monkeypatch, tmp_path / "bilan.pdf")
    with qtbot.waitSignal(activity.exported, timeout=30_000):
        qtbot.mouseClick(activity.pdf_button, LEFT)
    pdf = tmp_path / "bilan.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if has_pdftotext():
        text = pdf_text(pdf)
        assert "08/12/2026" in text and "Luc-en-Diois" in text and "Achard" not in text
    with supervisor.store.session() as session:
        assert len(session.exec(select(TourStop)).all()) == 1
    runner.wait_for_done()
