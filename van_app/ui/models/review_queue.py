"""Table model of the supervisor's review queue (tested without widgets).

The review status is said in words and coloured: what waits for the supervisor ("À relire",
"Complément apporté") in bold, a pending request in amber, a validation in green, a PMI visit
for a supervisor who may not read it ("Relecture PMI") in grey. The status cell gives the
latest state; its tooltip, and the comment's, the whole thread (who asked what and when, the
answers, the validation). Dates sort as dates through the sort role.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from van_app.core.measures import format_date
from van_app.core.review import (
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    NOT_SIGNED,
    PMI_REVIEW,
    TO_REVIEW,
    VALIDATED,
    ReviewRow,
)
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "ReviewQueueSortProxy", "ReviewQueueTableModel"]

_STATUS_COLORS = {
    COMPLETION_REQUESTED: QColor("#9a5b00"),
    COMPLETION_PROVIDED: QColor("#0d47a1"),
    VALIDATED: QColor("#1b5e20"),
    NOT_SIGNED: QColor("#666666"),
    PMI_REVIEW: QColor("#666666"),
}
# Ascending sort puts what waits for the supervisor first.
_STATUS_ORDER = {
    COMPLETION_PROVIDED: 0,
    TO_REVIEW: 1,
    COMPLETION_REQUESTED: 2,
    VALIDATED: 3,
    PMI_REVIEW: 4,
    NOT_SIGNED: 5,
}


class ReviewQueueTableModel(RowsTableModel[ReviewRow]):
    (
        COL_DATE,
        COL_PLACE,
        COL_PROFESSIONAL,
        COL_SERVICE,
        COL_PERSON,
        COL_CONSULTATION,
        COL_REVIEW,
        COL_COMMENT,
    ) = range(8)
    COLUMNS = (
        "Date",
        "Lieu",
        "Professionnel·le",
        "Service",
        "Personne",
        "Consultation",
        "Relecture",
        "Commentaire",
    )
    TEXT_TOOLTIPS = False  # tooltips in role_data: the thread on the status and the comment

    def row_id(self, row: ReviewRow) -> str:
        return row.consultation_id

    def display(self, row: ReviewRow, column: int) -> str:
        """The core's French labels as they come; the comment on one line."""
        values = (
            format_date(row.date),
            row.place,
            row.professional,
            row.service,
            row.person_name,
            row.consultation_status_label,
            row.review_label,
            " ".join(row.comment.split()),
        )
        return values[column]

    def sort_value(self, row: ReviewRow, column: int) -> Any:
        if column == self.COL_DATE:
            return row.date.toordinal()
        if column == self.COL_REVIEW:
            return _STATUS_ORDER.get(row.review_status, 9)
        return str(self.display(row, column)).casefold()

    def role_data(self, row: ReviewRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.COL_REVIEW, self.COL_COMMENT):
            return thread_text(row) or self.display(row, column) or None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.display(row, column) or None  # shortened to fit: the whole text
        if column != self.COL_REVIEW:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.review_status in _STATUS_COLORS:
            return QBrush(_STATUS_COLORS[row.review_status])
        if role == Qt.ItemDataRole.FontRole and row.review_status in (
            TO_REVIEW,
            COMPLETION_PROVIDED,
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None


def thread_text(row: ReviewRow) -> str:
    """The whole thread, one step a line, oldest first ("" before any review or answer)."""
    return "\n".join(step.line() for step in row.thread)


class ReviewQueueSortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE so dates sort as dates, not as dd/mm/yyyy text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
