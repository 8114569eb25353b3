"""A professional logs in offline and sees the stop of the day and who they received."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.factories import add_person, add_social_consultation, add_stop
from van_app.core.local_store import LocalStore
from van_app.ui.main_window import MainWindow

PASSWORD = "Soleil-du-Diois-2026"


def _plan_today(store: LocalStore) -> None:
    """Today's stop, Josiane Achard, and her consultation there."""
    today = dt.date.today()
    stop_id = add_stop(store, today)
    person_id = add_person(store)
    add_social_consultation(store, person_id, stop_id, today, demand_types=["apa_autonomy"])


def _open_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.login_screen.user_combo.count() == 1)
    return window


def test_wrong_password_is_refused_in_french(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    login = window.login_screen
    qtbot.keyClicks(login.password_edit, "mauvais")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(login.error_label.isVisible)
    assert "mot de passe incorrect" in login.error_label.text()
    assert window.store is None
    assert window.pages.currentWidget() is login


def test_a_damaged_key_file_is_said_in_french_and_no_new_setup_is_offered(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    (data_dir / "keys.json").write_text('{"version": 1, "users": {"amartin": 3', "utf-8")
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    login = window.login_screen
    qtbot.waitUntil(login.error_label.isVisible)
    assert "keys.json" in login.error_label.text() and "endommagé" in login.error_label.text()
    assert not login.server_edit.isVisible()  # never "first login": the store is still there
    assert "Error" not in login.error_label.text()


def test_login_shows_stop_of_the_day_and_people_seen(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    _plan_today(social_store)
    social_store.close()
    window = _open_window(qtbot, data_dir)
    assert window.login_screen.user_combo.currentText() == "amartin"
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.mouseClick(window.login_screen.login_button, Qt.MouseButton.LeftButton)
    today = window.session_widget.today_screen
    qtbot.waitUntil(lambda: today.seen_model.rowCount() == 1)
    assert today.stop_title.text() == "Arrêt du jour : Luc-en-Diois"
    assert "de 9 h 30 à 12 h 30" in today.stop_details.text()
    assert today.seen_model.row_at(0).name == "ACHARD Josiane"
    assert "Agnès Martin" in window.session_widget.user_label.text()

    window.logout()
    assert window.store is None
    assert window.pages.currentWidget() is window.login_screen
    assert window.login_screen.password_edit.text() == ""


def test_no_stop_today_says_hors_tournee(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    today = window.session_widget.today_screen
    qtbot.waitUntil(lambda: today.stop_title.text() != "")
    assert today.stop_title.text() == "Hors tournée"
    assert today.empty_label.isVisible()


def test_today_says_what_waits_to_be_sent(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    _plan_today(social_store)  # three records written on this device: three waiting changes
    social_store.close()
    window = _open_window(qtbot, data_dir)
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    today = window.session_widget.today_screen
    qtbot.waitUntil(lambda: today.sync_label.text() != "")
    assert today.sync_label.text().startswith(
        "3 modifications en attente d'envoi au CMS, depuis le"
    )
    assert "synchronisé" not in today.sync_label.text()


def test_idle_lock_keeps_the_session_and_asks_the_same_password(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    window.idle_watcher.set_minutes(0.002)  # about 120 ms
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    session = window.session_widget
    with qtbot.waitSignal(window.session_locked, timeout=5000):
        pass
    assert window.pages.currentWidget() is window.login_screen
    assert not window.login_screen.user_combo.isEnabled()
    assert window.login_screen.user_combo.currentText() == "amartin"
    assert window.login_screen.close_session_button.isVisible()

    qtbot.keyClicks(window.login_screen.password_edit, "faux")
    qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(window.login_screen.error_label.isVisible)
    assert window.pages.currentWidget() is window.login_screen

    window.idle_watcher.set_minutes(5)
    with qtbot.waitSignal(window.session_unlocked):
        window.login_screen.password_edit.clear()
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    assert window.session_widget is session, "the same session, form in progress kept"
    assert window.pages.currentWidget() is session
    assert window.store is not None


def test_lock_button_and_change_of_user(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(window.session_locked):
        qtbot.mouseClick(window.session_widget.lock_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.login_screen.close_session_button, Qt.MouseButton.LeftButton)
    assert window.store is None and window.session_widget is None
    assert window.login_screen.user_combo.isEnabled()
