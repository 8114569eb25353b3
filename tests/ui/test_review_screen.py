"""The supervisor's review queue and dialog, and the author's answer from Today, driven by hand.

One device holds the professionals (as in ``tests/core/test_review.py``): the supervisor
reviews on her store, the social worker answers on his, both on the same database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.core.test_review import (
    PMI_NOTE,
    REF,
    SOCIAL_NOTE,
    TODAY,
    Opener,
    make_device,
    make_visits,
)
from tests.ui import helpers
from tests.ui.helpers import LEFT, count_rows, type_text
from van_app.core.french import moment_text
from van_app.core.local_store import LocalStore
from van_app.core.models import SocialAddendum, SupervisorReview
from van_app.core.outbox import OutboxEntry
from van_app.core.review import (
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    PMI_REVIEW,
    REVIEW_STATUS_LABELS,
    TO_ACT,
    TO_REVIEW,
    VALIDATED,
    ReviewRow,
    request_completion,
)
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.dialogs.review_consultation import ReviewConsultationDialog
from van_app.ui.models.review_queue import ID_ROLE, ReviewQueueSortProxy, ReviewQueueTableModel
from van_app.ui.screens.review_queue import ReviewQueueScreen
from van_app.ui.session import SessionWidget

COMMENT = "Préciser le montant de l'impayé."


@pytest.fixture
def opener(data_dir: Path) -> Iterator[Opener]:
    opened = Opener(make_device(data_dir))
    yield opened
    opened.close()


@pytest.fixture
def visits(opener: Opener) -> dict[str, str]:
    return make_visits(opener)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait_for_done()


def context_for(store: LocalStore, runner: TaskRunner) -> AppContext:
    return AppContext(store=store, runner=runner, reference=REF, today=lambda: TODAY)


def open_queue(qtbot: QtBot, context: AppContext) -> ReviewQueueScreen:
    screen = ReviewQueueScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    with qtbot.waitSignal(screen.loaded):
        screen.show()
    return screen


def shown_ids(screen: ReviewQueueScreen) -> list[str]:
    """The consultations in the table, in the order shown."""
    proxy = screen.proxy
    return [
        screen.model.row_at(proxy.mapToSource(proxy.index(row, 0)).row()).consultation_id
        for row in range(proxy.rowCount())
    ]


def choose(qtbot: QtBot, screen: ReviewQueueScreen, combo, value) -> None:  # type: ignore[no-untyped-def]
    """Pick ``value`` with the keyboard (Début, then flèche bas) and wait for the reload."""
    assert combo.currentData() != value, "a choice that changes nothing reloads nothing"
    assert combo.findData(value) >= 0, f"{value} is not offered"
    with qtbot.waitSignal(screen.loaded):
        helpers.choose(qtbot, combo, value)


def open_row(qtbot: QtBot, screen: ReviewQueueScreen, consultation_id: str):  # type: ignore[no-untyped-def]
    """Double-click the consultation's row; the dialog opens and loads."""
    row = shown_ids(screen).index(consultation_id)
    rect = screen.table.visualRect(screen.proxy.index(row, ReviewQueueTableModel.COL_PERSON))
    qtbot.mouseClick(screen.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(screen.table.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.detail is not None)
    dialog = screen.dialog
    assert isinstance(dialog, ReviewConsultationDialog) and dialog.isVisible()
    return dialog


def test_supervisor_filters_opens_and_asks_for_a_completion(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    croux = opener("croux")
    screen = open_queue(qtbot, context_for(croux, runner))
    # What waits for review, newest first: the draft and the unsynced one are not there.
    assert screen.status_combo.currentData() == TO_ACT
    assert shown_ids(screen)[-1] == visits["earlier"]
    assert set(shown_ids(screen)) == {visits["social"], visits["earlier"]}, (
        "the PMI visit waits for a supervisor who reads it, not for Claire"
    )
    assert screen.summary_label.text() == "2 consultations : 2 à relire."

    choose(qtbot, screen, screen.status_combo, PMI_REVIEW)
    choose(qtbot, screen, screen.service_combo, "pmi")
    assert shown_ids(screen) == [visits["pmi"]]
    assert screen.model.index(0, ReviewQueueTableModel.COL_SERVICE).data() == "PMI"
    assert screen.model.index(0, ReviewQueueTableModel.COL_REVIEW).data() == "Relecture PMI"
    choose(qtbot, screen, screen.service_combo, None)
    choose(qtbot, screen, screen.status_combo, TO_ACT)
    choose(qtbot, screen, screen.commune_combo, "26113")
    assert shown_ids(screen) == [visits["earlier"]]
    assert screen.commune_combo.currentText() == "Die"
    choose(qtbot, screen, screen.commune_combo, None)
    choose(qtbot, screen, screen.professional_combo, "amartin")
    assert set(shown_ids(screen)) == {visits["social"], visits["earlier"]}
    choose(qtbot, screen, screen.status_combo, None)  # "Toutes": the draft appears
    assert visits["draft"] in shown_ids(screen)
    with qtbot.waitSignal(screen.loaded):
        qtbot.mouseClick(screen.reset_button, LEFT)
    assert screen.professional_combo.currentData() is None
    assert len(shown_ids(screen)) == 2

    # The period ends the day before: the day typed over the end date's day.
    day = screen.end_edit.rect().center()
    day.setX(12)  # the "dd" at the left of the field
    qtbot.mouseClick(screen.end_edit, LEFT, pos=day)
    assert screen.end_edit.currentSection() == QDateEdit.Section.DaySection
    qtbot.keyClicks(screen.end_edit, "11")
    assert screen.end_edit.text() == "11/05/2026"
    qtbot.waitUntil(lambda: shown_ids(screen) == [visits["earlier"]])
    with qtbot.waitSignal(screen.loaded):
        qtbot.mouseClick(screen.reset_button, LEFT)

    # Josiane's consultation: what a supervisor may read, the social content included.
    dialog = open_row(qtbot, screen, visits["social"])
    assert dialog.entries.value_labels["Note"].text() == SOCIAL_NOTE
    assert dialog.status_label.text() == "Relecture : À relire"
    assert not dialog.reserved_label.isVisible()

    # An empty comment: a French message under the box, and nothing written.
    before = count_rows(croux, OutboxEntry)
    qtbot.mouseClick(dialog.request_button, LEFT)
    assert "Écrivez ce qu'il faut compléter" in dialog.error_text("comment")
    assert dialog.isVisible()
    runner.wait_for_done()
    assert count_rows(croux, SupervisorReview) == 0
    assert count_rows(croux, OutboxEntry) == before

    # With a comment: the review is written and queued for the next sync; nothing else.
    type_text(qtbot, dialog.comment_edit, COMMENT)
    with qtbot.waitSignal(screen.loaded), qtbot.waitSignal(dialog.review_saved):
        qtbot.mouseClick(dialog.request_button, LEFT)  # the queue reloads after the review
    [review] = croux_reviews(croux)
    assert (review.status, review.comment, review.author) == (
        COMPLETION_REQUESTED,
        COMMENT,
        "croux",
    )
    assert count_rows(croux, OutboxEntry) == before + 1
    assert (
        count_rows(croux, OutboxEntry, record_table="supervisor_review", record_id=review.id) == 1
    )
    assert "prochaine synchronisation" in screen.message_label.text()
    assert visits["social"] not in shown_ids(screen), "no longer waiting for the supervisor"
    choose(qtbot, screen, screen.status_combo, COMPLETION_REQUESTED)
    assert shown_ids(screen) == [visits["social"]]
    assert screen.model.index(0, ReviewQueueTableModel.COL_COMMENT).data() == COMMENT
    tip = screen.model.index(0, ReviewQueueTableModel.COL_REVIEW).data(Qt.ItemDataRole.ToolTipRole)
    assert (
        tip
        == f"{moment_text(review.updated_at)} — Demande de complément (Claire Roux) : « {COMMENT} »"
    )


def croux_reviews(store: LocalStore) -> list[SupervisorReview]:
    with store.session() as session:
        return list(session.exec(select(SupervisorReview)).all())


def test_pmi_content_is_said_reserved_and_relecture_pmi_has_no_valider_button(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    screen = open_queue(qtbot, context_for(opener("croux"), runner))
    choose(qtbot, screen, screen.status_combo, None)
    dialog = open_row(qtbot, screen, visits["pmi"])
    assert dialog.reserved_label.isVisible()
    assert "réservé au personnel de PMI" in dialog.reserved_label.text()
    assert set(dialog.entries.value_labels) == {"Durée"}
    shown = "\n".join(label.text() for label in dialog.findChildren(type(dialog.title_label)))
    assert PMI_NOTE not in shown
    assert dialog.status_label.text() == "Relecture : Relecture PMI"
    assert not dialog.validate_button.isVisible() and not dialog.request_button.isVisible()
    assert not dialog.comment_edit.isVisible()
    assert (
        dialog.refusal_label.isVisible() and "infirmier·ère de PMI" in dialog.refusal_label.text()
    )
    assert dialog.decision_box.title() == "Relecture PMI"


def test_a_supervisor_who_is_a_nurse_reviews_the_pmi_visit(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    screen = open_queue(qtbot, context_for(opener("eblanc"), runner))
    assert visits["pmi"] in shown_ids(screen), "in the queue of who may read it"
    dialog = open_row(qtbot, screen, visits["pmi"])
    assert dialog.entries.value_labels["Note"].text() == PMI_NOTE
    assert dialog.validate_button.isVisible() and dialog.validate_button.isEnabled()


def test_author_answers_from_today_and_the_request_leaves(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    croux = opener("croux")
    request_completion(croux, "social", visits["social"], COMMENT)

    session = SessionWidget(context_for(opener("amartin"), runner))
    qtbot.addWidget(session)
    session.resize(1280, 800)
    session.show()
    today = session.today_screen
    qtbot.waitUntil(lambda: len(today.request_buttons) == 1)
    assert today.requests_box.isVisible()
    text = today.request_labels[0].text()
    assert "12/05/2026" in text and "ACHARD Josiane" in text and "Claire Roux" in text
    assert COMMENT.replace("'", "&#x27;") in text

    social = session.social_screen
    assert social is not None
    with qtbot.waitSignal(social.loaded):
        qtbot.mouseClick(today.request_buttons[0], LEFT)
    assert session.stack.currentWidget() is social
    assert social.header.review_banner.isVisibleTo(social)
    assert social.addenda.edit.isVisibleTo(social)

    type_text(qtbot, social.addenda.edit, "Impayé de 412,50 €.")
    with qtbot.waitSignal(social.addendum_added):
        qtbot.mouseClick(social.addenda.button, LEFT)
    assert count_rows(croux, SocialAddendum) == 1

    session.show_screen(today)
    qtbot.waitUntil(lambda: not today.request_buttons)
    assert not today.requests_box.isVisible()

    # On the supervisor's side the status follows; she validates it.
    screen = open_queue(qtbot, context_for(croux, runner))
    choose(qtbot, screen, screen.status_combo, COMPLETION_PROVIDED)
    assert shown_ids(screen) == [visits["social"]]
    assert screen.model.index(0, ReviewQueueTableModel.COL_REVIEW).data() == "Complément apporté"
    dialog = open_row(qtbot, screen, visits["social"])
    thread = dialog.thread_label.text()
    assert "Impayé de 412,50 €." in thread
    assert thread.index("Demande de complément — Claire Roux") < thread.index(
        "Complément de l&#x27;auteur·rice — Agnès Martin"
    )
    with qtbot.waitSignal(screen.loaded), qtbot.waitSignal(dialog.review_saved):
        qtbot.mouseClick(dialog.validate_button, LEFT)
    assert shown_ids(screen) == []
    reviews = sorted(croux_reviews(croux), key=lambda r: r.created_at)
    assert [r.status for r in reviews] == ["completion_requested", "validated"], "both kept"

    # The whole thread, in order, when she opens it again.
    choose(qtbot, screen, screen.status_combo, VALIDATED)
    dialog = open_row(qtbot, screen, visits["social"])
    thread = dialog.thread_label.text()
    steps = [
        "Demande de complément — Claire Roux",
        "Complément de l&#x27;auteur·rice — Agnès Martin",
        "Validation — Claire Roux",
    ]
    assert [thread.index(step) for step in steps] == sorted(thread.index(step) for step in steps)
    assert COMMENT.replace("'", "&#x27;") in thread and "(état actuel)" in thread
    tip = screen.model.index(0, ReviewQueueTableModel.COL_REVIEW).data(Qt.ItemDataRole.ToolTipRole)
    assert len(tip.splitlines()) == 3 and "Validation (Claire Roux)" in tip


def test_a_draft_cannot_be_reviewed(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    screen = open_queue(qtbot, context_for(opener("croux"), runner))
    choose(qtbot, screen, screen.status_combo, None)
    dialog = open_row(qtbot, screen, visits["draft"])
    assert not dialog.validate_button.isEnabled()
    assert not dialog.request_button.isEnabled()
    assert "brouillon" in dialog.refusal_label.text()
    assert dialog.refusal_label.isVisible()


def test_a_start_after_the_end_is_said_and_nothing_reloads(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    screen = open_queue(qtbot, context_for(opener("croux"), runner))
    with qtbot.assertNotEmitted(screen.loaded, wait=200):
        screen.start_edit.setDate(screen.end_edit.date().addDays(1))
    assert screen.errors.text("period") == "La date de début est après la date de fin."
    assert len(shown_ids(screen)) == 2, "the queue keeps what it showed"
    with qtbot.waitSignal(screen.loaded):
        screen.start_edit.setDate(screen.end_edit.date())
    assert screen.errors.text("period") == ""
    assert set(shown_ids(screen)) == {visits["social"]}


def test_nurse_opens_the_pmi_request_from_today(
    qtbot: QtBot, opener: Opener, visits: dict[str, str], runner: TaskRunner
) -> None:
    request_completion(opener("eblanc"), "pmi", visits["pmi"], "Préciser le prochain rendez-vous.")
    session = SessionWidget(context_for(opener("bnguyen"), runner))
    qtbot.addWidget(session)
    session.resize(1280, 800)
    session.show()
    today = session.today_screen
    qtbot.waitUntil(lambda: len(today.request_buttons) == 1)
    assert "Consultation de PMI du 12/05/2026 — ROUX Léa" in today.request_labels[0].text()
    pmi = session.pmi_screen
    assert pmi is not None
    with qtbot.waitSignal(pmi.loaded):
        qtbot.mouseClick(today.request_buttons[0], LEFT)
    assert session.stack.currentWidget() is pmi
    assert pmi.header.review_banner.isVisibleTo(pmi)
    assert "Préciser le prochain rendez-vous." in pmi.header.review_label.text()


def test_queue_model_sorts_dates_as_dates_and_what_waits_first() -> None:
    def row(day: dt.date, status: str, name: str) -> ReviewRow:
        return ReviewRow(
            kind="social",
            consultation_id=name,
            person_id=name,
            person_name=name,
            date=day,
            stop_id=None,
            commune_insee=None,
            place="Hors tournée",
            author="amartin",
            professional="Agnès Martin",
            service="Accueil social",
            consultation_status="signed",
            consultation_status_label="Signée",
            review_status=status,
            review_label=REVIEW_STATUS_LABELS[status],
            comment="",
            reviewer="",
            reviewed_at=None,
        )

    model = ReviewQueueTableModel()
    proxy = ReviewQueueSortProxy()
    proxy.setSourceModel(model)
    model.set_rows(
        [
            row(dt.date(2026, 1, 31), VALIDATED, "A"),
            row(dt.date(2026, 2, 1), TO_REVIEW, "B"),
            row(dt.date(2025, 12, 31), COMPLETION_PROVIDED, "C"),
        ]
    )

    def order() -> list[str]:
        return [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())]

    proxy.sort(ReviewQueueTableModel.COL_DATE, Qt.SortOrder.AscendingOrder)
    assert order() == ["C", "A", "B"], "31/12/2025 before 31/01/2026 before 01/02/2026"
    proxy.sort(ReviewQueueTableModel.COL_REVIEW, Qt.SortOrder.AscendingOrder)
    assert order() == ["C", "B", "A"]
    assert model.headerData(6, Qt.Orientation.Horizontal) == "Relecture"
    assert model.index(0, ReviewQueueTableModel.COL_DATE).data() == "31/01/2026"
