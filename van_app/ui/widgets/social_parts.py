"""Parts of the social consultation form: its rows, its error labels, its field helpers.

Orientation and follow-up rows each carry their own red error label, so a message keyed
``orientations[1].partner_code`` lands under the second orientation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.french import moment_text
from van_app.core.social import FollowUpInput, OrientationInput
from van_app.ui.widgets.style import ERROR_STYLE

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def french_moment(moment: dt.datetime) -> str:
    """ "12/05/2026 à 14 h 05", in the laptop's local time."""
    return moment_text(moment)


class DateEdit(QDateEdit):
    """A date field that Tab leaves at once: the day, month and year are typed in a row
    (each part moves on by itself once full), so Tab is not spent walking through them."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def date_edit() -> QDateEdit:
    """A French date field (dd/mm/yyyy) with a calendar; Tab goes to the next field."""
    edit = DateEdit()
    edit.setLocale(FRENCH)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(2000, 1, 1))
    return edit


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def fill_combo(combo: QComboBox, items: Iterable[Any], placeholder: str) -> None:
    """A placeholder (no code) then the items; data is the code, tooltips the full label."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(placeholder, None)
    for entry in items:
        code, label = (entry.code, entry.label) if hasattr(entry, "code") else entry
        combo.addItem(label, code)
        combo.setItemData(combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


class _Row(QWidget):
    remove_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row_id: str | None = None
        self.error = error_label()
        self.remove_button = QPushButton(self.tr("Retirer"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.fields = QHBoxLayout()
        self.fields.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(self.fields)
        column.addWidget(self.error)

    def set_read_only(self, read_only: bool) -> None:
        self.remove_button.setVisible(not read_only)

    def tab_widgets(self) -> list[QWidget]:
        """The row's fields then its button, in the order Tab visits them."""
        raise NotImplementedError


class OrientationRow(_Row):
    """A partner (social partners only) and the date of the orientation."""

    def __init__(self, partners: Sequence[Any], default_date: dt.date) -> None:
        super().__init__()
        self.partner_combo = QComboBox()
        fill_combo(self.partner_combo, partners, self.tr("Choisissez le partenaire…"))
        self.partner_combo.setMinimumContentsLength(28)
        self.date_edit = date_edit()
        self.date_edit.setDate(to_qdate(default_date))
        self.fields.addWidget(self.partner_combo, 1)
        self.fields.addWidget(QLabel(self.tr("le")))
        self.fields.addWidget(self.date_edit)
        self.fields.addWidget(self.remove_button)

    def set_value(self, value: OrientationInput) -> None:
        self.row_id = value.id
        index = self.partner_combo.findData(value.partner_code)
        if index < 0 and value.partner_code:  # no longer offered: keep it readable
            self.partner_combo.addItem(value.partner_code, value.partner_code)
            index = self.partner_combo.count() - 1
        self.partner_combo.setCurrentIndex(max(0, index))
        if value.orientation_date:
            self.date_edit.setDate(to_qdate(value.orientation_date))

    def value(self) -> OrientationInput:
        return OrientationInput(
            self.partner_combo.currentData(), from_qdate(self.date_edit.date()), self.row_id
        )

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.partner_combo.setEnabled(not read_only)
        self.date_edit.setReadOnly(read_only)

    def tab_widgets(self) -> list[QWidget]:
        return [self.partner_combo, self.date_edit, self.remove_button]


class FollowUpRow(_Row):
    """A follow-up to open: one of the consultation's demand types and a due date."""

    def __init__(self, choices: Sequence[tuple[str, str]], default_due: dt.date) -> None:
        super().__init__()
        self.demand_combo = QComboBox()
        self.demand_combo.setMinimumContentsLength(28)
        self.set_choices(choices)
        if len(choices) == 1:  # one demand ticked: the follow-up can only be about it
            self.demand_combo.setCurrentIndex(1)
        self.due_edit = date_edit()
        self.due_edit.setDate(to_qdate(default_due))
        self.fields.addWidget(self.demand_combo, 1)
        self.fields.addWidget(QLabel(self.tr("échéance")))
        self.fields.addWidget(self.due_edit)
        self.fields.addWidget(self.remove_button)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """Offer the checked demand types; a chosen one since unchecked stays, to be seen."""
        current = self.demand_combo.currentData()
        offered = list(choices)
        if current and current not in {code for code, _ in offered}:
            offered.append((current, self.demand_combo.currentText()))
        placeholder = (
            self.tr("Choisissez la demande suivie…")
            if offered
            else self.tr("Cochez d'abord les demandes de la personne")
        )
        fill_combo(self.demand_combo, offered, placeholder)

    def set_value(self, value: FollowUpInput) -> None:
        self.row_id = value.id
        if value.demand_type and self.demand_combo.findData(value.demand_type) < 0:
            self.demand_combo.addItem(value.demand_type, value.demand_type)
        self.demand_combo.setCurrentIndex(max(0, self.demand_combo.findData(value.demand_type)))
        if value.due_on:
            self.due_edit.setDate(to_qdate(value.due_on))

    def value(self) -> FollowUpInput:
        return FollowUpInput(
            self.demand_combo.currentData(), from_qdate(self.due_edit.date()), self.row_id
        )

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.demand_combo.setEnabled(not read_only)
        self.due_edit.setReadOnly(read_only)

    def tab_widgets(self) -> list[QWidget]:
        return [self.demand_combo, self.due_edit, self.remove_button]


class RowList(QWidget):
    """Rows made by ``factory``, an "add" button, and a line saying when there are none.

    ``rows_changed`` lets the form put the rows in its tab order; a row added with the button
    takes the focus on its first field, and removing the focused row gives it to the button.
    """

    rows_changed = Signal()

    def __init__(self, factory: Callable[[], Any], add_text: str, empty_text: str) -> None:
        super().__init__()
        self._factory = factory
        self._rows: list[Any] = []
        self.empty_label = QLabel(empty_text)
        self.empty_label.setStyleSheet("color: #555;")
        self.add_button = QPushButton("+ " + add_text)
        self.add_button.clicked.connect(self._on_add_clicked)
        self._column = QVBoxLayout()
        self._column.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._column)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def rows(self) -> list[Any]:
        return list(self._rows)

    def add_row(self) -> Any:
        row = self._factory()
        row.remove_requested.connect(self._remove)
        self._rows.append(row)
        self._column.addWidget(row)
        row.show()  # at once, not at the next event loop turn: Tab and the focus need it
        self.empty_label.hide()
        self.rows_changed.emit()
        return row

    def _on_add_clicked(self) -> None:
        row = self.add_row()
        row.tab_widgets()[0].setFocus(Qt.FocusReason.TabFocusReason)

    def tab_widgets(self) -> list[QWidget]:
        """Every row's fields and buttons, then the "add" button: the order Tab follows."""
        return [w for row in self._rows for w in row.tab_widgets()] + [self.add_button]

    def _remove(self, row: Any) -> None:
        focused = any(widget.hasFocus() for widget in row.tab_widgets())
        self._rows.remove(row)
        self._column.removeWidget(row)
        row.hide()
        row.deleteLater()
        self.empty_label.setVisible(not self._rows)
        if focused:  # the focus stays in the form, never falls into the navigation
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.rows_changed.emit()

    def clear(self) -> None:
        for row in list(self._rows):
            self._remove(row)

    def set_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for row in self._rows:
            row.set_read_only(read_only)


class FieldErrors:
    """Puts each validation message in the red label under its field or row.

    Keys are the core's: ``"note"``, ``"orientations"``, ``"orientations[1].partner_code"``.
    """

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self._rows: dict[str, RowList] = {}

    def wrap(self, widget: QWidget, key: str) -> QWidget:
        """The field with its (hidden) error label right under it."""
        self.labels[key] = error_label()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self.labels[key])
        return box

    def add_rows(self, name: str, rows: RowList) -> None:
        self._rows[name] = rows

    def label_for(self, key: str) -> QLabel | None:
        name, bracket, rest = key.partition("[")
        if bracket and name in self._rows:
            index = int(rest.split("]", 1)[0])
            rows = self._rows[name].rows()
            return rows[index].error if index < len(rows) else None
        return self.labels.get(key)

    def text(self, key: str) -> str:
        """The message shown for a key ("" when none is shown)."""
        label = self.label_for(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear(self) -> None:
        for label in self.labels.values():
            label.hide()
        for rows in self._rows.values():
            for row in rows.rows():
                row.error.hide()

    def show(self, errors: dict[str, str]) -> tuple[list[QLabel], list[str]]:
        """Show the messages; return the labels used and the messages with no field."""
        self.clear()
        grouped: dict[QLabel, list[str]] = {}
        others: list[str] = []
        for key, message in errors.items():
            label = self.label_for(key)
            if label is None:
                others.append(message)
            else:
                grouped.setdefault(label, []).append(message)
        for label, messages in grouped.items():
            label.setText("\n".join(messages))
            label.show()
        return list(grouped), others
