"""The social form and the follow-ups screen, driven with the keyboard and the mouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.core.test_follow_ups import add_follow_up
from tests.core.test_social import PASSWORD, TODAY, add_person, add_stop, counts, full_form
from tests.ui.helpers import accept_message_box, type_text  # also imported from here
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    FollowUp,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    SupervisorReview,
)
from van_app.core.reference import reference
from van_app.core.social import save_social_draft, sign_social_consultation
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.models.follow_ups import (
    ID_ROLE,
    OVERDUE_COLOR,
    SORT_ROLE,
    FollowUpsSortProxy,
    FollowUpsTableModel,
)
from van_app.ui.screens.follow_ups import FollowUpsScreen
from van_app.ui.screens.social_consultation import SocialConsultationScreen
from van_app.ui.widgets.code_list import CodeListWidget

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def context(social_store: LocalStore) -> Iterator[AppContext]:
    runner = TaskRunner()
    yield AppContext(store=social_store, runner=runner, reference=reference(), today=lambda: TODAY)
    runner.wait_for_done()


def open_form(qtbot: QtBot, context: AppContext, person: str, consultation: str = ""):  # type: ignore[no-untyped-def]
    screen = SocialConsultationScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1000, 700)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(person, consultation)
    return screen


def click_item(qtbot: QtBot, codes: CodeListWidget, code: str) -> None:
    """Click the row of ``code`` with the mouse, as a person would."""
    item = codes.item_for(code)
    assert item is not None and not item.isHidden()
    list_widget: QListWidget = codes.list
    list_widget.scrollToItem(item)
    rect = list_widget.visualItemRect(item)
    qtbot.mouseClick(list_widget.viewport(), LEFT, pos=rect.center())


def choose_by_keyboard(qtbot: QtBot, combo, code: str) -> None:  # type: ignore[no-untyped-def]
    """Arrow down through a combo until ``code`` is chosen."""
    combo.setFocus()
    for _ in range(combo.count()):
        if combo.currentData() == code:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{code} not reachable in the combo")


def stored(store: LocalStore, model):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.exec(select(model)).all()


def test_fill_save_sign_and_add_addendum(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    person = add_person(social_store, known=True)
    stop = add_stop(social_store)
    screen = open_form(qtbot, context, person)
    assert screen.header.name_label.text() == "ACHARD Josiane"
    assert "Arrêt : Luc-en-Diois" in screen.header.details_label.text()
    assert screen.known_check.isChecked()  # defaulted from the person's file
    assert "pas de jugement" in screen.reminder_label.text()

    # Saved without any demand: refused, French message under the list, nothing written.
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: screen.error_text("demand_types") != "")
    assert screen.error_text("demand_types") == "Indiquez au moins un type de demande."
    assert "Rien n'a été enregistré" in screen.message_label.text()
    assert stored(social_store, SocialConsultation) == []

    screen.duration_spin.setFocus()
    qtbot.keyClick(screen.duration_spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.duration_spin, "45")
    choose_by_keyboard(qtbot, screen.arrival_combo, "town_hall_poster")
    qtbot.keyClicks(screen.demand_list.filter_edit, "energie")
    assert screen.demand_list.item_for("rsa").isHidden()
    click_item(qtbot, screen.demand_list, "energy")
    screen.demand_list.filter_edit.clear()
    click_item(qtbot, screen.demand_list, "housing")
    click_item(qtbot, screen.actions_list, "file_preparation")
    choose_by_keyboard(qtbot, screen.outcome_combo, "follow_up_opened")
    qtbot.mouseClick(screen.orientations.add_button, LEFT)
    qtbot.mouseClick(screen.follow_ups.add_button, LEFT)
    choose_by_keyboard(qtbot, screen.follow_ups.rows()[0].demand_combo, "energy")
    type_text(qtbot, screen.note_edit, "Dossier FSL énergie préparé avec la personne.")

    # The orientation row has no partner yet: its message lands under that row.
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: screen.error_text("orientations[0]") != "")
    assert screen.error_text("orientations[0]") == "Choisissez le partenaire."
    assert screen.error_text("demand_types") == ""
    assert stored(social_store, SocialConsultation) == []

    choose_by_keyboard(qtbot, screen.orientations.rows()[0].partner_combo, "adil")
    with (
        qtbot.waitSignal(screen.consultation_saved),
        qtbot.waitSignal(context.events.records_changed),
    ):
        qtbot.mouseClick(screen.save_button, LEFT)
    assert screen.message_label.text() == "Brouillon enregistré."
    [consultation] = stored(social_store, SocialConsultation)
    assert consultation.status == "draft" and consultation.stop_id == stop
    assert consultation.duration_minutes == 45 and consultation.known_before is True
    assert consultation.demand_types == ["housing", "energy"]  # the reference list's order
    assert consultation.actions == ["file_preparation"]
    assert consultation.note == "Dossier FSL énergie préparé avec la personne."
    [orientation] = stored(social_store, SocialOrientation)
    assert orientation.partner_code == "adil" and orientation.orientation_date == TODAY
    [follow_up] = stored(social_store, FollowUp)
    assert follow_up.demand_type == "energy" and follow_up.due_on == TODAY + dt.timedelta(14)

    # Saving again updates the same rows (they came back with their ids).
    qtbot.keyClick(screen.note_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.note_edit, " Rendez-vous pris.")
    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, LEFT)
    assert len(stored(social_store, SocialOrientation)) == 1
    assert len(stored(social_store, FollowUp)) == 1

    # Signing asks first; the real box is answered with its "Signer" button.
    accept_message_box(qtbot, "Signer")
    with qtbot.waitSignal(screen.consultation_signed):
        qtbot.mouseClick(screen.sign_button, LEFT)
    [consultation] = stored(social_store, SocialConsultation)
    assert consultation.status == "signed" and consultation.signed_at is not None
    assert consultation.note.endswith("Rendez-vous pris.")
    assert screen.note_edit.isReadOnly() and screen.save_button.isHidden()
    assert screen.demand_list.is_read_only() and not screen.arrival_combo.isEnabled()
    assert "Consultation signée le" in screen.header.status_label.text()
    assert screen.addenda_box.isVisibleTo(screen)

    type_text(qtbot, screen.addenda.edit, "Dépôt du dossier FSL confirmé par la CAF.")
    with qtbot.waitSignal(screen.addendum_added):
        qtbot.mouseClick(screen.addenda.button, LEFT)
    [addendum] = stored(social_store, SocialAddendum)
    assert addendum.note == "Dépôt du dossier FSL confirmé par la CAF."
    assert addendum.consultation_id == consultation.id
    assert screen.message_label.text() == "Complément ajouté."
    assert screen.addenda.edit.toPlainText() == ""


def test_signing_needs_arrival_and_outcome_and_can_be_cancelled(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    person = add_person(social_store)
    before = counts(social_store)
    screen = open_form(qtbot, context, person)
    click_item(qtbot, screen.demand_list, "rsa")

    screen.confirm_signature = lambda parent: False
    qtbot.mouseClick(screen.sign_button, LEFT)
    assert not screen._busy and stored(social_store, SocialConsultation) == []

    screen.confirm_signature = lambda parent: True
    qtbot.mouseClick(screen.sign_button, LEFT)
    qtbot.waitUntil(lambda: screen.error_text("arrival_mode") != "")
    assert screen.error_text("arrival_mode") == "Indiquez comment la personne est venue."
    assert screen.error_text("outcome") == "Indiquez l'issue de la consultation."
    assert counts(social_store) == before  # no consultation, no outbox entry


def test_empty_addendum_is_refused_next_to_its_box(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    person = add_person(social_store)
    consultation_id = sign_social_consultation(
        social_store, None, reference(), TODAY, form=full_form(person)
    )
    screen = open_form(qtbot, context, person, consultation_id)
    assert screen.save_button.isHidden() and screen.sign_button.isHidden()
    qtbot.mouseClick(screen.addenda.button, LEFT)
    qtbot.waitUntil(lambda: screen.error_text("addendum") != "")
    assert screen.error_text("addendum") == "Écrivez le texte du complément."
    assert stored(social_store, SocialAddendum) == []


def test_supervisor_request_is_shown_first(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    person = add_person(social_store)
    consultation_id = save_social_draft(social_store, full_form(person), reference(), TODAY)
    with social_store.session() as session:
        session.add(
            social_store.stamp(
                SupervisorReview(
                    consultation_id=consultation_id,
                    consultation_kind="social",
                    status="completion_requested",
                    comment="Préciser le montant de l'impayé.",
                    author="",
                    device="",
                )
            )
        )
    screen = open_form(qtbot, context, person, consultation_id)
    assert screen.header.review_banner.isVisibleTo(screen)
    assert "Préciser le montant de l'impayé." in screen.header.review_label.text()
    assert screen.orientations.rows()[0].partner_combo.currentData() == "adil"
    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.mouseClick(screen.header.open_person_button, LEFT)
    assert opened.args == [person]


def test_follow_ups_screen_lists_overdue_first_and_closes(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    person = add_person(social_store)
    later = add_follow_up(social_store, person, 6, demand="housing")
    late = add_follow_up(social_store, person, -3)
    screen = FollowUpsScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1000, 700)
    with qtbot.waitSignal(screen.loaded):
        screen.show()
    proxy = screen.proxy
    assert proxy.rowCount() == 2
    first_state = proxy.index(0, FollowUpsTableModel.COL_STATE)
    assert proxy.data(first_state, ID_ROLE) == late
    assert proxy.data(first_state) == "En retard de 3 jours"
    assert proxy.data(first_state, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert proxy.data(proxy.index(1, FollowUpsTableModel.COL_STATE)) == "Échéance dans 6 jours"
    assert screen.summary_label.text() == "2 suivis en cours, dont 1 en retard."

    # Double-click opens the person's file.
    rect = screen.table.visualRect(proxy.index(0, 0))
    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.mouseClick(screen.table.viewport(), LEFT, pos=rect.center())
        qtbot.mouseDClick(screen.table.viewport(), LEFT, pos=rect.center())
    assert opened.args == [person]

    assert screen.selected_row().follow_up_id == late
    qtbot.mouseClick(screen.close_button, LEFT)
    assert screen.close_box.isVisibleTo(screen)
    qtbot.mouseClick(screen.confirm_button, LEFT)
    qtbot.waitUntil(lambda: screen.errors.text("outcome") != "")
    assert screen.errors.text("outcome") == "Indiquez l'issue du suivi clôturé."
    assert all(f.closed_on is None for f in stored(social_store, FollowUp))

    choose_by_keyboard(qtbot, screen.outcome_combo, "resolved")
    type_text(qtbot, screen.note_edit, "Chèque énergie reçu.")
    with (
        qtbot.waitSignal(screen.follow_up_closed),
        qtbot.waitSignal(context.events.records_changed),
    ):
        qtbot.mouseClick(screen.confirm_button, LEFT)
    with social_store.session() as session:
        closed = session.get(FollowUp, late)
        assert (closed.outcome, closed.closed_on, closed.note) == (
            "resolved",
            TODAY,
            "Chèque énergie reçu.",
        )
    qtbot.waitUntil(lambda: proxy.rowCount() == 1)
    assert proxy.data(proxy.index(0, 0), ID_ROLE) == later
    assert not screen.close_box.isVisibleTo(screen)
    assert screen.message_label.text() == "Suivi clôturé."


def test_follow_ups_model_without_widgets(social_store: LocalStore) -> None:
    from van_app.core.follow_ups import open_follow_ups

    person = add_person(social_store)
    add_follow_up(social_store, person, 0)
    add_follow_up(social_store, person, 1, demand="rsa")
    add_follow_up(social_store, person, -1, demand="housing")
    with social_store.session() as session:
        rows = open_follow_ups(session, social_store.user, TODAY, reference())
    model = FollowUpsTableModel()
    model.set_rows(rows)
    assert model.rowCount() == 3 and model.columnCount() == 5
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Échéance"
    states = [model.data(model.index(r, FollowUpsTableModel.COL_STATE)) for r in range(3)]
    assert states == ["En retard de 1 jour", "À échéance aujourd'hui", "Échéance demain"]
    assert model.data(model.index(0, FollowUpsTableModel.COL_DUE)) == "11/05/2026"
    proxy = FollowUpsSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(FollowUpsTableModel.COL_DUE, Qt.SortOrder.DescendingOrder)
    assert proxy.data(proxy.index(0, FollowUpsTableModel.COL_DEMAND)).startswith("RSA")
    assert proxy.data(proxy.index(0, 0), SORT_ROLE) == "achard josiane"
    assert model.rowCount(model.index(0, 0)) == 0 and model.data(QModelIndex()) is None


def test_code_list_filter_read_only_and_unknown_codes(qtbot: QtBot) -> None:
    codes = CodeListWidget(reference().demand_types, filterable=True)
    qtbot.addWidget(codes)
    codes.show()
    codes.set_checked_codes(["rsa", "retired_code"])
    assert codes.checked_codes() == ["rsa", "retired_code"]
    qtbot.keyClicks(codes.filter_edit, "LOGEMENT")
    visible = [c for c in codes.codes() if not codes.item_for(c).isHidden()]
    assert "housing" in visible and "rsa" in visible  # checked rows stay in sight
    assert "energy" not in visible
    codes.list.setCurrentItem(codes.item_for("housing"))
    qtbot.keyClick(codes.list, Qt.Key.Key_Space)
    assert codes.checked_codes() == ["rsa", "housing", "retired_code"]
    codes.set_read_only(True)
    assert codes.filter_edit.isHidden()
    assert [c for c in codes.codes() if not codes.item_for(c).isHidden()] == [
        "rsa",
        "housing",
        "retired_code",
    ]
    click_item(qtbot, codes, "rsa")
    assert "rsa" in codes.checked_codes()  # read-only: a click changes nothing


def test_nurse_sees_a_french_refusal(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    person = add_person(social_store)
    social_store.add_user(
        username="bnguyen",
        password=PASSWORD,
        display_name="Binh Nguyen",
        roles=["pmi_nurse"],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    nurse_store = LocalStore.open(data_dir, "bnguyen", PASSWORD)
    runner = TaskRunner()
    context = AppContext(
        store=nurse_store, runner=runner, reference=reference(), today=lambda: TODAY
    )
    try:
        screen = SocialConsultationScreen(context)
        qtbot.addWidget(screen)
        screen.show()
        screen.load(person)
        qtbot.waitUntil(lambda: "service social" in screen.message_label.text())
        assert not screen.save_button.isEnabled() and screen.note_edit.isReadOnly()
    finally:
        runner.wait_for_done()
        nurse_store.close()
    assert counts(social_store)["SocialConsultation"] == 0
