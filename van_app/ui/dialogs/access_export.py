"""Exporting a person's whole file for a right-of-access request (RGPD, article 15).

The dialog says what the file will hold and what this role cannot export, then writes a PDF
(to hand over) or a JSON file (machine-readable) on the task runner. The file is read afresh
at each export, so it holds what was recorded up to that moment.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from van_app.core.french import de_name
from van_app.core.person_file import person_file
from van_app.core.reports.access_export import (
    SATISFACTION_TEXT,
    access_export,
    not_exported_note,
    write_access_json,
    write_access_pdf,
)
from van_app.ui.context import AppContext
from van_app.ui.dialogs.file_export import FileExportDialog, ask_save_path
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.style import SUBTITLE_STYLE

WRITERS = {"pdf": write_access_pdf, "json": write_access_json}


class AccessExportDialog(FileExportDialog):
    """Explains the export, then "Exporter en PDF" or "Exporter en JSON"; ``exported_path``."""

    def __init__(self, context: AppContext, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.person_id = person_id
        self.person_name = ""
        self.exported_path: Path | None = None
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
                "consultations avec chaque réponse enregistrée, leurs orientations, compléments "
                "et revues, suivis, éléments supprimés (marqués comme tels), fiches fusionnées "
                "dans ce dossier, et qui a enregistré quoi et quand. Il commence par les "
                "informations de l'article 15 : responsable du traitement et DPO, finalités, "
                "destinataires, durée de conservation, droits, réclamation auprès de la CNIL."
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

        self.pdf_button = QPushButton(self.tr("Exporter en PDF"))
        self.pdf_button.setDefault(True)
        self.pdf_button.clicked.connect(lambda: self.choose_file("pdf"))
        self.json_button = QPushButton(self.tr("Exporter en JSON"))
        self.json_button.clicked.connect(lambda: self.choose_file("json"))

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
        layout.addLayout(self._buttons(self.json_button, self.pdf_button))
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
            self.tr("Dossier %1 — droit d'accès (RGPD, article 15)").replace("%1", de_name(name))
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
        text = str(exc) if isinstance(exc, LookupError) else failure_reason(exc)
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
        path = ask_save_path(
            self, self.tr("Enregistrer le dossier"), self.default_name(kind), filters[kind], kind
        )
        if path is not None:
            self.export_to(kind, path)

    def export_to(self, kind: str, path: Path) -> None:
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        person_id, write = self.person_id, WRITERS[kind]

        def work() -> Path:
            with store.session() as session:
                doc = access_export(session, store.user, person_id, ref, today)
            write(path, doc)
            return path

        self._export_in_background(work)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.pdf_button, self.json_button):
            button.setEnabled(not busy)

    def _record_export(self, path: Path) -> str:
        self.exported_path = path
        return self.tr("Dossier exporté dans %1.").replace("%1", str(path))
