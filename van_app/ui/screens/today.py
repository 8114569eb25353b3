"""Today: the stop of the day (or "hors tournée") and the people seen by this professional."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.today import TodaySummary, today_summary
from van_app.ui.context import AppContext
from van_app.ui.models.seen_people import SeenPeopleTableModel
from van_app.ui.widgets.style import CARD_STYLE, ERROR_STYLE, SUBTITLE_STYLE, TITLE_STYLE


def _hours(value) -> str:  # type: ignore[no-untyped-def]
    """French hours: 9 h 30, 14 h."""
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


class TodayScreen(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("TodayScreen")
        context.events.records_changed.connect(self._on_records_changed)

        self.date_label = QLabel()
        self.date_label.setStyleSheet(TITLE_STYLE)

        self.stop_card = QFrame()
        self.stop_card.setObjectName("StopCard")
        self.stop_card.setStyleSheet(CARD_STYLE)
        self.stop_title = QLabel()
        self.stop_title.setStyleSheet(SUBTITLE_STYLE)
        self.stop_details = QLabel()
        self.stop_details.setWordWrap(True)
        card_layout = QVBoxLayout(self.stop_card)
        card_layout.addWidget(self.stop_title)
        card_layout.addWidget(self.stop_details)

        self.seen_title = QLabel(self.tr("Personnes reçues aujourd'hui"))
        self.seen_title.setStyleSheet(SUBTITLE_STYLE)
        self.receive_button = QPushButton(self.tr("Recevoir une personne…"))
        self.receive_button.setToolTip(self.tr("Rechercher la personne ou l'enregistrer"))
        self.receive_button.clicked.connect(self.context.events.people_requested)
        self.seen_hint = QLabel(
            self.tr("Double-cliquez sur une ligne (ou Entrée) pour rouvrir la consultation.")
        )
        self.seen_hint.setStyleSheet("color: #555;")
        self.seen_model = SeenPeopleTableModel(self)
        self.seen_table = QTableView()
        self.seen_table.setModel(self.seen_model)
        self.seen_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.seen_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.seen_table.verticalHeader().hide()
        self.seen_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.seen_table.activated.connect(self._on_row_activated)
        self.empty_label = QLabel(self.tr("Personne n'a encore été reçu aujourd'hui."))
        self.empty_label.setStyleSheet("color: #555;")
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self.date_label)
        layout.addWidget(self.stop_card)
        seen_header = QHBoxLayout()
        seen_header.addWidget(self.seen_title, 1)
        seen_header.addWidget(self.receive_button)
        layout.addLayout(seen_header)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.seen_table, 1)
        layout.addWidget(self.seen_hint)
        layout.addWidget(self.sync_label)
        layout.addWidget(self.error_label)

    def refresh(self) -> None:
        """Reload in the background; the screen stays usable meanwhile."""
        store, user, day, ref = (
            self.context.store,
            self.context.store.user,
            self.context.today(),
            self.context.reference,
        )

        def load() -> TodaySummary:
            with store.session() as session:
                return today_summary(session, user, day, ref)

        self.context.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, summary: TodaySummary) -> None:
        locale = QLocale(QLocale.Language.French, QLocale.Country.France)
        self.date_label.setText(locale.toString(summary.day, "dddd d MMMM yyyy").capitalize())
        if summary.stop is None:
            self.stop_title.setText(self.tr("Hors tournée"))
            self.stop_details.setText(self.tr("Aucun arrêt du camion n'est prévu aujourd'hui."))
        else:
            stop = summary.stop
            self.stop_title.setText(self.tr("Arrêt du jour : %1").replace("%1", stop.commune))
            self.stop_details.setText(
                self.tr("%1 — de %2 à %3 — %4")
                .replace("%1", stop.place)
                .replace("%2", _hours(stop.start))
                .replace("%3", _hours(stop.end))
                .replace("%4", stop.services)
            )
        self.seen_model.set_rows(summary.seen)
        self.empty_label.setVisible(not summary.seen)
        self.seen_table.setVisible(bool(summary.seen))
        self.seen_hint.setVisible(bool(summary.seen))
        self.sync_label.setText(self._waiting_text(summary))
        self.error_label.hide()

    def _on_row_activated(self, index) -> None:  # type: ignore[no-untyped-def]
        """Enter or double-click: back to that consultation (to complete, sign or read it)."""
        seen = self.seen_model.row_at(index.row())
        self.context.events.consultation_requested.emit(
            seen.service, seen.beneficiary_id, seen.consultation_id
        )

    def _waiting_text(self, summary: TodaySummary) -> str:
        if not summary.waiting_changes:
            return self.tr("Aucune modification en attente d'envoi au CMS.")
        since = QDateTime(summary.waiting_since).toLocalTime() if summary.waiting_since else None
        if summary.waiting_changes == 1:
            text = self.tr("1 modification en attente d'envoi au CMS")
        else:
            text = self.tr("%1 modifications en attente d'envoi au CMS").replace(
                "%1", str(summary.waiting_changes)
            )
        if since is not None:
            text += self.tr(", depuis le %1").replace("%1", since.toString("dd/MM/yyyy à HH:mm"))
        return text + "."

    def _on_failed(self, exc: Exception) -> None:
        self.error_label.setText(
            self.tr("Impossible de charger la journée : %1").replace("%1", type(exc).__name__)
        )
        self.error_label.show()

    def _on_records_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()
        self.seen_table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
