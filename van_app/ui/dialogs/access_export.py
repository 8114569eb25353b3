"""Exporting a person's whole file for a right-of-access request (RGPD, article 15).

The dialog says what the file will hold and what this role cannot export, then writes a PDF
(to hand over) or a JSON file (machine-readable) on the task runner. The file is read afresh
at each export, so it holds what was recorded up to that moment.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.person_file import person_file
from van_app.core.reports.access_export import (
    SATISFACTION_TEXT,
    access_export,
    not_exported_note,
    write_access_json,
    write_access_pdf,
)
from van_app.ui.context import AppContext
from van_app.ui.dialogs.anonymised_export import write_failure
from van_app.ui.widgets.social_parts import error_label
from van_app.ui.widgets.style import SUBTITLE_STYLE

WRITERS = {"pdf": write_access_pdf, "json": write_access_json}


class AccessExportDialog(QDialog):
    """Explains the export, then "Exporter en PDF" or "Exporter en JSON"; ``exported_path``."""

    def __init__(self, context: AppContext, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.person_id = person_id
        self.person_name = ""
        self.exported_path: Path | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Exporter le dossier (droit d'accès)"))

        self.title_label = QLabel(self.tr("Dossier complet — droit d'accès (RGPD, article 15)"))
        self.title_label.setStyleSheet(SUBTITLE_STYLE)
        self.title_label.setWordWrap(True)
        self.summary_label = QLabel(self.tr("Lecture du dossier…"))
        self.summary_label.setWordWrap(True)
        contents = QLabel(
            self.tr(
                "Le fichier réunit tout ce qui est enregistré sur cette personne et que votre "
                "rôle permet de lire : identité, foyer (seulement le nom et le lien des proches), "
                "consultations avec leurs orientations, compléments et revues, suivis, fiches "
                "fusionnées dans ce dossier, et qui a enregistré quoi et quand."
            )
        )
        contents.setWordWrap(True)
        not_exported = not_exported_note(context.store.user.roles)
        self.not_readable_label = QLabel(
            self.tr("Non inclus : %1").replace("%1", not_exported[:1].lower() + not_exported[1:])
        )
        self.not_readable_label.setWordWrap(True)
        self.not_readable_label.setStyleSheet("font-weight: 600;")
        self.not_readable_label.setVisible(bool(not_exported))
        satisfaction = QLabel(SATISFACTION_TEXT)
        satisfaction.setWordWrap(True)
        satisfaction.setStyleSheet("color: #5a6472;")
        care = QLabel(
            self.tr(
                "Ce fichier contient des données personnelles : enregistrez-le sur ce poste ou "
                "une clé chiffrée, remettez-le à la personne elle-même, puis supprimez-le."
            )
        )
        care.setWordWrap(True)
        care.setStyleSheet("color: #5a6472;")

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.error_label = error_label()

        self.close_button = QPushButton(self.tr("Fermer"))
        self.close_button.clicked.connect(self.reject)
        self.pdf_button = QPushButton(self.tr("Exporter en PDF"))
        self.pdf_button.setDefault(True)
        self.pdf_button.clicked.connect(lambda: self.choose_file("pdf"))
        self.json_button = QPushButton(self.tr("Exporter en JSON"))
        self.json_button.clicked.connect(lambda: self.choose_file("json"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.json_button)
        buttons.addWidget(self.pdf_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(contents)
        layout.addWidget(self.not_readable_label)
        layout.addWidget(satisfaction)
        layout.addWidget(care)
        layout.addWidget(self.message_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(640, self.sizeHint().height())
        self._set_busy(True)
        self._load_summary()

    # -- what is in the file -----------------------------------------------------------------

    def _load_summary(self) -> None:
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        person_id = self.person_id

        def read() -> tuple[str, int, int]:
            with store.session() as session:
                data = person_file(session, store.user, person_id, ref, today)
            return data.name, len(data.visits), len(data.follow_ups)

        self.context.runner.submit(read, self._on_summary, self._on_summary_failed)

    def _on_summary(self, result: tuple[str, int, int]) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed meanwhile: nothing left to show
        name, visits, follow_ups = result
        self.person_name = name
        self.title_label.setText(
            self.tr("Dossier de %1 — droit d'accès (RGPD, article 15)").replace("%1", name)
        )
        visit_text = (
            self.tr("aucune consultation")
            if visits == 0
            else self.tr("1 consultation")
            if visits == 1
            else self.tr("%1 consultations").replace("%1", str(visits))
        )
        follow_text = (
            ""
            if follow_ups == 0
            else self.tr(", 1 suivi")
            if follow_ups == 1
            else self.tr(", %1 suivis").replace("%1", str(follow_ups))
        )
        self.summary_label.setText(
            self.tr("À ce jour : %1%2.").replace("%1", visit_text).replace("%2", follow_text)
        )
        self._set_busy(False)

    def _on_summary_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed meanwhile: nothing left to show
        text = str(exc) if isinstance(exc, LookupError) else type(exc).__name__
        self.summary_label.setText(self.tr("Dossier illisible : %1").replace("%1", text))
        self._busy = False  # nothing to export: the buttons stay off

    # -- exporting -------------------------------------------------------------------------

    def default_name(self, kind: str) -> str:
        """A name without the person's: file lists and recent-file menus stay anonymous."""
        return f"droit_acces_{self.context.today():%Y-%m-%d}.{kind}"

    def choose_file(self, kind: str) -> None:
        """Ask where to save (the machine's own dialog), then write there in the background."""
        if self._busy:
            return
        filters = {"pdf": self.tr("Document PDF (*.pdf)"), "json": self.tr("Fichier JSON (*.json)")}
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Enregistrer le dossier"), self.default_name(kind), filters[kind]
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        self.export_to(kind, path)

    def export_to(self, kind: str, path: Path) -> None:
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        person_id, write = self.person_id, WRITERS[kind]

        def work() -> Path:
            with store.session() as session:
                doc = access_export(session, store.user, person_id, ref, today)
            write(path, doc)
            return path

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
            self.resize(width, needed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.pdf_button, self.json_button):
            button.setEnabled(not busy)

    def _on_exported(self, path: Path) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed meanwhile: nothing left to show
        self._set_busy(False)
        self.exported_path = path
        self.message_label.setText(self.tr("Dossier exporté dans %1.").replace("%1", str(path)))
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
