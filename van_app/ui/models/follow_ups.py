"""Table model of a social worker's open follow-ups (tested without widgets).

Overdue rows say so in words ("En retard de 3 jours") and in red, so lateness is seen at a
glance and not only through colour. The sort role gives dates and day counts, not text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from van_app.core.follow_ups import FollowUpRow
from van_app.core.measures import format_date

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
PERSON_ROLE = Qt.ItemDataRole.UserRole + 3
OVERDUE_COLOR = QColor("#b00020")
DUE_TODAY_COLOR = QColor("#9a5b00")


def _tr(text: str) -> str:
    return QCoreApplication.translate("FollowUpsTableModel", text)


def _days(count: int) -> str:
    text = _tr("%1 jour") if count == 1 else _tr("%1 jours")
    return text.replace("%1", str(count))


def state_text(row: FollowUpRow) -> str:
    """ "En retard de 3 jours", "À échéance aujourd'hui", "Échéance demain", "… dans 5 jours"."""
    if row.days_overdue:
        return _tr("En retard de %1").replace("%1", _days(row.days_overdue))
    if row.days_until_due == 0:
        return _tr("À échéance aujourd'hui")
    if row.days_until_due == 1:
        return _tr("Échéance demain")
    return _tr("Échéance dans %1").replace("%1", _days(row.days_until_due))


class FollowUpsTableModel(QAbstractTableModel):
    COL_PERSON, COL_DEMAND, COL_OPENED, COL_DUE, COL_STATE = range(5)
    _HEADERS = ("Personne", "Demande suivie", "Ouvert le", "Échéance", "État")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[FollowUpRow] = []

    def set_rows(self, rows: list[FollowUpRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> FollowUpRow:
        return self._rows[row]

    def overdue_count(self) -> int:
        return sum(1 for r in self._rows if r.days_overdue)

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
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.follow_up_id
        if role == PERSON_ROLE:
            return row.beneficiary_id
        if role == SORT_ROLE:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DEMAND:
            return row.demand_label
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.COL_DUE, self.COL_STATE):
            if row.days_overdue:
                return QBrush(OVERDUE_COLOR)
            if row.days_until_due == 0:
                return QBrush(DUE_TODAY_COLOR)
        if role == Qt.ItemDataRole.FontRole and column == self.COL_STATE and row.days_overdue:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, row: FollowUpRow, column: int) -> str:
        if column == self.COL_PERSON:
            return row.person_name
        if column == self.COL_DEMAND:
            return row.demand_label
        if column == self.COL_OPENED:
            return format_date(row.opened_on)
        if column == self.COL_DUE:
            return format_date(row.due_on)
        return state_text(row)

    def _sort_value(self, row: FollowUpRow, column: int) -> Any:
        if column == self.COL_PERSON:
            return row.person_name.casefold()
        if column == self.COL_DEMAND:
            return row.demand_label.casefold()
        if column == self.COL_OPENED:
            return row.opened_on.toordinal()
        # Due date and state both sort by lateness: the most overdue first when ascending.
        return (row.due_on - dt.date.min).days


class FollowUpsSortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE so dates sort as dates, not as dd/mm/yyyy text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
