"""The person's "known to the CMS before her first contact" answer, shown and correctable.

The answer is asked once, at registration; any professional (or the supervisor) corrects it
here. The box changes nothing by itself: "Corriger" asks for the correction, which the screen
writes on the task runner (it syncs like any identity field).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from van_app.ui.widgets.style import ERROR_STYLE


class KnownBeforeWidget(QWidget):
    """A check box and its "Corriger" button; ``correction_requested(bool)`` on click."""

    correction_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saved = False
        self.check = QCheckBox(self.tr("Connu·e du CMS avant son premier contact avec le camion"))
        self.check.setToolTip(
            self.tr(
                "Demandé une fois, à l'inscription. Sert à l'indicateur des personnes non "
                "connues du CMS, compté au premier contact."
            )
        )
        self.check.toggled.connect(self._update)
        self.save_button = QPushButton(self.tr("Corriger"))
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(
            lambda: self.correction_requested.emit(self.check.isChecked())
        )
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status_label)

    def set_value(self, known: bool, *, editable: bool) -> None:
        """Show the stored answer (and forget an unsaved change)."""
        self._saved = known
        self.check.blockSignals(True)
        self.check.setChecked(known)
        self.check.blockSignals(False)
        self.check.setEnabled(editable)
        self.save_button.setVisible(editable)
        self._update()

    def set_busy(self, busy: bool) -> None:
        self.check.setEnabled(not busy)
        self.save_button.setEnabled(not busy and self.check.isChecked() != self._saved)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else "color: #1b5e20;")
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _request(self) -> None:
        self.correction_requested.emit(self.check.isChecked())

    def _update(self) -> None:
        changed = self.check.isChecked() != self._saved
        self.save_button.setEnabled(changed)
        if changed:
            self.show_message("")
