"""The same, as the professionals do it in the app: typed on the login screen, the status
bar's "Réinscrire ce poste", the password change dialog — against the real server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.sync.conftest import PASSWORD, SyncServer, Van, add_person
from tests.sync.helpers import ServerDatabase
from tests.sync.test_laptop_access import NEW_PASSWORD, colleague
from tests.ui.conftest import _collect_between_tests, _ui_thread_gc  # noqa: F401
from van_app.config import Settings
from van_app.core.keystore import Keystore
from van_app.core.outbox import OutboxEntry
from van_app.sync.account_upkeep import password_change_waiting
from van_app.sync.client import SyncClient
from van_app.ui.dialogs.account import ChangePasswordDialog, ReenrolDialog
from van_app.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def status(window: MainWindow) -> str:
    return window.sync_status.label.full_text if window.sync_status else ""


def open_window(qtbot: QtBot, van: Van, url: str, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setenv("VAN_APP_DATA_DIR", str(van.data_dir))
    window = MainWindow(van.data_dir, Settings(server_url=url))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.login_screen.user_combo.count() > 0)
    return window


def type_login(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    login = window.login_screen
    login.user_combo.setCurrentText("")
    qtbot.keyClicks(login.user_combo.lineEdit(), username)
    qtbot.keyClicks(login.password_edit, password)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)


def test_a_second_professional_enrols_from_the_login_screen(  # type: ignore[no-untyped-def]
    qtbot: QtBot, enrol, sync_server: SyncServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    social = enrol("amartin")
    nurse_name = colleague(sync_server, social, "pmi_nurse")
    social.close()
    window = open_window(qtbot, social, sync_server.url, monkeypatch)
    with qtbot.waitSignal(window.session_opened, timeout=20000):
        type_login(qtbot, window, nurse_name, PASSWORD)
    assert window.store.user.username == nurse_name
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=20000)
    window.logout()
    qtbot.waitUntil(lambda: window.login_screen.user_combo.count() == 2)
    assert Keystore(social.data_dir / "keys.json").usernames() == sorted(
        [social.username, nurse_name]
    )


def test_a_refused_token_is_replaced_from_the_status_bar_and_what_waited_leaves_once(  # type: ignore[no-untyped-def]
    qtbot: QtBot, enrol, sync_server: SyncServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    social = enrol("amartin")
    person = add_person(social, "Attente")
    social.close()
    device_id = sync_server.admin("list-devices", social.username).split()[0]
    sync_server.admin("revoke-device", device_id)
    window = open_window(qtbot, social, sync_server.url, monkeypatch)
    with qtbot.waitSignal(window.session_opened, timeout=20000):
        type_login(qtbot, window, social.username, PASSWORD)
    bar = window.sync_status
    qtbot.waitUntil(bar.reenrol_button.isVisible, timeout=20000)
    assert "n'est plus autorisé" in status(window)
    assert "1 modification en attente" in status(window)

    qtbot.mouseClick(bar.reenrol_button, LEFT)
    dialog = next(d for d in bar.findChildren(ReenrolDialog) if d.isVisible())
    assert dialog.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, "faux-mot-de-passe")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=20000)
    assert "refusé" in dialog.error_label.text()
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=20000)
    assert not bar.reenrol_button.isVisible()
    store = window.store
    with store.read_session() as session:
        assert session.exec(OutboxEntry.__table__.select()).all() == []
    database = ServerDatabase(sync_server, store.user.cms_code)
    try:
        assert set(database.records("beneficiary")) == {person}
    finally:
        database.close()
    window.logout()


def test_the_password_is_changed_in_the_app(  # type: ignore[no-untyped-def]
    qtbot: QtBot, enrol, sync_server: SyncServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    social = enrol("amartin")
    social.close()
    window = open_window(qtbot, social, sync_server.url, monkeypatch)
    with qtbot.waitSignal(window.session_opened, timeout=20000):
        type_login(qtbot, window, social.username, PASSWORD)
    monkeypatch.setattr("van_app.ui.session.QMessageBox.information", lambda *a: None)
    dialog: ChangePasswordDialog = window.session_widget.ask_password_change()
    assert dialog.focusWidget() is dialog.current_edit
    qtbot.keyClicks(dialog.current_edit, "pas-le-bon")
    qtbot.keyClick(dialog.current_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.new_edit, NEW_PASSWORD)
    qtbot.keyClick(dialog.new_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.confirm_edit, NEW_PASSWORD + "x")
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert dialog.confirm_error.isVisible() and "diffèrent" in dialog.confirm_error.text()
    assert dialog.confirm_edit.selectedText() == NEW_PASSWORD + "x"  # typed over at once
    qtbot.keyClicks(dialog.confirm_edit, NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.current_error.isVisible, timeout=20000)
    assert "actuel" in dialog.current_error.text()
    dialog.current_edit.clear()
    qtbot.keyClicks(dialog.current_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        qtbot.keyClick(dialog.current_edit, Qt.Key.Key_Return)
    assert password_change_waiting(window.store)

    def sent() -> bool:
        if window.sync_status.sync_button.isEnabled():
            qtbot.mouseClick(window.sync_status.sync_button, LEFT)
        return not password_change_waiting(window.store)

    qtbot.waitUntil(sent, timeout=20000)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=20000)
    window.logout()
    with qtbot.waitSignal(window.session_opened, timeout=20000):
        type_login(qtbot, window, social.username, NEW_PASSWORD)
    window.logout()
    probe = SyncClient(sync_server.url)  # the server has the new password too
    try:
        assert probe.enrol(social.username, NEW_PASSWORD, "sonde")["token"]
    finally:
        probe.close()
