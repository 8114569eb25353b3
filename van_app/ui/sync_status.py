"""Sync in the background, and the status bar line that says honestly where it stands.

The controller polls the server's health on the network lane; when it answers, a sync runs
by itself (and on the "Synchroniser" button). The status never says "synchronisé" while a
change waits: it shows how many wait and since when, the progress of a long sync, the last
verified sync, and errors in plain French.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QWidget

from van_app.core.french import de_name, moment_text
from van_app.core.local_meta import get_meta
from van_app.core.outbox import rejected_changes, rejected_count
from van_app.core.pending import pending_changes
from van_app.sync import account_upkeep
from van_app.sync.client import (
    DeviceNotAuthorizedError,
    ServerUnreachableError,
    SyncClient,
    SyncError,
)
from van_app.sync.engine import SyncEngine, SyncReport
from van_app.sync.enrolment import obtain_token
from van_app.tasks import NETWORK_LANE
from van_app.ui.context import AppContext
from van_app.ui.dialogs.account import ReenrolDialog
from van_app.ui.widgets.word_elided_label import WordElidedLabel

log = logging.getLogger(__name__)

POLL_MS = 30_000


class SyncController(QObject):
    """Runs syncs one at a time on the network lane; reports by signals."""

    state_changed = Signal()
    progressed = Signal(str, int, int)

    def __init__(self, context: AppContext, client: SyncClient | None, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.context = context
        self.client = client
        self.running = False
        self.reachable: bool | None = None
        self.last_report: SyncReport | None = None
        self.error = ""
        self.notice = ""  # what the last sync did about access (a password not changed)
        # The server refused this laptop's token: "Réinscrire ce poste" gets a new one.
        self.needs_enrolment = False
        self.waiting = 0
        self.waiting_since: dt.datetime | None = None
        # Changes of colleagues who used this laptop: they leave with their author's login.
        self.colleagues_waiting: tuple[tuple[str, int], ...] = ()
        self.rejected = 0
        self.last_success: dt.datetime | None = None
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        context.events.records_changed.connect(self.refresh_counts)

    def set_client(self, client: SyncClient) -> None:
        """The token arrived (first login with the server reachable): start syncing."""
        self.client = client
        self.error = ""
        self.start()

    def reenrol(self, password: str, done, failed) -> None:  # type: ignore[no-untyped-def]
        """A new token for the logged-in professional (their server password), then a sync:
        everything still waiting leaves once, under the new token."""
        store, url = self.context.store, self.client.server_url if self.client else ""

        def enrol() -> str:
            return obtain_token(store, url, password)

        def enrolled(token: str) -> None:
            self.needs_enrolment = False
            done()
            self.set_client(SyncClient(url, token))

        self.context.runner.submit(enrol, enrolled, failed, NETWORK_LANE)

    def report_error(self, exc: Exception) -> None:
        """Getting a token failed: say why; the work stays on this laptop meanwhile."""
        if isinstance(exc, SyncError):
            self.error = str(exc)
        else:
            log.error("enrolment failed", exc_info=exc)
            self.error = self.tr(
                "La connexion au serveur du CMS a échoué : elle sera retentée. "
                "Les saisies restent sur ce poste."
            )
        self.reachable = not isinstance(exc, ServerUnreachableError)
        self.state_changed.emit()

    def start(self) -> None:
        self.refresh_counts()
        if self.client is not None:
            self.timer.start()
            QTimer.singleShot(0, self.poll)

    def stop(self) -> None:
        self.timer.stop()

    def refresh_counts(self) -> None:
        store, username = self.context.store, self.context.store.user.username

        def count():  # type: ignore[no-untyped-def]
            with store.session() as session:
                pending = pending_changes(session, username)
                rejected = rejected_count(session)
                last = get_meta(session, f"sync.last_success.{username}")
            return pending, rejected, last

        self.context.runner.submit(count, self._on_counts)

    def _on_counts(self, result) -> None:  # type: ignore[no-untyped-def]
        pending, self.rejected, last = result
        self.waiting, self.waiting_since = pending.mine, pending.since
        self.colleagues_waiting = pending.colleagues
        self.last_success = dt.datetime.fromisoformat(last) if last else None
        self.state_changed.emit()

    def poll(self) -> None:
        """Is the server there? If so, and nothing runs, sync."""
        if self.client is None or self.running:
            return
        client = self.client
        self.context.runner.submit(
            client.health, lambda _r: self._on_reachable(), self._on_unreachable, NETWORK_LANE
        )

    def _on_reachable(self) -> None:
        self.reachable = True
        self.sync_now()

    def _on_unreachable(self, _exc: Exception) -> None:
        self.reachable = False
        self.state_changed.emit()

    def sync_now(self) -> None:
        if self.client is None:
            self.error = self.tr("Ce poste n'est relié à aucun serveur de CMS.")
            self.state_changed.emit()
            return
        if self.running:
            return
        self.running = True
        self.error = ""
        self.state_changed.emit()
        store, client = self.context.store, self.client
        engine = SyncEngine(
            store,
            client,
            progress=lambda phase, done, total: self.progressed.emit(phase, done, total),
        )

        def sync() -> tuple[str, SyncReport]:
            notice = account_upkeep.run(store, client)  # recovery key, a changed password
            return notice, engine.run()

        self.context.runner.submit(sync, self._on_synced, self._on_failed, NETWORK_LANE)

    def _on_synced(self, result: tuple[str, SyncReport]) -> None:
        self.notice, report = result
        self.running = False
        self.reachable = True
        self.last_report = report
        if report.mismatches:
            self.error = self.tr(
                "Vérification : ce poste et le serveur ne concordent pas (%1). "
                "Une nouvelle synchronisation va être tentée."
            ).replace("%1", "; ".join(report.mismatches[:3]))
        self.context.events.records_changed.emit()
        self.refresh_counts()

    def _on_failed(self, exc: Exception) -> None:
        self.running = False
        if isinstance(exc, SyncError):
            self.error = str(exc)
            if isinstance(exc, DeviceNotAuthorizedError):
                self.timer.stop()
                self.needs_enrolment = exc.code != "user_disabled"
        else:  # a fault of this laptop, not the network: the log has the detail
            log.error("sync failed", exc_info=exc)
            self.error = self.tr(
                "La synchronisation s'est interrompue sur ce poste : elle sera retentée. "
                "Les saisies restent enregistrées ici."
            )
        self.refresh_counts()


def _when(moment: dt.datetime) -> str:
    return moment_text(moment)


class SyncStatusWidget(QWidget):
    """The status bar part: what waits, the last verified sync, errors, and the button."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = WordElidedLabel()
        self.details_button = QPushButton(self.tr("Voir les refus…"))
        self.details_button.clicked.connect(self._show_rejections)
        self.sync_button = QPushButton(self.tr("Synchroniser"))
        self.sync_button.clicked.connect(controller.sync_now)
        self.reenrol_button = QPushButton(self.tr("Réinscrire ce poste…"))
        self.reenrol_button.clicked.connect(self.ask_reenrolment)
        self.reenrol_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        layout.addWidget(self.reenrol_button)
        layout.addWidget(self.sync_button)
        controller.state_changed.connect(self.update_text)
        controller.progressed.connect(self._on_progress)
        self.update_text()

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        if phase == "push":
            text = self.tr("Envoi des modifications : %1 sur %2…")
            total_text = str(max(total, done))
            self.label.set_full_text(text.replace("%1", str(done)).replace("%2", total_text))
        else:
            received = self.tr("Réception : %1 fiches reçues…").replace("%1", str(done))
            self.label.set_full_text(received)

    def status_text(self) -> str:
        c = self.controller
        parts: list[str] = []
        if c.running:
            parts.append(self.tr("Synchronisation en cours…"))
        if c.waiting:
            waiting = (
                self.tr("1 modification en attente")
                if c.waiting == 1
                else self.tr("%1 modifications en attente").replace("%1", str(c.waiting))
            )
            if c.waiting_since:
                waiting += self.tr(" depuis le %1").replace("%1", _when(c.waiting_since))
            parts.append(waiting)
        parts.extend(self._colleague_text(name, count) for name, count in c.colleagues_waiting)
        if c.rejected:
            parts.append(
                self.tr("%1 modification(s) refusée(s) par le serveur : voir le détail").replace(
                    "%1", str(c.rejected)
                )
            )
        if c.last_success:
            label = self.tr("Dernière synchronisation vérifiée le %1")
            parts.append(label.replace("%1", _when(c.last_success)))
        elif c.client is not None:
            parts.append(self.tr("Jamais synchronisé"))
        quiet = not (c.waiting or c.rejected or c.running or c.error)
        if quiet and c.last_report is not None and c.last_report.verified:
            parts.insert(0, self.tr("Synchronisé"))
        if c.reachable is False and not c.running:
            parts.append(self.tr("Serveur injoignable : travail hors ligne"))
        if c.error:
            parts.append(c.error)
        if c.notice:
            parts.append(c.notice)
        return " — ".join(parts)

    def _colleague_text(self, name: str, count: int) -> str:
        """A colleague's changes do not leave with this login: say whose and when they will."""
        if count == 1:
            text = self.tr("1 modification %1 en attente : elle partira à sa prochaine connexion")
        else:
            text = self.tr(
                "%2 modifications %1 en attente : elles partiront à sa prochaine connexion"
            ).replace("%2", str(count))
        return text.replace("%1", de_name(name))

    def update_text(self) -> None:
        self.label.set_full_text(self.status_text())
        self.sync_button.setEnabled(not self.controller.running)
        self.details_button.setVisible(self.controller.rejected > 0)
        self.reenrol_button.setVisible(self.controller.needs_enrolment)

    def ask_reenrolment(self) -> ReenrolDialog:
        """The refused token's way out: the server password, a new token, then the sync."""
        dialog = ReenrolDialog(
            self.controller.context.store.user.display_name, self.controller.reenrol, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _show_rejections(self) -> None:
        context = self.controller.context
        store, ref = context.store, context.reference

        def load() -> list[tuple[str, str]]:
            with store.session() as session:
                return rejected_changes(session, ref)

        context.runner.submit(load, self._on_rejections)

    def _on_rejections(self, rows: list[tuple[str, str]]) -> None:
        text = "\n\n".join(f"• {what}\n   {why}" for what, why in rows)
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Modifications refusées par le serveur"))
        box.setText(
            self.tr(
                "Ces modifications restent sur ce poste : le serveur du CMS les a refusées. "
                "Corrigez-les (un complément pour une consultation signée) ou parlez-en au CMS."
            )
        )
        box.setDetailedText(text)
        box.setInformativeText(text[:600])
        box.open()
        self.rejections_box = box
