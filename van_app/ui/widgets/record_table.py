"""The read-only lists of the screens (stops, reviews, conflicts, follow-ups): one whole row
selected at a time, nothing edited in place, columns as wide as their text.

One builder so that every list behaves the same under the mouse and the keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(
    model: QAbstractItemModel,
    *,
    sort_column: int | None = None,
    order: Qt.SortOrder = Qt.SortOrder.AscendingOrder,
    stretch_column: int | None = None,
) -> QTableView:
    """A table over ``model`` (usually a sort proxy); sorted by ``sort_column`` when given,
    ``stretch_column`` taking the width left."""
    table = QTableView()
    table.setModel(model)
    if sort_column is not None:
        table.setSortingEnabled(True)
        table.sortByColumn(sort_column, order)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab leaves the list; the arrows move inside
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table


def selected_source_row(table: QTableView) -> int | None:
    """The selected row in the table's source model (through its sort proxy), or None."""
    indexes = table.selectionModel().selectedRows()
    if not indexes:
        return None
    index, model = indexes[0], table.model()
    if isinstance(model, QSortFilterProxyModel):
        index = model.mapToSource(index)
    return index.row()
