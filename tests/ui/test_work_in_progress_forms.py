"""Nothing typed is lost, beyond the consultations: registering a person, closing a
follow-up, and the idle lock — typed with the keyboard, left every way, brought back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests import factories
from tests.core.test_follow_ups import add_follow_up
from tests.ui.helpers import type_text
from tests.ui.test_social_screens import context  # noqa: F401  (fixture)
from tests.ui.test_work_in_progress import app_with_a_new_consultation, kept_rows, wait_kept
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, FollowUp
from van_app.ui.context import AppContext
from van_app.ui.dialogs.register_person import RegisterPersonDialog
from van_app.ui.screens.follow_ups import FollowUpsScreen

LEFT = Qt.MouseButton.LeftButton


def open_dialog(qtbot: QtBot, app: AppContext, **options) -> RegisterPersonDialog:  # type: ignore[no-untyped-def]
    dialog = RegisterPersonDialog(app, **options)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_registration_left_half_typed_comes_back_and_leaves_once_saved(
    qtbot: QtBot,
    context: AppContext,  # noqa: F811
) -> None:
    store = context.store
    dialog = open_dialog(qtbot, context, prefill="dupré")
    type_text(qtbot, dialog.first_names_edit, "Hélène")
    type_text(qtbot, dialog.birth_date_edit, "12/03/19")  # not a date yet
    type_text(qtbot, dialog.phone_edit, "06 12")
    wait_kept(qtbot, store, "12/03/19")

    dialog.ask_about_typing = lambda: "continue"  # Échap, then "Continuer la saisie"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.ask_about_typing = lambda: "keep"  # Échap, then "Garder la saisie"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert len(kept_rows(store)) == 1

    again = open_dialog(qtbot, context)
    qtbot.waitUntil(lambda: "Saisie reprise" in again.message_label.text())
    assert again.birth_name_edit.text() == "Dupré"
    assert again.first_names_edit.text() == "Hélène"
    assert again.birth_date_edit.text() == "12/03/19"
    assert again.phone_edit.text() == "06 12"
    assert again.discard_button.isVisible()
    again.birth_date_edit.setText("12/03/1980")
    again.sex_buttons["F"].setChecked(True)
    again.phone_edit.setText("06 12 34 56 78")
    with qtbot.waitSignal(again.accepted, timeout=5000):
        qtbot.mouseClick(again.save_button, LEFT)
    qtbot.waitUntil(lambda: kept_rows(store) == [], timeout=3000)
    with store.read_session() as session:
        [person] = session.exec(select(Beneficiary)).all()
    assert (person.birth_name, person.phone) == ("Dupré", "06 12 34 56 78")


def test_a_registration_typed_over_is_not_replaced_and_can_be_dropped(
    qtbot: QtBot,
    context: AppContext,  # noqa: F811
) -> None:
    store = context.store
    dialog = open_dialog(qtbot, context, prefill="martin paul")
    type_text(qtbot, dialog.birthplace_edit, "Die")
    wait_kept(qtbot, store, "Die")
    dialog.ask_about_typing = lambda: "drop"  # "Effacer la saisie": asked, then gone
    dialog.reject()
    qtbot.waitUntil(lambda: kept_rows(store) == [], timeout=3000)

    first = open_dialog(qtbot, context, prefill="faure")
    type_text(qtbot, first.first_names_edit, "Marcel")
    wait_kept(qtbot, store, "Marcel")
    first.ask_about_typing = lambda: "keep"
    first.reject()
    second = open_dialog(qtbot, context, prefill="roux")
    qtbot.waitUntil(lambda: "Saisie reprise" in second.message_label.text())
    qtbot.mouseClick(second.discard_button, LEFT)  # "Effacer la saisie reprise"
    assert second.birth_name_edit.text() == "" and second.first_names_edit.text() == ""
    qtbot.waitUntil(lambda: kept_rows(store) == [], timeout=3000)


def test_a_follow_up_closing_left_for_another_screen_comes_back(
    qtbot: QtBot,
    context: AppContext,  # noqa: F811
) -> None:
    store = context.store
    person = factories.add_person(store)
    follow_up = add_follow_up(store, person, -2)
    screen = FollowUpsScreen(context)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.loaded):
        screen.show()
    screen.select_follow_up(follow_up)
    qtbot.mouseClick(screen.close_button, LEFT)
    type_text(qtbot, screen.note_edit, "Chèque énergie reçu le 2.")
    with qtbot.waitSignal(context.events.work_kept, timeout=3000) as said:
        screen.hide()  # another screen chosen in the navigation
    assert said.args[0].startswith("Clôture de suivi")
    wait_kept(qtbot, store, "Chèque énergie reçu le 2.")

    with qtbot.waitSignal(screen.loaded):
        screen.show()
    context.events.work_resume_requested.emit(f"close_follow_up:{follow_up}")  # from Today
    qtbot.waitUntil(lambda: screen.note_edit.toPlainText() == "Chèque énergie reçu le 2.")
    assert "Saisie reprise" in screen.message_label.text()
    screen.outcome_combo.setCurrentIndex(screen.outcome_combo.findData("resolved"))
    with qtbot.waitSignal(screen.follow_up_closed):
        qtbot.mouseClick(screen.confirm_button, LEFT)
    qtbot.waitUntil(lambda: kept_rows(store) == [], timeout=3000)
    with store.read_session() as session:
        assert session.get(FollowUp, follow_up).note == "Chèque énergie reçu le 2."


def test_the_idle_lock_keeps_the_typing_and_gives_it_back(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    window, form = app_with_a_new_consultation(qtbot, social_store, data_dir)
    form.note_edit.setFocus()
    type_text(qtbot, form.note_edit, "Avant le verrouillage")
    window.idle_watcher.idle_timeout.emit()  # nobody touched the laptop for a while
    assert window.locked
    wait_kept(qtbot, window.store, "Avant le verrouillage")
    with qtbot.waitSignal(window.session_unlocked, timeout=10_000):
        window.login_screen.password_edit.setText("Soleil-du-Diois-2026")
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    assert form.note_edit.toPlainText() == "Avant le verrouillage"
    window.logout()
