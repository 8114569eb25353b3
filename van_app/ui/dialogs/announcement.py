"""The announcement for a town hall: the poster to save as PDF and the e-mail to send with it.

The e-mail is shown as text to copy into the CMS's own mail software (the app sends nothing
itself: the van is often offline, and mail to the town halls is the CMS's correspondence).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.announcement import (
    Announcement,
    announcement_email,
    announcement_pdf,
    build_announcement,
)
from van_app.core.french import de_place
from van_app.core.text import fold
from van_app.core.tour_calendar import add_months
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.screen_fit import resize_to_fit
from van_app.ui.widgets.social_parts import date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE

DEFAULT_MONTHS = 3


def default_file_name(announcement: Announcement) -> str:
    """ "annonce-camion-luc-en-diois-2026-12.pdf": no accents or spaces, sorted by month."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(announcement.commune.name)).strip("-")
    first = announcement.stops[0].stop_date
    return f"annonce-camion-{slug}-{first:%Y-%m}.pdf"


class AnnouncementDialog(QDialog):
    """One commune's announcement for the coming period."""

    loaded = Signal()
    pdf_saved = Signal(str)

    def __init__(
        self, context: AppContext, commune_insee: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.commune_insee = commune_insee
        self.announcement: Announcement | None = None
        self._loading = False
        self._reload_again = False
        commune = context.reference.communes.get(commune_insee)
        name = commune.name if commune else commune_insee
        self.setWindowTitle(self.tr("Annonce pour la mairie %1").replace("%1", de_place(name)))
        today = context.today()

        title = QLabel(self.tr("Annonce pour la mairie %1").replace("%1", de_place(name)))
        title.setStyleSheet(SUBTITLE_STYLE)
        self.start_edit = date_edit()
        self.start_edit.setDate(to_qdate(today))
        self.end_edit = date_edit()
        self.end_edit.setDate(to_qdate(add_months(today, DEFAULT_MONTHS)))
        period = QHBoxLayout()
        period.addWidget(QLabel(self.tr("Passages du")))
        period.addWidget(self.start_edit)
        period.addWidget(QLabel(self.tr("au")))
        period.addWidget(self.end_edit)
        period.addStretch(1)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.pdf_button = QPushButton(self.tr("Enregistrer l'affiche (PDF)…"))
        self.pdf_button.clicked.connect(self._on_save_pdf)

        self.recipient_edit = QLineEdit()
        self.recipient_edit.setReadOnly(True)
        self.subject_edit = QLineEdit()
        self.subject_edit.setReadOnly(True)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("Copier le texte"))
        self.copy_button.clicked.connect(self._on_copy)
        mail = QFormLayout()
        mail.addRow(self.tr("À :"), self.recipient_edit)
        mail.addRow(self.tr("Objet :"), self.subject_edit)
        mail.addRow(self.tr("Message :"), self.body_edit)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        close_button = QPushButton(self.tr("Fermer"))
        close_button.clicked.connect(self.accept)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.copy_button)
        footer.addWidget(close_button)

        poster = QHBoxLayout()
        poster.addWidget(self.summary_label, 1)
        poster.addWidget(self.pdf_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(period)
        layout.addLayout(poster)
        hint = QLabel(
            self.tr("Courriel à envoyer depuis votre messagerie, avec l'affiche en pièce jointe :")
        )
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        layout.addLayout(mail, 1)
        layout.addLayout(footer)
        resize_to_fit(self, 820, 640)  # the message scrolls in its own box

        self.start_edit.dateChanged.connect(self.refresh)
        self.end_edit.dateChanged.connect(self.refresh)
        self._set_ready(False)
        self.refresh()

    # -- loading -----------------------------------------------------------------------------

    def refresh(self, *_: object) -> None:
        """Rebuild the announcement for the period, in the background."""
        if self._loading:
            self._reload_again = True
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        commune, start = self.commune_insee, from_qdate(self.start_edit.date())
        end = from_qdate(self.end_edit.date())

        def build() -> tuple[Announcement, tuple[str, str] | None]:
            with store.session() as session:
                built = build_announcement(session, store.user, ref, commune, start, end, today)
            return built, announcement_email(built) if built.stops else None

        self._loading = True
        self.context.runner.submit(build, self._on_built, self._on_failed)

    def _on_built(self, result: tuple[Announcement, tuple[str, str] | None]) -> None:
        self._loading = False
        if self._reload_again:
            self._reload_again = False
            self.refresh()
            return
        self.announcement, email = result
        a = self.announcement
        self.recipient_edit.setText(
            a.recipient or self.tr("adresse non renseignée : téléphonez à la mairie")
        )
        if email is None:
            self.summary_label.setText(
                self.tr("Aucun passage prévu à %1 sur cette période.").replace("%1", a.commune.name)
            )
            self.subject_edit.clear()
            self.body_edit.clear()
            self._set_ready(False)
        else:
            count = len(a.stops)
            self.summary_label.setText(
                (
                    self.tr("1 passage prévu.")
                    if count == 1
                    else self.tr("%1 passages prévus.").replace("%1", str(count))
                )
                + " "
                + self.tr("L'affiche les présente avec les coordonnées du CMS.")
            )
            self.subject_edit.setText(email[0])
            self.body_edit.setPlainText(email[1])
            self._set_ready(True)
        self.loaded.emit()

    def _on_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        self._set_ready(False)
        text = (
            str(exc)
            if isinstance(exc, LookupError | PermissionError | ValueError)
            else self.tr("Impossible de préparer l'annonce (%1).").replace(
                "%1", failure_reason(exc)
            )
        )
        self._show_message(text, error=True)

    def _set_ready(self, ready: bool) -> None:
        self.pdf_button.setEnabled(ready)
        self.copy_button.setEnabled(ready)

    # -- actions -----------------------------------------------------------------------------

    def email_text(self) -> str:
        return self.body_edit.toPlainText()

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.body_edit.toPlainText())
        self._show_message(self.tr("Texte copié : collez-le dans votre messagerie."))

    def _on_save_pdf(self) -> None:
        a = self.announcement
        if a is None or not a.stops:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Enregistrer l'affiche"),
            str(Path(folder) / default_file_name(a)),
            self.tr("Document PDF (*.pdf)"),
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.pdf_button.setEnabled(False)
        self._show_message(self.tr("Enregistrement de l'affiche…"))
        self.context.runner.submit(
            lambda: str(announcement_pdf(path, a)), self._on_pdf_saved, self._on_pdf_failed
        )

    def _on_pdf_saved(self, path: str) -> None:
        self.pdf_button.setEnabled(True)
        self._show_message(self.tr("Affiche enregistrée : %1").replace("%1", path))
        self.pdf_saved.emit(path)

    def _on_pdf_failed(self, exc: Exception) -> None:
        self.pdf_button.setEnabled(True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else failure_reason(exc)
        self._show_message(
            self.tr("L'affiche n'a pas pu être enregistrée (%1).").replace("%1", reason),
            error=True,
        )

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1b5e20;")
        self.message_label.setText(text)
