"""A checkable list of reference items: labels shown, codes returned, an optional filter box.

Forms prefer lists to free text (DESIGN.md): this is the list. A click anywhere on a row
toggles it, Space too; typing in the filter box hides rows whose label does not match
(accents and case ignored). With the keyboard, a few letters then Enter tick the first row
shown and empty the filter for the next one; Down goes into the list. Space and Enter only
ever act on a row that is shown: a hidden row is never ticked behind the filter. A code
that the reference file no longer has stays shown (with its code as label) so a record made
with it keeps it when saved again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from van_app.core.text import fold

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def _is_checked(value: Any) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return value == Qt.CheckState.Checked.value


class _WholeRowToggle(QStyledItemDelegate):
    """Toggles a row on a click anywhere on it, not only on the small box."""

    def editorEvent(
        self,
        event: QEvent,
        model: Any,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        flags = index.flags()
        toggles = flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled
        if toggles and isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            if event.type() == QEvent.Type.MouseButtonRelease:
                checked = _is_checked(index.data(Qt.ItemDataRole.CheckStateRole))
                new = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
                return model.setData(index, new, Qt.ItemDataRole.CheckStateRole)
            if event.type() == QEvent.Type.MouseButtonDblClick:
                return True  # the release that follows toggles; no second toggle here
        return super().editorEvent(event, model, option, index)


class CodeListWidget(QWidget):
    """A list of (code, label) items with checkboxes; ``checked_codes()`` in list order."""

    checked_changed = Signal()

    def __init__(
        self,
        items: Iterable[Any] = (),
        parent: QWidget | None = None,
        *,
        filterable: bool = False,
        filter_placeholder: str = "",
        empty_text: str = "",
        visible_rows: int = 10,
    ) -> None:
        super().__init__(parent)
        self._read_only = False
        self._visible_rows = visible_rows
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(filter_placeholder or self.tr("Filtrer la liste…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.setVisible(filterable)
        self._filterable = filterable

        self.list = QListWidget()
        self.list.setItemDelegate(_WholeRowToggle(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.setTabKeyNavigation(False)
        self.list.installEventFilter(self)
        self.filter_edit.installEventFilter(self)
        if filterable:  # one stop for Tab: the filter; Down goes into the list
            self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self._empty_text = empty_text or self.tr("Aucun élément.")
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet("color: #555;")
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        self.set_items(items)

    # -- content -----------------------------------------------------------------------------

    def set_items(self, items: Iterable[Any]) -> None:
        """Replace the items: ReferenceItem-like objects (``code``, ``label``) or pairs."""
        checked = set(self.checked_codes()) if self.list.count() else set()
        self.list.blockSignals(True)
        self.list.clear()
        for entry in items:
            code, label = (entry.code, entry.label) if hasattr(entry, "code") else entry
            self._add(code, label, code in checked)
        self.list.blockSignals(False)
        self._apply_filter()

    def _add(self, code: str, label: str, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(CODE_ROLE, code)
        item.setToolTip(label)
        item.setFlags(self._flags())
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.addItem(item)
        return item

    def _flags(self) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._read_only:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def item_for(self, code: str) -> QListWidgetItem | None:
        return next((i for i in self._items() if i.data(CODE_ROLE) == code), None)

    def label_for(self, code: str) -> str:
        item = self.item_for(code)
        return item.text() if item else code

    def codes(self) -> list[str]:
        return [item.data(CODE_ROLE) for item in self._items()]

    def checked_codes(self) -> list[str]:
        """The checked codes, in the list's order (the reference file's)."""
        return [
            item.data(CODE_ROLE)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_checked_codes(self, codes: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(codes))
        self.list.blockSignals(True)
        for item in self._items():
            code = item.data(CODE_ROLE)
            item.setCheckState(Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked)
        known = set(self.codes())
        for code in wanted:
            if code not in known:  # removed from the reference file since: keep it, shown as is
                self._add(code, code, True)
        self.list.blockSignals(False)
        self._apply_filter()
        self.checked_changed.emit()

    def set_checked(self, code: str, checked: bool) -> None:
        item = self.item_for(code)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # -- behaviour ---------------------------------------------------------------------------

    def set_read_only(self, read_only: bool) -> None:
        """Read-only shows only what is checked: what was recorded, nothing to scan past."""
        self._read_only = read_only
        self.list.blockSignals(True)
        for item in self._items():
            item.setFlags(self._flags())
        self.list.blockSignals(False)
        self.filter_edit.setVisible(self._filterable and not read_only)
        if read_only:
            self.filter_edit.clear()
        self._apply_filter()

    def is_read_only(self) -> bool:
        return self._read_only

    def _apply_filter(self, *_: Any) -> None:
        query = fold(self.filter_edit.text())
        shown = 0
        for item in self._items():
            checked = item.checkState() == Qt.CheckState.Checked
            if self._read_only:
                hidden = not checked
            else:  # a checked item stays visible: the user must see what is selected
                hidden = bool(query) and not checked and query not in fold(item.text())
            item.setHidden(hidden)
            shown += not hidden
        current = self._current()
        if current is not None and current.isHidden():  # Space must never reach a hidden row
            visible = self.shown_items()
            self.list.setCurrentRow(self.list.row(visible[0]) if visible else -1)
        self._fit_height(shown)
        self.empty_label.setText(
            self.tr("Aucun élément ne correspond au filtre.") if query else self._empty_text
        )
        self.empty_label.setVisible(shown == 0)

    def _fit_height(self, shown: int) -> None:
        """Editing shows ``visible_rows`` rows; reading shows exactly what was checked."""
        row = max(self.list.sizeHintForRow(0), self.fontMetrics().height() + 2)
        frame = 2 * self.list.frameWidth() + 4
        if self._read_only:
            self.list.setFixedHeight(frame + row * max(shown, 0))
            self.list.setVisible(shown > 0)
        else:
            self.list.setMinimumHeight(frame + row * self._visible_rows)
            self.list.setMaximumHeight(16777215)
            self.list.setVisible(True)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.checked_changed.emit()

    # -- keyboard ----------------------------------------------------------------------------

    def first_field(self) -> QWidget:
        """Where Tab enters this list: the filter when there is one, else the list."""
        return self.filter_edit if self.filter_edit.isVisibleTo(self) else self.list

    def _current(self) -> QListWidgetItem | None:
        """The current row's item; by its row, as ``currentItem()`` with no current row
        returns a None that PySide6 6.12 forgets to count a reference for."""
        row = self.list.currentRow()
        return self.list.item(row) if row >= 0 else None

    def shown_items(self) -> list[QListWidgetItem]:
        return [item for item in self._items() if not item.isHidden()]

    def tick_first_shown(self) -> bool:
        """Tick the first shown, unticked row matching the filter; empty the filter after."""
        query = fold(self.filter_edit.text())
        if not query or self._read_only:
            return False
        for item in self.shown_items():
            if item.checkState() != Qt.CheckState.Checked and query in fold(item.text()):
                item.setCheckState(Qt.CheckState.Checked)
                self.filter_edit.clear()
                return True
        return False

    def _toggle_current(self) -> None:
        """Space or Enter in the list: only a shown row is ever toggled."""
        item = self._current()
        if item is None or item.isHidden():
            shown = self.shown_items()
            if shown:
                self.list.setCurrentItem(shown[0])
            return
        if not self._read_only:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        key, plain = event.key(), event.modifiers() == Qt.KeyboardModifier.NoModifier
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.filter_edit and plain:
            if enter and self.filter_edit.text().strip():
                self.tick_first_shown()
                return True  # taken here: in a dialog, Enter would also press its default button
            if key == Qt.Key.Key_Down and self.shown_items():
                current = self._current()
                if current is None or current.isHidden():
                    self.list.setCurrentItem(self.shown_items()[0])
                self.list.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        if watched is self.list and plain:
            if key == Qt.Key.Key_Space or enter:
                self._toggle_current()
                return True
            shown = self.shown_items()
            at_top = not shown or self.list.currentRow() == self.list.row(shown[0])
            if key == Qt.Key.Key_Up and at_top and self.filter_edit.isVisibleTo(self):
                self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)
