"""The F1 overlay: the keyboard shortcuts, in French, closed by Esc or F1 again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from van_app.ui.keyboard import shortcut_entries
from van_app.ui.widgets.style import SUBTITLE_STYLE

KEY_STYLE = (
    "QLabel { background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 4px; "
    "padding: 2px 8px; font-weight: 600; color: #1f3a5f; }"
)


class ShortcutsDialog(QDialog):
    """The list of shortcuts; nothing to choose, so Esc, F1 or Entrée closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Raccourcis clavier"))
        title = QLabel(self.tr("Raccourcis clavier"))
        title.setStyleSheet(SUBTITLE_STYLE)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.key_labels: list[QLabel] = []
        self.action_labels: list[QLabel] = []
        for row, entry in enumerate(shortcut_entries()):
            keys = QLabel(entry.keys)
            keys.setStyleSheet(KEY_STYLE)
            keys.setAlignment(Qt.AlignmentFlag.AlignCenter)
            action = QLabel(entry.action)
            action.setWordWrap(True)
            grid.addWidget(keys, row, 0)
            grid.addWidget(action, row, 1)
            self.key_labels.append(keys)
            self.action_labels.append(action)
        grid.setColumnStretch(1, 1)
        buttons = QDialogButtonBox()
        self.close_button = buttons.addButton(
            self.tr("Fermer (Échap)"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """F1 closes what F1 opened; Esc closes it too (QDialog)."""
        if event.key() == Qt.Key.Key_F1:
            self.reject()
            return
        super().keyPressEvent(event)
