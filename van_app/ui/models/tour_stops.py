"""Table model of the van's planned stops (tested without widgets).

Each row says in words whether the stop belongs to a repeating tour ("2e mardi de chaque
mois"), was changed on its own, or is a one-off; stops that are history (past, or people were
received) are greyed and say so, because the plan can no longer change them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from van_app.core.measures import format_date
from van_app.core.tour_calendar import WEEKDAYS, hours_range_text
from van_app.core.tour_planning import PlannedStop
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "TourStopsSortProxy", "TourStopsTableModel", "tour_text"]

HISTORY_COLOR = QColor("#6b6b6b")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TourStopsTableModel", text)


def tour_text(row: PlannedStop) -> str:
    """ "Régulier : 2e mardi de chaque mois", "… (modifié)", "Ponctuel", "… — passé"."""
    if row.rule:
        text = _tr("Régulier : %1").replace("%1", row.rule)
        if row.exception:
            text += _tr(" (modifié pour cette date)")
    else:
        text = _tr("Ponctuel")
    if row.has_activity:
        text += _tr(" — personnes reçues")
    elif row.past:
        text += _tr(" — passé")
    return text


class TourStopsTableModel(RowsTableModel[PlannedStop]):
    COL_DATE, COL_COMMUNE, COL_HOURS, COL_PLACE, COL_SERVICES, COL_TOUR = range(6)
    COLUMNS = ("Date", "Commune", "Horaires", "Lieu", "Services", "Type d'arrêt")
    TEXT_TOOLTIPS = True

    def row_id(self, row: PlannedStop) -> str:
        return row.stop_id

    def display(self, row: PlannedStop, column: int) -> str:
        if column == self.COL_DATE:
            return f"{WEEKDAYS[row.stop_date.weekday()]} {format_date(row.stop_date)}"
        if column == self.COL_COMMUNE:
            return row.commune_name
        if column == self.COL_HOURS:
            return hours_range_text(row.start_time, row.end_time)
        if column == self.COL_PLACE:
            return row.place
        if column == self.COL_SERVICES:
            return row.services_label
        return tour_text(row)

    def sort_value(self, row: PlannedStop, column: int) -> Any:
        when = (row.stop_date.toordinal(), row.start_time.isoformat())
        if column in (self.COL_DATE, self.COL_HOURS):
            return f"{when[0]:08d} {when[1]}"
        return f"{self.display(row, column).casefold()} {when[0]:08d} {when[1]}"

    def role_data(self, row: PlannedStop, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not row.editable:
            return QBrush(HISTORY_COLOR)
        return None

    def index_of(self, stop_id: str) -> int:
        """The row of ``stop_id``; -1 when it is not listed."""
        return next((i for i, r in enumerate(self._rows) if r.stop_id == stop_id), -1)


class TourStopsSortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE: dates as dates, then by hour."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
