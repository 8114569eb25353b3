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
from van_app.core.db import StoreTooNewError
from van_app.core.keystore import (
    Keystore,
    KeystoreDamagedError,
    KeystoreError,
    UnverifiedPasswordError,
    WrongPasswordError,
)
from van_app.sync.client import SyncError
from van_app.tasks import DB_LANE, NETWORK_LANE, TaskRunner
from van_app.ui.idle import IdleWatcher
from van_app.ui.screens.login import LoginScreen
from van_app.ui.widgets.screen_fit import MAIN_WINDOW_SIZE

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
        self.resize(*MAIN_WINDOW_SIZE)  # with its title bar, above a taskbar at 1366×768
        self.data_dir = data_dir or config.data_dir()
        self.runner = TaskRunner(self)
        self.store: LocalStore | None = None
        self.sync_controller = None
        self.sync_status = None
        self.session_widget: SessionWidget | None = None
        self.locked = False
        self.known_usernames: list[str] = []
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
        self.runner.submit(keystore.usernames, self._on_usernames_loaded, self._on_keys_unreadable)

    def _on_usernames_loaded(self, usernames: list[str]) -> None:
        self.known_usernames = list(usernames)
        self.login_screen.set_usernames(usernames)
        self.login_screen.set_first_setup(not usernames, self.settings.server_url)

    def _on_keys_unreadable(self, exc: Exception) -> None:
        """keys.json damaged or tampered with: say so; never offer to set the laptop up again
        (that would start an empty store beside the one holding the unsynced work)."""
        log.error("key file unreadable: %s", exc)
        self.login_screen.set_usernames([])
        self.login_screen.set_first_setup(False, self.settings.server_url)
        self.login_screen.show_error(self._damaged_keys_message())

    def _damaged_keys_message(self) -> str:
        return self.tr(
            "Le fichier des clés de ce poste (keys.json) est endommagé ou a été modifié : la "
            "base locale ne peut pas être ouverte. Ne supprimez rien (les saisies sont toujours "
            "dans la base chiffrée) et contactez le support du CMS."
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

        first_setup = self.login_screen.server_edit.isVisible()
        server_url = self.login_screen.server_url() if first_setup else self.settings.server_url

        settings = self.settings

        def unlock() -> tuple[LocalStore, object, str | None]:
            import van_app.ui.session  # noqa: F401  (warm the imports off the UI thread)
            from van_app.core.reference import reference
            from van_app.sync.enrolment import enrol_device, token_store
            from van_app.sync.login import log_in

            if first_setup:  # the server checks the password and enrols this laptop
                store = enrol_device(data_dir, server_url, username, password)
                settings.save()  # the server's address, for the next (offline) logins
            else:  # offline when the password opens the laptop, else online (see log_in)
                store = log_in(data_dir, server_url, username, password)
            # The keyring may be slow (D-Bus) or fall back to the database: read it here.
            token = token_store(store).get(server_url, username) if server_url else None
            return store, reference(), token

        lane = NETWORK_LANE if first_setup or username not in self.known_usernames else DB_LANE
        if first_setup:
            if not server_url:
                self.login_screen.set_busy(False)
                self.login_screen.show_error(
                    self.tr("Indiquez l'adresse du serveur du CMS (fournie par le CMS).")
                )
                return
            self.settings.server_url = server_url
        self.runner.submit(
            unlock, lambda result: self._on_unlocked(result, password), self._on_unlock_failed, lane
        )

    def _on_unlocked(
        self, result: tuple[LocalStore, object, str | None], password: str = ""
    ) -> None:
        store, ref, token = result
        self.login_screen.set_busy(False)
        self.login_screen.clear()
        self.store = store
        from van_app.ui.context import AppContext
        from van_app.ui.session import SessionWidget

        context = AppContext(
            store=store,
            runner=self.runner,
            reference=ref,  # type: ignore[arg-type]
            server_url=self.settings.server_url,
        )
        self.session_widget = SessionWidget(context)
        self.session_widget.logout_requested.connect(self.logout)
        self.session_widget.lock_requested.connect(self.lock)
        self.pages.addWidget(self.session_widget)
        self.pages.setCurrentWidget(self.session_widget)
        self._start_sync(context, token, password)
        self.idle_watcher.start()
        self.session_opened.emit()

    def _start_sync(self, context, token: str | None, password: str) -> None:  # type: ignore[no-untyped-def]
        """The status bar's sync line, and syncs by themselves once the server answers.

        A laptop set up before it could reach the server (the demo, a device prepared at the
        CMS) gets its token on the first login that finds the server: the password just typed
        is sent once, from the network lane, and not kept.
        """
        from van_app.sync.client import SyncClient
        from van_app.sync.enrolment import obtain_token
        from van_app.ui.sync_status import SyncController, SyncStatusWidget

        store, url = context.store, self.settings.server_url
        client = SyncClient(url, token) if token else None
        self.sync_controller = SyncController(context, client, self)
        if token is None and url:
            controller = self.sync_controller
            self.runner.submit(
                lambda: obtain_token(store, url, password),
                lambda new_token: controller.set_client(SyncClient(url, new_token)),
                lambda exc: controller.report_error(exc),
                NETWORK_LANE,
            )
        self.sync_status = SyncStatusWidget(self.sync_controller)
        self.statusBar().addPermanentWidget(self.sync_status, 1)
        self.statusBar().show()
        self.sync_controller.start()

    def _stop_sync(self) -> None:
        if self.sync_controller is not None:
            self.sync_controller.stop()
            self.statusBar().removeWidget(self.sync_status)
            self.sync_status.deleteLater()
            self.sync_controller.deleteLater()
            self.sync_controller = None

    def lock(self) -> None:
        """Hide the session behind the password; the form in progress stays as it is."""
        if self.store is None or self.session_widget is None or self.locked:
            return
        self.locked = True
        self.session_widget.keep_work_now()  # before anything is hidden
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
        if isinstance(exc, UnverifiedPasswordError):
            self.login_screen.show_error(
                self.tr(
                    "Identifiant ou mot de passe incorrect. Si le CMS vient de réinitialiser "
                    "votre mot de passe, connectez-vous avec le réseau : le nouveau rouvrira "
                    "vos saisies."
                )
            )
        elif isinstance(exc, WrongPasswordError):
            self.login_screen.show_error(
                self.tr("Identifiant ou mot de passe incorrect. Vérifiez la saisie et réessayez.")
            )
        elif isinstance(exc, SyncError | PermissionError | StoreTooNewError):
            self.login_screen.show_error(str(exc))
        elif isinstance(exc, KeystoreDamagedError):
            log.error("key file damaged: %s", exc)
            self.login_screen.show_error(self._damaged_keys_message())
        elif isinstance(exc, KeystoreError):
            self.login_screen.show_error(
                self.tr("Ce poste n'est pas prêt : aucune clé pour cet utilisateur.")
            )
        else:
            log.error("unlock failed", exc_info=exc)
            self.login_screen.show_error(
                self.tr(
                    "La base locale n'a pas pu être ouverte : le détail est dans le journal de "
                    "l'application. Contactez le support du CMS."
                )
            )

    def logout(self) -> None:
        """Close the session: the key is forgotten, the login screen comes back."""
        self.idle_watcher.stop()
        if self.session_widget is not None:
            self.session_widget.keep_work_now()
        self._stop_sync()
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
        if self.session_widget is not None:
            self.session_widget.keep_work_now()
        if self.sync_controller is not None:
            self.sync_controller.stop()
        self.runner.wait_for_done()
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)
