"""Table model of a child's vaccinations against the French calendar (tested without widgets).

One row per dose of the calendar: its status on the consultation's day (done, due, late…)
in words and in colour, whether the law makes it mandatory, and a box to tick when the dose
is recorded at this consultation. Doses recorded at an earlier consultation show their date
and have no box: recording them twice is refused by the core. A dose too close to another
dose of the same vaccine (``interval_warnings`` of the core) says so in its status, in red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from van_app.core.measures import format_date
from van_app.core.vaccination import DoseCheck, DoseStatus
from van_app.ui.models.rows import RowsTableModel

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_COLORS = {
    DoseStatus.LATE: QColor("#b00020"),
    DoseStatus.DUE: QColor("#9a5b00"),
    DoseStatus.DONE: QColor("#1b5e20"),
    DoseStatus.MISSED: QColor("#555555"),
    DoseStatus.NOT_YET: QColor("#555555"),
    DoseStatus.TARGETED: QColor("#555555"),
}
GIVEN_NOW_COLOR = QColor("#1b5e20")


def _tr(text: str) -> str:
    return QCoreApplication.translate("VaccinationsTableModel", text)


class VaccinationsTableModel(RowsTableModel[DoseCheck]):
    """Doses with their status; ``given_codes()`` are the boxes ticked at this consultation."""

    COL_DOSE, COL_MANDATORY, COL_DUE, COL_STATUS = range(4)
    COLUMNS = ("Vaccin (cocher si fait ce jour)", "Obligation", "Prévu le", "Statut")

    given_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._given: set[str] = set()
        self._editable = False
        self._interval_flags: dict[str, str] = {}  # dose code → French message

    def set_doses(
        self, doses: Sequence[DoseCheck], given: Iterable[str] = (), *, editable: bool = True
    ) -> None:
        """The calendar's doses (statuses from earlier consultations) and this one's ticks."""
        self.beginResetModel()
        self._rows = list(doses)
        self._given = set(given)
        self._editable = editable
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def set_interval_flags(self, flags: dict[str, str]) -> None:
        """The doses too close to another of their vaccine (code → message), both of a pair."""
        if flags == self._interval_flags:
            return
        self._interval_flags = dict(flags)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, self.COL_STATUS))

    def interval_flag(self, code: str) -> str:
        return self._interval_flags.get(code, "")

    def dose_at(self, row: int) -> DoseCheck:
        return self.row_at(row)

    def row_of(self, code: str) -> int:
        return next((i for i, dose in enumerate(self._rows) if dose.code == code), -1)

    def given_codes(self) -> list[str]:
        """The doses ticked at this consultation, in calendar order."""
        return [dose.code for dose in self._rows if dose.code in self._given]

    def set_given(self, code: str, given: bool) -> None:
        row = self.row_of(code)
        if row >= 0:
            self.setData(
                self.index(row, self.COL_DOSE),
                Qt.CheckState.Checked if given else Qt.CheckState.Unchecked,
                Qt.ItemDataRole.CheckStateRole,
            )

    def status_text(self, dose: DoseCheck) -> str:
        """ "en retard", "à faire", "fait le 12/03/2026", "fait ce jour"…"""
        if dose.code in self._given:
            if dose.code in self._interval_flags:
                return _tr("fait ce jour — intervalle trop court")
            return _tr("fait ce jour")
        if dose.status is DoseStatus.DONE:
            if dose.done_on is None:
                return _tr("fait")
            return _tr("fait le %1").replace("%1", format_date(dose.done_on))
        return _tr(dose.status_label)

    def counts(self) -> dict[DoseStatus, int]:
        """How many doses are late, due… not counting those ticked now."""
        result: dict[DoseStatus, int] = {}
        for dose in self._rows:
            if dose.code not in self._given:
                result[dose.status] = result.get(dose.status, 0) + 1
        return result

    def late_mandatory_count(self) -> int:
        return sum(
            1
            for dose in self._rows
            if dose.status is DoseStatus.LATE and dose.mandatory and dose.code not in self._given
        )

    # -- Qt model --------------------------------------------------------------------------

    def _checkable(self, dose: DoseCheck) -> bool:
        return dose.status is not DoseStatus.DONE

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        dose = self._rows[index.row()]
        if index.column() == self.COL_DOSE and self._editable and self._checkable(dose):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        dose = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_DOSE:
                return dose.label
            if column == self.COL_MANDATORY:
                return _tr("obligatoire") if dose.mandatory else _tr("recommandé")
            if column == self.COL_DUE:
                return format_date(dose.due_on)
            if column == self.COL_STATUS:
                return self.status_text(dose)
        if role == Qt.ItemDataRole.CheckStateRole and column == self.COL_DOSE:
            if not self._checkable(dose):
                return None
            return Qt.CheckState.Checked if dose.code in self._given else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.COL_STATUS:
                if dose.code in self._given:
                    flagged = dose.code in self._interval_flags
                    return QBrush(STATUS_COLORS[DoseStatus.LATE] if flagged else GIVEN_NOW_COLOR)
                return QBrush(STATUS_COLORS[dose.status])
            if column == self.COL_MANDATORY and not dose.mandatory:
                return QBrush(QColor("#555555"))
        if role == Qt.ItemDataRole.FontRole and column in (self.COL_STATUS, self.COL_MANDATORY):
            strong = (
                (column == self.COL_MANDATORY and dose.mandatory)
                or (
                    column == self.COL_STATUS
                    and dose.code not in self._given
                    and dose.status in (DoseStatus.LATE, DoseStatus.DUE)
                )
                or (column == self.COL_STATUS and dose.code in self._interval_flags)
            )
            if strong:
                font = QFont()
                font.setBold(True)
                return font
        flag = self._interval_flags.get(dose.code) if dose.code in self._given else None
        if role == Qt.ItemDataRole.ToolTipRole and flag and column != self.COL_DUE:
            return flag
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DUE:
            return _tr("En retard après le %1").replace("%1", format_date(dose.late_after))
        if role == CODE_ROLE:
            return dose.code
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0
    ) -> bool:
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not index.isValid()
            or index.column() != self.COL_DOSE
            or not self.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
        ):
            return False
        code = self._rows[index.row()].code
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        if checked == (code in self._given):
            return True
        if checked:
            self._given.add(code)
        else:
            self._given.discard(code)
        row = index.row()
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.COL_STATUS))
        self.given_changed.emit()
        return True


def visible_doses(
    doses: Sequence[DoseCheck], day: dt.date, given: Iterable[str]
) -> list[DoseCheck]:
    """The doses worth a row: all but those not due for months (unless ticked already)."""
    horizon = day + dt.timedelta(days=120)
    ticked = set(given)
    return [
        dose
        for dose in doses
        if dose.status is not DoseStatus.NOT_YET or dose.due_on <= horizon or dose.code in ticked
    ]
