"""Table model of a person's visits, newest first, as the user may read them (no widgets).

It shows only what ``person_file`` already cut to the user's roles: a PMI visit seen by a
social worker is a date, "Consultation PMI", a place and a professional, nothing more.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from van_app.core.measures import format_date
from van_app.core.person_file import VisitView

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("PersonVisitsTableModel", text)


class PersonVisitsTableModel(QAbstractTableModel):
    COL_DATE, COL_TITLE, COL_PROFESSIONAL, COL_PLACE, COL_STATUS = range(5)
    _HEADERS = ("Date", "Consultation", "Professionnel·le", "Lieu", "État")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[VisitView] = []

    def set_rows(self, rows: list[VisitView] | tuple[VisitView, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def visit_at(self, row: int) -> VisitView:
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
        visit = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return visit.id
        if role == SORT_ROLE and column == self.COL_DATE:
            return visit.date.isoformat()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
            return self._text(visit, column)
        return None

    def _text(self, visit: VisitView, column: int) -> str:
        if column == self.COL_DATE:
            return format_date(visit.date)
        if column == self.COL_TITLE:
            return visit.title
        if column == self.COL_PROFESSIONAL:
            return visit.professional
        if column == self.COL_PLACE:
            return visit.place
        return visit.status
