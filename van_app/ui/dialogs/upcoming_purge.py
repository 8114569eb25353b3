""" "Purge à venir": what the next purges take within a month, for the supervisor to archive.

People with no contact for the retention period and nothing open are purged everywhere by
the server (``van-sync-server purge``); this lists them a month ahead from what this laptop
holds, and exports the list (CSV) before they go. Reading and writing run in the background.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.lifecycle import UPCOMING_HEADER, UpcomingPurge, export_upcoming, upcoming_purge
from van_app.core.measures import format_date
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason

Index = QModelIndex | QPersistentModelIndex


class UpcomingPurgeModel(QAbstractTableModel):
    """Name, birth date, last contact, purge date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UpcomingPurge] = []

    def set_rows(self, rows: list[UpcomingPurge]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        row = self.rows[index.row()]
        return (
            row.name,
            format_date(row.birth_date),
            format_date(row.last_contact),
            format_date(row.purge_on),
        )[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return UPCOMING_HEADER[section]
        return None


class UpcomingPurgeDialog(QDialog):
    """The list, and "Exporter pour les archives…"."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Purge à venir"))
        self.model = UpcomingPurgeModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.status_label = QLabel(self.tr("Chargement…"))
        self.status_label.setWordWrap(True)
        self.export_button = QPushButton(self.tr("Exporter pour les archives…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.ask_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Fermer"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        explain = QLabel(
            self.tr(
                "Personnes sans contact depuis 24 mois et sans suivi ni brouillon en cours : "
                "elles seront effacées de tous les postes et du serveur d'ici un mois."
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.export_button)
        layout.addWidget(buttons)
        self.resize(720, 420)
        store, today = context.store, context.today()

        def read() -> list[UpcomingPurge]:
            with store.read_session() as session:
                return upcoming_purge(session, today)

        context.runner.submit(read, self._on_loaded, self._on_failed)

    def _on_loaded(self, rows: list[UpcomingPurge]) -> None:
        self.model.set_rows(rows)
        self.export_button.setEnabled(bool(rows))
        self.status_label.setText(
            self.tr("%1 personne(s) concernée(s).").replace("%1", str(len(rows)))
            if rows
            else self.tr("Personne n'est concerné par la purge du mois à venir.")
        )

    def ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Exporter la liste"), "purge-a-venir.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the CSV in the background (all or nothing, ``safe_write``)."""
        rows = list(self.model.rows)
        self.export_button.setEnabled(False)
        self.context.runner.submit(
            lambda: export_upcoming(rows, path), self._on_exported, self._on_failed
        )

    def _on_exported(self, _none: object) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setText(self.tr("Liste exportée."))

    def _on_failed(self, exc: Exception) -> None:
        self.export_button.setEnabled(bool(self.model.rows))
        self.status_label.setText(self.tr("Échec (%1).").replace("%1", failure_reason(exc)))
