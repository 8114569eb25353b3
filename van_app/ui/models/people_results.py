"""Table model of the people found by a search (tested without widgets).

Rows stay in the order the search gave (best first); the sort role gives dates and ages as
comparable values for a proxy that would sort them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from van_app.core.measures import format_date
from van_app.core.people_search import PersonHit

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("PeopleResultsTableModel", text)


class PeopleResultsTableModel(QAbstractTableModel):
    COL_NAME, COL_BIRTH_DATE, COL_AGE, COL_COMMUNE = range(4)
    _HEADERS = ("Nom", "Né·e le", "Âge", "Commune")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PersonHit] = []

    def set_rows(self, rows: list[PersonHit] | tuple[PersonHit, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def hit_at(self, row: int) -> PersonHit:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return _tr(self._HEADERS[section])

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        hit = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return hit.id
        if role == SORT_ROLE:
            if column in (self.COL_BIRTH_DATE, self.COL_AGE):
                # Older people have earlier birth dates: sort ages by the date, reversed.
                days = (hit.birth_date - dt.date(1900, 1, 1)).days
                return days if column == self.COL_BIRTH_DATE else -days
            return self._text(hit, column).casefold()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(hit, column)
        return None

    def _text(self, hit: PersonHit, column: int) -> str:
        if column == self.COL_NAME:
            return hit.name
        if column == self.COL_BIRTH_DATE:
            return format_date(hit.birth_date)
        if column == self.COL_AGE:
            return hit.age
        return hit.commune
