"""Table model of the people seen today (tested without widgets)."""

from __future__ import annotations

from van_app.core.today import SeenPerson
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "SeenPeopleTableModel"]


class SeenPeopleTableModel(RowsTableModel[SeenPerson]):
    COL_NAME, COL_SERVICE, COL_STATUS = range(3)
    COLUMNS = ("Personne", "Service", "Consultation")

    def row_id(self, row: SeenPerson) -> str:
        return row.consultation_id

    def display(self, row: SeenPerson, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_SERVICE:
            return (
                self.tr_text("Accueil social") if row.service == "social" else self.tr_text("PMI")
            )
        return self.tr_text("Signée") if row.status == "signed" else self.tr_text("Brouillon")
