"""Table model of the people found by a search (tested without widgets).

Rows stay in the order the search gave (best first); the sort role gives dates and ages as
comparable values for a proxy that would sort them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from van_app.core.measures import format_date
from van_app.core.people_search import PersonHit
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "PeopleResultsTableModel"]


class PeopleResultsTableModel(RowsTableModel[PersonHit]):
    COL_NAME, COL_BIRTH_DATE, COL_AGE, COL_COMMUNE = range(4)
    COLUMNS = ("Nom", "Né·e le", "Âge", "Commune")
    TEXT_TOOLTIPS = True

    def row_id(self, row: PersonHit) -> str:
        return row.id

    def sort_value(self, row: PersonHit, column: int) -> Any:
        if column in (self.COL_BIRTH_DATE, self.COL_AGE):
            # Older people have earlier birth dates: sort ages by the date, reversed.
            days = (row.birth_date - dt.date(1900, 1, 1)).days
            return days if column == self.COL_BIRTH_DATE else -days
        return self.display(row, column).casefold()

    def display(self, row: PersonHit, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_BIRTH_DATE:
            return format_date(row.birth_date)
        if column == self.COL_AGE:
            return row.age
        return row.commune
