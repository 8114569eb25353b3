"""Table models of the dashboard's attendance tables: per stop and per commune."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from van_app.core.indicators import (
    CommuneAttendance,
    StopAttendance,
    format_date,
    format_decimal,
    format_number,
    format_percent,
)
from van_app.ui.models.rows import SORT_ROLE, RowsTableModel

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SERVICES = {"social": "Social", "pmi": "PMI", "both": "Social et PMI"}


class StopAttendanceTableModel(RowsTableModel[StopAttendance]):
    COL_DATE, COL_COMMUNE, COL_PLACE, COL_SERVICES, COL_PEOPLE, COL_SOCIAL, COL_PMI = range(7)
    COLUMNS = (
        "Date",
        "Commune",
        "Lieu",
        "Services",
        "Personnes reçues",
        "Consult. sociales",
        "Consult. PMI",
    )

    def display(self, row: StopAttendance, column: int) -> str:
        if column == self.COL_DATE:
            planned = "" if row.held else " " + self.tr_text("(prévu)")
            return format_date(row.stop_date) + planned
        if column == self.COL_COMMUNE:
            return row.commune
        if column == self.COL_PLACE:
            return row.place
        if column == self.COL_SERVICES:
            return self.tr_text(SERVICES.get(row.services, row.services))
        if not row.held:
            return "—"  # not happened yet: nothing to count, not a zero
        value = {
            self.COL_PEOPLE: row.people,
            self.COL_SOCIAL: row.social_consultations,
            self.COL_PMI: row.pmi_consultations,
        }[column]
        return format_number(value)

    def sort_value(self, row: StopAttendance, column: int) -> Any:
        if column == self.COL_DATE:
            return row.stop_date.toordinal()
        if column >= self.COL_PEOPLE:
            return (row.people, row.social_consultations, row.pmi_consultations)[
                column - self.COL_PEOPLE
            ]
        return self.display(row, column).casefold()

    def row_id(self, row: StopAttendance) -> str:
        return row.stop_id

    def role_data(self, row: StopAttendance, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.COL_PEOPLE:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and not row.held:
            return QColor("#666666")
        if role == Qt.ItemDataRole.ToolTipRole and not row.held:
            return self.tr_text("Arrêt prévu, pas encore tenu : il ne compte pas.")
        return None


class CommuneAttendanceTableModel(RowsTableModel[CommuneAttendance]):
    """Attendance per commune: stops held (and still to come), people, consultations."""

    COL_COMMUNE, COL_STOPS, COL_PEOPLE, COL_CONSULTATIONS, COL_MEAN, COL_PLANNED = range(6)
    COLUMNS = (
        "Commune",
        "Arrêts tenus",
        "Personnes reçues",
        "Consultations",
        "Moyenne par arrêt",
        "Arrêts prévus (à venir)",
    )

    def _number(self, row: CommuneAttendance, column: int) -> float | None:
        return {
            self.COL_STOPS: row.stops,
            self.COL_PEOPLE: row.people,
            self.COL_CONSULTATIONS: row.consultations,
            self.COL_MEAN: row.people_per_stop,
            self.COL_PLANNED: row.planned_stops,
        }[column]

    def display(self, row: CommuneAttendance, column: int) -> str:
        if column == self.COL_COMMUNE:
            return row.commune
        value = self._number(row, column)
        if value is None:
            return "—"
        return format_decimal(value) if column == self.COL_MEAN else format_number(int(value))

    def sort_value(self, row: CommuneAttendance, column: int) -> Any:
        if column == self.COL_COMMUNE:
            last = "1" if row.commune_insee is None else "0"  # "Hors tournée" after the communes
            return last + row.commune.casefold()
        value = self._number(row, column)
        return -1.0 if value is None else float(value)

    def row_id(self, row: CommuneAttendance) -> str | None:
        return row.commune_insee

    def role_data(self, row: CommuneAttendance, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column != self.COL_COMMUNE:
            return _RIGHT
        return None


class CommuneIndicatorsTableModel(CommuneAttendanceTableModel):
    """The Département's indicators per commune: each a share with its counts."""

    COL_COMMUNE, COL_UNKNOWN, COL_SATISFACTION, COL_IMMEDIATE, COL_MEAN = range(5)
    COLUMNS = (  # on two lines: the commune's name keeps its room
        "Commune",
        "Nouvelles, non\nconnues du CMS",
        "Service rendu « bien »\nou « excellent »",
        "Résolution\nimmédiate",
        "Personnes par\narrêt tenu",
    )
    SHARES: ClassVar[dict[int, tuple[str, str, str]]] = {
        COL_UNKNOWN: ("unknown_before_share", "unknown_before", "first_met"),
        COL_SATISFACTION: ("satisfaction_share", "satisfied", "answers"),
        COL_IMMEDIATE: ("immediate_share", "resolved_on_spot", "social_consultations"),
    }

    def _number(self, row: CommuneAttendance, column: int) -> float | None:
        if column in self.SHARES:
            return getattr(row, self.SHARES[column][0])
        return row.people_per_stop

    def display(self, row: CommuneAttendance, column: int) -> str:
        if column == self.COL_COMMUNE:
            return row.commune
        value = self._number(row, column)
        if value is None:
            return "—"
        if column in self.SHARES:
            _, part, whole = self.SHARES[column]
            counts = f"{format_number(getattr(row, part))}/{format_number(getattr(row, whole))}"
            return f"{format_percent(value)} ({counts})"
        return format_decimal(value)


class AttendanceSortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE: dates as dates, counts as numbers."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
