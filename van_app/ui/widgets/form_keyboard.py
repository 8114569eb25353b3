"""The keyboard side of the consultation forms: their tab order, where the focus starts and
comes back after a write, and Ctrl+Entrée.

Kept apart from ``consultation_form`` so that each stays short; ``ConsultationFormBase``
inherits it and provides the widgets named here, ``_tab_widgets``, ``_on_sign`` and
``_on_add_addendum``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from van_app.ui.keyboard import chain_tab_order, focus_first


class FormKeyboard:
    """Tab from the first field to "Signer" in reading order; the focus kept in the form."""

    header: Any
    note_edit: Any
    addenda: Any
    save_button: QWidget
    sign_button: QWidget
    data: Any
    _busy: bool

    def update_tab_order(self) -> None:
        """Tab follows the page from the first field to "Signer"; call it after adding rows."""
        chain_tab_order(self._focus_chain())

    def _focus_chain(self) -> list[QWidget]:
        return [
            self.header.open_person_button,
            *self._tab_widgets(),
            self.note_edit,
            self.addenda.edit,
            self.addenda.button,
            self.save_button,
            self.sign_button,
        ]

    def first_field(self) -> QWidget | None:
        """Where the focus starts: the first field that takes it, else the addendum."""
        fields = [*self._tab_widgets(), self.note_edit, self.addenda.edit]
        usable = (
            w
            for w in fields
            if w.isVisibleTo(self)
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not getattr(w, "isReadOnly", lambda: False)()
        )
        return next(usable, None)

    def _on_sign_or_add_addendum(self) -> None:
        """Ctrl+Entrée: sign a draft; on a signed consultation, add the addendum typed."""
        if self.data is None or self._busy:
            return
        if self.data.editable:
            self._on_sign()
        elif self.data.can_add_addendum and self.addenda.edit.toPlainText().strip():
            self._on_add_addendum(self.addenda.edit.toPlainText())

    def _focus_back(self, widget: QWidget | None) -> None:
        """After a write the fields come back: so does the focus (else the first field)."""
        if widget is not None and widget.isVisible() and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.isVisible():
            focus_first(self.first_field())
