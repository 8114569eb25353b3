"""The app against the real server: first login enrols the laptop; the status tells the truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from tests.sync.conftest import PASSWORD, SyncServer
from tests.ui.conftest import _collect_between_tests, _ui_thread_gc  # noqa: F401
from van_app.config import Settings
from van_app.core.models import Beneficiary
from van_app.sync.engine import SyncEngine
from van_app.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def status(window: MainWindow) -> str:
    return window.sync_status.label.text() if window.sync_status else ""


def test_first_login_enrols_then_sync_runs_and_the_status_never_lies(
    qtbot: QtBot, data_dir: Path, sync_server: SyncServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_server.admin(
        "create-user", "emartin", "--display-name", "Emma Martin", "--role", "social_worker",
        "--cms", "CMS-UI", "--password", PASSWORD,
    )  # fmt: skip
    window = MainWindow(data_dir, Settings(server_url=""))
    qtbot.addWidget(window)
    window.show()
    login = window.login_screen
    qtbot.waitUntil(login.server_edit.isVisible)
    assert "Première connexion" in login.hint_label.text()

    # Server unreachable at first: a clear French error, nothing set up.
    qtbot.keyClicks(login.server_edit, "http://127.0.0.1:9")
    qtbot.keyClicks(login.user_combo.lineEdit(), "emartin")
    qtbot.keyClicks(login.password_edit, PASSWORD)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(login.error_label.isVisible, timeout=15000)
    assert "injoignable" in login.error_label.text()
    assert window.store is None

    login.server_edit.setText(sync_server.url)
    with qtbot.waitSignal(window.session_opened, timeout=15000):
        login.password_edit.setText(PASSWORD)
        qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=15000)

    # A person is registered: the status says it waits, "Synchroniser" sends it.
    store = window.store
    with store.session() as session:
        session.add(
            store.stamp(
                Beneficiary(
                    birth_name="Faure", first_names="Marcel", birth_date=dt.date(1948, 7, 4),
                    sex="M", author="", device="",
                )
            )
        )  # fmt: skip
    window.session_widget.context.events.records_changed.emit()
    qtbot.waitUntil(lambda: "1 modification en attente" in status(window))
    assert not status(window).startswith("Synchronisé")
    qtbot.mouseClick(window.sync_status.sync_button, LEFT)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=15000)
    assert "Dernière synchronisation vérifiée le" in status(window)

    # The server goes away: work goes on, the status says so and counts what waits.
    sync_server.kill()
    try:
        with store.session() as session:
            person = session.exec(select(Beneficiary)).one()
            person.phone = "0475000000"
            session.add(store.stamp(person))
        window.session_widget.context.events.records_changed.emit()
        qtbot.mouseClick(window.sync_status.sync_button, LEFT)
        qtbot.waitUntil(lambda: "injoignable" in status(window), timeout=15000)
        assert "1 modification en attente" in status(window)
        assert not status(window).startswith("Synchronisé")
    finally:
        sync_server.start()
    qtbot.mouseClick(window.sync_status.sync_button, LEFT)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=15000)

    # Something unexpected breaks a sync: a sentence in French, never a Python class name.
    def broken(self):  # type: ignore[no-untyped-def]
        raise OperationalError("PRAGMA", {}, Exception("disk I/O error"))

    with monkeypatch.context() as patch:
        patch.setattr(SyncEngine, "run", broken)
        qtbot.mouseClick(window.sync_status.sync_button, LEFT)
        qtbot.waitUntil(lambda: "retentée" in status(window), timeout=15000)
    assert "Error" not in status(window) and "(" not in status(window)
    assert not status(window).startswith("Synchronisé")
    qtbot.mouseClick(window.sync_status.sync_button, LEFT)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=15000)
    window.logout()
