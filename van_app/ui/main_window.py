"""The main window: the login screen, then the screens of a logged-in professional.

Only what the login screen needs is imported at start-up; the database layer and the
session's screens are imported by the unlock task, off the UI thread, while Argon2 runs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QStackedWidget,
)

from van_app import config
from van_app.config import Settings
from van_app.core.keystore import Keystore, KeystoreError, WrongPasswordError
from van_app.tasks import TaskRunner
from van_app.ui.idle import IdleWatcher
from van_app.ui.screens.login import LoginScreen

if TYPE_CHECKING:
    from van_app.core.local_store import LocalStore
    from van_app.ui.session import SessionWidget

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Owns the task runner and the unlocked store of the current session."""

    session_opened = Signal()
    session_locked = Signal()
    session_unlocked = Signal()

    def __init__(self, data_dir: Path | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.setWindowTitle(self.tr("Drôme Proximité"))
        self.resize(1100, 720)
        self.data_dir = data_dir or config.data_dir()
        self.runner = TaskRunner(self)
        self.store: LocalStore | None = None
        self.session_widget: SessionWidget | None = None
        self.locked = False
        self.idle_watcher = IdleWatcher(self.settings.idle_lock_minutes, self)
        self.idle_watcher.idle_timeout.connect(self.lock)

        self.pages = QStackedWidget()
        self.login_screen = LoginScreen()
        self.login_screen.login_requested.connect(self._on_login_requested)
        self.login_screen.close_session_requested.connect(self.logout)
        self.pages.addWidget(self.login_screen)
        self.setCentralWidget(self.pages)
        self._load_usernames()

    def _load_usernames(self) -> None:
        keystore = Keystore(self.data_dir / config.KEYS_FILE)
        self.runner.submit(keystore.usernames, self._on_usernames_loaded)

    def _on_usernames_loaded(self, usernames: list[str]) -> None:
        self.login_screen.set_usernames(usernames)
        if not usernames:
            self.login_screen.show_error(
                self.tr(
                    "Aucun utilisateur n'est encore enregistré sur ce poste. "
                    "Demandez au CMS de le préparer."
                )
            )

    def _on_login_requested(self, username: str, password: str) -> None:
        self.login_screen.set_busy(True)
        data_dir = self.data_dir
        if self.locked:
            keystore = Keystore(data_dir / config.KEYS_FILE)
            self.runner.submit(
                lambda: keystore.unlock(username, password),
                lambda _key: self._on_relocked_checked(),
                self._on_unlock_failed,
            )
            return

        def unlock() -> tuple[LocalStore, object]:
            import van_app.ui.session  # noqa: F401  (warm the imports off the UI thread)
            from van_app.core.local_store import LocalStore
            from van_app.core.reference import reference

            store = LocalStore.open(data_dir, username, password)
            return store, reference()

        self.runner.submit(unlock, self._on_unlocked, self._on_unlock_failed)

    def _on_unlocked(self, result: tuple[LocalStore, object]) -> None:
        store, ref = result
        self.login_screen.set_busy(False)
        self.login_screen.clear()
        self.store = store
        from van_app.ui.context import AppContext
        from van_app.ui.session import SessionWidget

        context = AppContext(store=store, runner=self.runner, reference=ref)  # type: ignore[arg-type]
        self.session_widget = SessionWidget(context)
        self.session_widget.logout_requested.connect(self.logout)
        self.session_widget.lock_requested.connect(self.lock)
        self.pages.addWidget(self.session_widget)
        self.pages.setCurrentWidget(self.session_widget)
        self.idle_watcher.start()
        self.session_opened.emit()

    def lock(self) -> None:
        """Hide the session behind the password; the form in progress stays as it is."""
        if self.store is None or self.session_widget is None or self.locked:
            return
        self.locked = True
        self.idle_watcher.stop()
        self.login_screen.lock_to(self.store.user.username)
        self.login_screen.clear()
        self.pages.setCurrentWidget(self.login_screen)
        self.session_locked.emit()

    def _on_relocked_checked(self) -> None:
        self.login_screen.set_busy(False)
        self.login_screen.clear()
        self.login_screen.unlock_choice()
        self.locked = False
        assert self.session_widget is not None
        self.pages.setCurrentWidget(self.session_widget)
        self.idle_watcher.start()
        self.session_unlocked.emit()

    def _on_unlock_failed(self, exc: Exception) -> None:
        self.login_screen.set_busy(False)
        if isinstance(exc, WrongPasswordError):
            self.login_screen.show_error(
                self.tr("Identifiant ou mot de passe incorrect. Vérifiez la saisie et réessayez.")
            )
        elif isinstance(exc, KeystoreError):
            self.login_screen.show_error(
                self.tr("Ce poste n'est pas prêt : aucune clé pour cet utilisateur.")
            )
        else:
            log.error("unlock failed: %s", type(exc).__name__)
            self.login_screen.show_error(
                self.tr(
                    "La base locale n'a pas pu être ouverte (%1). Contactez le support."
                ).replace("%1", type(exc).__name__)
            )

    def logout(self) -> None:
        """Close the session: the key is forgotten, the login screen comes back."""
        self.idle_watcher.stop()
        self.locked = False
        self.login_screen.unlock_choice()
        self.runner.wait_for_done()
        if self.session_widget is not None:
            self.pages.removeWidget(self.session_widget)
            self.session_widget.deleteLater()
            self.session_widget = None
        if self.store is not None:
            self.store.close()
            self.store = None
        self.pages.setCurrentWidget(self.login_screen)
        self._load_usernames()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.wait_for_done()
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)
