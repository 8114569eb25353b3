"""Table model of the people seen today (tested without widgets)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from van_app.core.today import SeenPerson

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("SeenPeopleTableModel", text)


class SeenPeopleTableModel(QAbstractTableModel):
    COL_NAME, COL_SERVICE, COL_STATUS = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SeenPerson] = []

    def set_rows(self, rows: list[SeenPerson]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> SeenPerson:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (_tr("Personne"), _tr("Service"), _tr("Consultation"))[section]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        person = self._rows[index.row()]
        if role == ID_ROLE:
            return person.consultation_id
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        column = index.column()
        if column == self.COL_NAME:
            return person.name
        if column == self.COL_SERVICE:
            return _tr("Accueil social") if person.service == "social" else _tr("PMI")
        return _tr("Signée") if person.status == "signed" else _tr("Brouillon")
