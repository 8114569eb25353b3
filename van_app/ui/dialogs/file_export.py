"""Writing an export to a file the user picks: the save dialog, the background write, and
the French message that follows (where the file went, or why it could not be written).

Shared by the right-of-access export, the anonymised statistics and the activity report, so
that they ask and answer the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.screen_fit import resize_to_fit
from van_app.ui.widgets.social_parts import error_label


def write_failure(exc: Exception) -> str:
    """Why a file could not be written, in French words (never an English system message)."""
    tr = partial(QCoreApplication.translate, "ExportFailure")
    if isinstance(exc, PermissionError):
        return tr("accès refusé (le fichier est peut-être ouvert dans un autre programme)")
    if isinstance(exc, FileNotFoundError):
        return tr("dossier introuvable")
    if isinstance(exc, OSError):
        return tr("écriture impossible sur ce disque")
    return failure_reason(exc)


def ask_save_path(
    parent: QWidget, caption: str, default_name: str, file_filter: str, extension: str
) -> Path | None:
    """The machine's own save dialog; the extension is added when the user left it out.

    None when the user cancelled.
    """
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, default_name, file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != f".{extension}":
        path = path.with_name(f"{path.name}.{extension}")
    return path


class FileExportDialog(QDialog):
    """Base of the export dialogs: a message line, an error line, "Fermer", the background
    write and its answer. Subclasses lay out their choices and buttons."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._busy = False
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.error_label = error_label()
        self.close_button = QPushButton(self.tr("Fermer"))
        self.close_button.clicked.connect(self.reject)

    def _buttons(self, *buttons: QPushButton) -> QHBoxLayout:
        """ "Fermer" then the export buttons, on the right."""
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        for button in buttons:
            row.addWidget(button)
        return row

    def _set_busy(self, busy: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _record_export(self, result: Any) -> str:  # pragma: no cover - overridden
        """Keeps what the export returned; gives the French message saying where it went."""
        raise NotImplementedError

    def _export_in_background(self, work: Callable[[], Any]) -> None:
        self._set_busy(True)
        self.message_label.hide()
        self.error_label.hide()
        self.context.runner.submit(work, self._on_exported, self._on_failed)

    def fit_height(self) -> None:
        """Grow to show a new message: wrapped labels would otherwise be squeezed."""
        layout = self.layout()
        width = self.width()
        needed = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            resize_to_fit(self, width, needed)

    def _on_exported(self, result: Any) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed meanwhile: nothing left to show
        self._set_busy(False)
        self.message_label.setText(self._record_export(result))
        self.message_label.show()
        self.fit_height()

    def _on_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed meanwhile: nothing left to show
        self._set_busy(False)
        self.error_label.setText(
            self.tr(
                "L'export n'a pas pu être enregistré : %1. Choisissez un autre dossier."
            ).replace("%1", write_failure(exc))
        )
        self.error_label.show()
        self.fit_height()
