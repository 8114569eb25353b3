"""An older app on a store upgraded by a newer one: a French sentence on the login screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from van_app.core.local_store import LocalStore
from van_app.ui.main_window import MainWindow

PASSWORD = "Soleil-du-Diois-2026"


def test_the_login_screen_says_which_version_is_needed(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    with social_store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0042_from_the_future'"))
        connection.execute(text("UPDATE local_meta SET value = '0.3.0' WHERE key = 'app_version'"))
    social_store.close()
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    login = window.login_screen
    qtbot.waitUntil(lambda: login.user_combo.count() == 1)
    qtbot.keyClicks(login.password_edit, PASSWORD)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(login.error_label.isVisible)
    text_shown = login.error_label.text()
    assert "la version 0.3.0" in text_shown and "intactes" in text_shown
    assert "Error" not in text_shown and "CommandError" not in text_shown
    assert window.store is None
