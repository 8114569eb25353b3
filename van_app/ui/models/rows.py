"""The base of our table models: a list of plain rows from the core, one column per header.

A model says what its columns are called (``COLUMNS``, translated in the model's own
context), what a cell shows (``display``), how it sorts (``sort_value``, the shown text unless
told otherwise) and which id a row stands for (``row_id``); reading, resetting and the header
are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

RowT = TypeVar("RowT")


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows shown as they come; ``set_rows`` replaces them all at once."""

    COLUMNS: tuple[str, ...] = ()
    TEXT_TOOLTIPS = False  # a cell's tooltip repeats its text (for columns that may be cut)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    def tr_text(self, text: str) -> str:
        """``text`` translated in the model's context (its class name)."""
        return QCoreApplication.translate(type(self).__name__, text)

    def set_rows(self, rows: Iterable[RowT]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> RowT:
        return self._rows[row]

    # -- per model ---------------------------------------------------------------------------

    def display(self, row: RowT, column: int) -> Any:
        """What the cell shows."""
        raise NotImplementedError

    def sort_value(self, row: RowT, column: int) -> Any:
        """A comparable value for a sort proxy; the shown text unless a model says otherwise."""
        return self.display(row, column)

    def row_id(self, row: RowT) -> Any:
        """The id behind the row (``ID_ROLE``)."""
        return None

    def role_data(self, row: RowT, column: int, role: int) -> Any:
        """Any other role (colours, fonts…); None by default."""
        return None

    # -- Qt model ----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.tr_text(self.COLUMNS[section])

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return self.row_id(row)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == Qt.ItemDataRole.DisplayRole or (
            role == Qt.ItemDataRole.ToolTipRole and self.TEXT_TOOLTIPS
        ):
            return self.display(row, column)
        return self.role_data(row, column, role)
