"""A field for a weight or a length typed the French way, with its stored value beside it.

Nurses type "3,450 kg", "3450 g", "3,45", "52,5 cm" or "525 mm": ``core/measures.py`` reads
them all, and the normalised value ("= 3 450 g") is shown as they type, so a slip of a unit
is seen before it is saved. A text that cannot be read, or a value the caller's plausibility
check refuses, gets its French message in the field's error label (``FieldErrors``) when the
field is left; the message goes away as soon as the text is right again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from van_app.core.measures import (
    format_length,
    parse_head_circumference_mm,
    parse_length_mm,
    parse_weight_g,
)
from van_app.ui.widgets.social_parts import FieldErrors

WEIGHT = "weight"  # a child's weight in grams: a bare "3,45" is kilograms, "3450" grams
MATERNAL_WEIGHT = "maternal_weight"  # an adult's weight in grams: a bare "68" is kilograms
LENGTH = "length"  # millimetres
HEAD = "head"  # millimetres

_PLACEHOLDERS = {
    WEIGHT: "ex. 3,450 kg ou 3450 g",
    MATERNAL_WEIGHT: "ex. 68,5 kg",
    LENGTH: "ex. 52,5 cm ou 525 mm",
    HEAD: "ex. 35,5 cm ou 355 mm",
}
NORMALISED_STYLE = "color: #1f3a5f; font-weight: 600;"
UNREADABLE_STYLE = "color: #777;"


def thousands(value: int) -> str:
    """3450 -> "3 450" with a non-breaking space, as French numbers are written."""
    return f"{value:,}".replace(",", "\u00a0")


def parse_measure(kind: str, text: str) -> int:
    """Grams or millimetres from ``text``; ValueError with a French message otherwise."""
    if kind == WEIGHT:
        return parse_weight_g(text)
    if kind == MATERNAL_WEIGHT:
        return parse_weight_g(text, bare_number_in_kg=True)
    if kind == LENGTH:
        return parse_length_mm(text)
    if kind == HEAD:
        return parse_head_circumference_mm(text)
    raise KeyError(kind)


def normalised_text(kind: str, value: int) -> str:
    """ "= 3 450 g" for a weight, "= 52,5 cm" for a length: the value as it will be stored."""
    if kind in (WEIGHT, MATERNAL_WEIGHT):
        return f"= {thousands(value)}\u00a0g"
    return "= " + format_length(value).replace(" ", "\u00a0")


def show_field_error(errors: FieldErrors, key: str, message: str) -> None:
    """Show (or hide, for "") one field's message without touching the other fields'."""
    label = errors.label_for(key)
    if label is None:
        return
    label.setText(message)
    label.setVisible(bool(message))


class MeasureEdit(QWidget):
    """A line edit for one measure, the normalised value beside it, errors in ``errors``.

    ``plausibility(value)`` returns a French message for a value that cannot be right (the
    screen asks the core, so the message is the one a refused save would give), or "".
    """

    value_changed = Signal()  # the readable value changed (or became unreadable)

    def __init__(
        self,
        kind: str,
        errors: FieldErrors,
        key: str,
        plausibility: Callable[[int], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.key = key
        self._errors = errors
        self._plausibility = plausibility
        self._value: int | None = None
        self._problem = ""
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr(_PLACEHOLDERS[kind]))
        self.edit.setMaximumWidth(170)
        self.edit.setClearButtonEnabled(True)
        self.normalised_label = QLabel()
        self.normalised_label.setMinimumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.normalised_label, 1)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.editingFinished.connect(self.show_problem)

    # -- reading ---------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.text()

    def value(self) -> int | None:
        """The value read from the text (plausible or not); None when empty or unreadable."""
        return self._value

    def plausible_value(self) -> int | None:
        """The value only when nothing is wrong with it: what a chart may safely plot."""
        return self._value if not self._problem else None

    def problem(self) -> str:
        """The French message of what is wrong now ("" when the text is fine or empty)."""
        return self._problem

    def is_unreadable(self) -> bool:
        """Text that no parsing understands: the form cannot hold it, so it cannot be saved."""
        return bool(self.edit.text().strip()) and self._value is None

    # -- writing ---------------------------------------------------------------------------

    def set_value(self, value: int | None) -> None:
        """Show a stored value the way the nurse would type it ("3,450 kg", "52,5 cm")."""
        if value is None:
            self.edit.setText("")
        elif self.kind in (WEIGHT, MATERNAL_WEIGHT):
            kilos, grams = divmod(value, 1000)
            self.edit.setText(f"{kilos},{grams:03d} kg")
        else:
            self.edit.setText(format_length(value))

    def set_plausibility(self, plausibility: Callable[[int], str] | None) -> None:
        self._plausibility = plausibility
        self._on_text_changed(self.edit.text())

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.edit.setClearButtonEnabled(not read_only)

    # -- behaviour -------------------------------------------------------------------------

    def _on_text_changed(self, text: str) -> None:
        previous = (self._value, self._problem)
        self._value, self._problem = None, ""
        if text.strip():
            try:
                self._value = parse_measure(self.kind, text)
            except ValueError as exc:
                self._problem = str(exc)
            else:
                if self._plausibility is not None:
                    self._problem = self._plausibility(self._value)
        if self._value is None:
            self.normalised_label.setText("=\u00a0?" if text.strip() else "")
            self.normalised_label.setStyleSheet(UNREADABLE_STYLE)
        else:
            self.normalised_label.setText(normalised_text(self.kind, self._value))
            self.normalised_label.setStyleSheet(NORMALISED_STYLE)
        if not self._problem:  # right again: the old message must not linger
            show_field_error(self._errors, self.key, "")
        if (self._value, self._problem) != previous:
            self.value_changed.emit()

    def show_problem(self) -> None:
        """Put the current problem under the field (called when the field is left)."""
        show_field_error(self._errors, self.key, self._problem)
