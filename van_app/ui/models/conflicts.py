"""Table models of the supervisor's conflicts and likely duplicates (tested without widgets)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from van_app.core.conflicts import ConflictView
from van_app.core.merge_people import DuplicatePair
from van_app.ui.models.rows import ID_ROLE, SORT_ROLE, RowsTableModel

__all__ = ["ID_ROLE", "SORT_ROLE", "ConflictsTableModel", "DuplicatePairsTableModel", "SortProxy"]


class ConflictsTableModel(RowsTableModel[ConflictView]):
    """One conflict a row: the record, the field, each value with who wrote it and when."""

    COL_RECORD, COL_FIELD, COL_KEPT, COL_KEPT_BY, COL_OTHER, COL_OTHER_BY = range(6)
    COLUMNS = (
        "Fiche",
        "Champ",
        "Valeur retenue",
        "Retenue : saisie par, le",
        "Autre valeur",
        "Autre : saisie par, le",
    )
    TEXT_TOOLTIPS = True

    def row_id(self, row: ConflictView) -> str:
        return row.id

    def display(self, row: ConflictView, column: int) -> str:
        if column == self.COL_RECORD:
            return row.record_label
        if column == self.COL_FIELD:
            return row.field_label
        if column == self.COL_KEPT:
            return row.kept.value
        if column == self.COL_KEPT_BY:
            return row.kept.written
        if column == self.COL_OTHER:
            return row.other.value
        return row.other.written

    def sort_value(self, row: ConflictView, column: int) -> Any:
        if column in (self.COL_KEPT_BY, self.COL_OTHER_BY):
            side = row.kept if column == self.COL_KEPT_BY else row.other
            return side.at.timestamp() if side.at else 0.0
        return self.display(row, column).casefold()

    def role_data(self, row: ConflictView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column in (self.COL_KEPT, self.COL_OTHER):
            font = QFont()
            font.setBold(True)
            return font
        return None


class DuplicatePairsTableModel(RowsTableModel[DuplicatePair]):
    """One pair a row: both people, with who registered each and how many visits each has."""

    COL_A, COL_A_VISITS, COL_A_BY, COL_B, COL_B_VISITS, COL_B_BY = range(6)
    COLUMNS = (
        "Fiche 1",
        "Visites",
        "Enregistrée par, le",
        "Fiche 2",
        "Visites",
        "Enregistrée par, le",
    )
    TEXT_TOOLTIPS = True

    def row_id(self, row: DuplicatePair) -> str:
        return f"{row.a.id}|{row.b.id}"

    def display(self, row: DuplicatePair, column: int) -> str:
        person = row.a if column < self.COL_B else row.b
        kind = column % 3
        if kind == 0:
            return person.label
        if kind == 1:
            return self.visits_text(person.visits)
        return person.registered

    def visits_text(self, count: int) -> str:
        if count == 0:
            return self.tr_text("aucune")
        return str(count)

    def sort_value(self, row: DuplicatePair, column: int) -> Any:
        if column % 3 == 1:
            return (row.a if column < self.COL_B else row.b).visits
        return self.display(row, column).casefold()

    def role_data(self, row: DuplicatePair, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column % 3 == 1:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class SortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE (dates as dates, names without case)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
