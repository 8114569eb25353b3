"""The real app in its own process, typing into a consultation until it is killed (kill -9).

Usage: python -m tests.ui.typing_app DATA_DIR PASSWORD PERSON_ID TEXT (the laptop's one user)
Logs in, opens a new social consultation for the person, types TEXT into the note key by key,
prints "typed" once the work in progress holds it, then waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VAN_APP_KEYRING_BACKEND", "memory")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from van_app.config import Settings
from van_app.core.work_in_progress import WorkInProgress
from van_app.ui.main_window import MainWindow


def wait_until(app: QApplication, condition, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.02)


def main() -> None:
    data_dir, password, person, text = sys.argv[1:5]
    app = QApplication([])
    window = MainWindow(Path(data_dir), Settings(server_url=""))
    window.show()
    wait_until(app, lambda: window.login_screen.user_combo.count() > 0)
    window.login_screen.password_edit.setText(password)
    QTest.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    wait_until(app, lambda: window.session_widget is not None)
    session = window.session_widget
    assert session is not None and session.social_screen is not None
    form = session.social_screen
    session.open_consultation("social", person, "")
    wait_until(app, lambda: form.data is not None and not form._busy)
    form.note_edit.setFocus()
    for char in text:  # key by key, as typed
        QTest.keyClicks(form.note_edit, char)
        app.processEvents()
    store = window.store
    assert store is not None

    def kept() -> bool:
        with store.read_session() as db:
            return any(text in str(row.payload) for row in db.exec(select(WorkInProgress)).all())

    wait_until(app, kept)
    print("typed", flush=True)
    while True:  # until kill -9
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    main()
