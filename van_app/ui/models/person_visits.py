"""Table model of a person's visits, newest first, as the user may read them (no widgets).

It shows only what ``person_file`` already cut to the user's roles: a PMI visit seen by a
social worker is a date, "Consultation PMI", a place and a professional, nothing more.
"""

from __future__ import annotations

from van_app.core.measures import format_date
from van_app.core.person_file import VisitView
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "PersonVisitsTableModel"]


class PersonVisitsTableModel(RowsTableModel[VisitView]):
    COL_DATE, COL_TITLE, COL_PROFESSIONAL, COL_PLACE, COL_STATUS = range(5)
    COLUMNS = ("Date", "Consultation", "Professionnel·le", "Lieu", "État")
    TEXT_TOOLTIPS = True

    def visit_at(self, row: int) -> VisitView:
        return self.row_at(row)

    def row_id(self, row: VisitView) -> str:
        return row.id

    def sort_value(self, row: VisitView, column: int) -> str:
        return row.date.isoformat() if column == self.COL_DATE else self.display(row, column)

    def display(self, row: VisitView, column: int) -> str:
        if column == self.COL_DATE:
            return format_date(row.date)
        if column == self.COL_TITLE:
            return row.title
        if column == self.COL_PROFESSIONAL:
            return row.professional
        if column == self.COL_PLACE:
            return row.place
        return row.status
