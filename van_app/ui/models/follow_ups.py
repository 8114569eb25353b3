"""Table model of a social worker's open follow-ups (tested without widgets).

Overdue rows say so in words ("En retard de 3 jours") and in red, so lateness is seen at a
glance and not only through colour. The sort role gives dates and day counts, not text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from van_app.core.follow_ups import FollowUpRow
from van_app.core.measures import format_date
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = [
    "DUE_TODAY_COLOR",
    "ID_ROLE",
    "OVERDUE_COLOR",
    "PERSON_ROLE",
    "SORT_ROLE",
    "FollowUpsSortProxy",
    "FollowUpsTableModel",
    "state_text",
]

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


class FollowUpsTableModel(RowsTableModel[FollowUpRow]):
    COL_PERSON, COL_DEMAND, COL_OPENED, COL_DUE, COL_STATE = range(5)
    COLUMNS = ("Personne", "Demande suivie", "Ouvert le", "Échéance", "État")

    def overdue_count(self) -> int:
        return sum(1 for r in self._rows if r.days_overdue)

    def row_id(self, row: FollowUpRow) -> str:
        return row.follow_up_id

    def role_data(self, row: FollowUpRow, column: int, role: int) -> Any:
        if role == PERSON_ROLE:
            return row.beneficiary_id
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

    def display(self, row: FollowUpRow, column: int) -> str:
        if column == self.COL_PERSON:
            return row.person_name
        if column == self.COL_DEMAND:
            return row.demand_label
        if column == self.COL_OPENED:
            return format_date(row.opened_on)
        if column == self.COL_DUE:
            return format_date(row.due_on)
        return state_text(row)

    def sort_value(self, row: FollowUpRow, column: int) -> Any:
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
