"""One consultation under review: what the supervisor's role may read, and the decision.

The supervisor validates, or asks the author for a completion with a comment (required, its
French error right under the box). Nothing here edits the consultation: each decision is a new
review record of the supervisor's, which reaches the author's device at the next sync. The
whole thread is shown in order: who asked what and when, the author's answers, the
validation. The medical content of a PMI consultation is never on the device of a supervisor
who is not also a PMI nurse: the dialog says so, and offers her no decision ("Relecture PMI").
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.person_file import Entry
from van_app.core.review import (
    VALIDATED,
    ConsultationDetail,
    consultation_detail,
    request_completion,
    validate,
)
from van_app.core.review_records import ANSWER
from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.consultation_form import OK_STYLE, REMINDER_STYLE
from van_app.ui.widgets.person_file_parts import EntriesWidget
from van_app.ui.widgets.screen_fit import resize_to_fit
from van_app.ui.widgets.social_parts import FieldErrors, french_moment
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

MUTED = "color: #555;"


def _paragraph(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


class ReviewConsultationDialog(QDialog):
    """Shows one consultation as the role may read it; "Valider" / "Demander un complément"."""

    loaded = Signal()
    review_saved = Signal(str, str)  # consultation id, "validated" or "completion_requested"

    def __init__(
        self, context: AppContext, kind: str, consultation_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewConsultationDialog")
        self.context = context
        self.kind = kind
        self.consultation_id = consultation_id
        self.detail: ConsultationDetail | None = None
        self.last_message = ""  # what was done, for the queue to say once the dialog closes
        self._busy = False
        self.setWindowTitle(self.tr("Relecture d'une consultation"))

        self.title_label = QLabel(self.tr("Chargement…"))
        self.title_label.setStyleSheet(TITLE_STYLE)
        self.title_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("font-weight: 600;")
        self.info = EntriesWidget()

        self.entries = EntriesWidget()
        self.reserved_label = QLabel()
        self.reserved_label.setWordWrap(True)
        self.reserved_label.setStyleSheet(REMINDER_STYLE)
        self.reserved_label.hide()
        content_box = QGroupBox(self.tr("Contenu de la consultation"))
        content_layout = QVBoxLayout(content_box)
        content_layout.addWidget(self.reserved_label)
        content_layout.addWidget(self.entries)

        self.thread_label = QLabel()
        self.thread_label.setWordWrap(True)
        self.thread_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        thread_box = QGroupBox(self.tr("Fil de la relecture (demandes, compléments, validations)"))
        QVBoxLayout(thread_box).addWidget(self.thread_label)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self.info)
        for box in (content_box, thread_box):
            column.addWidget(box)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)

        # -- the decision ------------------------------------------------------------------
        self.errors = FieldErrors()
        self.decision_box = QGroupBox(self.tr("Votre relecture"))
        self.refusal_label = QLabel()
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setStyleSheet(MUTED)
        self.refusal_label.hide()
        self.comment_hint = QLabel(
            self.tr(
                "Vous ne modifiez pas la consultation : l'auteur·rice reçoit votre commentaire "
                "à sa prochaine synchronisation et répond par un complément."
            )
        )
        self.comment_hint.setWordWrap(True)
        self.comment_hint.setStyleSheet(MUTED)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText(
            self.tr("Commentaire pour l'auteur·rice (obligatoire pour demander un complément)")
        )
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(80)
        decision = QVBoxLayout(self.decision_box)
        decision.addWidget(self.refusal_label)
        decision.addWidget(self.comment_hint)
        self.comment_field = self.errors.wrap(self.comment_edit, "comment")
        decision.addWidget(self.comment_field)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.close_button = QPushButton(self.tr("Fermer"))
        self.close_button.clicked.connect(self.reject)
        self.request_button = QPushButton(self.tr("Demander un complément"))
        self.request_button.clicked.connect(self._on_request)
        self.validate_button = QPushButton(self.tr("Valider"))
        self.validate_button.clicked.connect(self._on_validate)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.validate_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.decision_box)
        layout.addLayout(buttons)
        resize_to_fit(self, 860, 720)  # the consultation scrolls; the decision stays
        self._set_actions_enabled(False)

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the consultation in the background."""
        store, ref = self.context.store, self.context.reference
        kind, consultation_id = self.kind, self.consultation_id

        def read() -> ConsultationDetail:
            with store.session() as session:
                return consultation_detail(session, store.user, kind, consultation_id, ref)

        self._busy = True
        self.context.runner.submit(read, self._on_loaded, self._on_failed)

    def _on_loaded(self, detail: ConsultationDetail) -> None:
        self._busy = False
        self.detail = detail
        self.title_label.setText(
            self.tr("%1 — consultation du %2")
            .replace("%1", detail.person_name)
            .replace("%2", format_date(detail.date))
        )
        self.status_label.setText(self.tr("Relecture : %1").replace("%1", detail.review_label))
        signed = (
            self.tr("Signée le %1").replace("%1", french_moment(detail.signed_at))
            if detail.signed_at
            else detail.consultation_status_label
        )
        self.info.set_entries(
            [
                Entry(self.tr("Personne"), detail.person_name),
                Entry(
                    self.tr("Date de naissance"),
                    format_date(detail.birth_date) if detail.birth_date else "—",
                ),
                Entry(self.tr("Service"), detail.service),
                Entry(self.tr("Lieu"), detail.place),
                Entry(self.tr("Professionnel·le"), detail.professional),
                Entry(self.tr("Consultation"), signed),
            ]
        )
        self.entries.set_entries(detail.entries)
        self.reserved_label.setText(detail.reserved_notice)
        self.reserved_label.setVisible(bool(detail.reserved_notice))
        self.thread_label.setText(self._thread_html(detail))
        self.refusal_label.setText(detail.cannot_review_reason)
        self.refusal_label.setVisible(not detail.can_review)
        if not detail.content_readable:  # "Relecture PMI": not hers to decide, no button for it
            self.decision_box.setTitle(self.tr("Relecture PMI"))
            for widget in (self.validate_button, self.request_button, self.comment_field):
                widget.hide()
        self._set_actions_enabled(True)
        self.loaded.emit()

    def _thread_html(self, detail: ConsultationDetail) -> str:
        """Every step in order, oldest first; the decision in force marked as such."""
        if not detail.thread:
            return self.tr("Pas encore relue ; aucun complément.")
        parts = []
        for step in detail.thread:
            head = (
                self.tr("%1 — %2, le %3")
                .replace("%1", step.label)
                .replace("%2", step.who)
                .replace("%3", french_moment(step.at))
            )
            if step.current:
                head += self.tr(" (état actuel)")
            if step.reserved:
                body = f"<br><i>{html.escape(step.reserved)}</i>"
            elif step.text and step.step == ANSWER:
                body = f"<br>{_paragraph(step.text)}"
            elif step.text:
                body = f"<br>« {_paragraph(step.text)} »"
            else:
                body = ""
            parts.append(f"<b>{html.escape(head)}</b>{body}")
        return "<br><br>".join(parts)

    # -- deciding ------------------------------------------------------------------------------

    def _set_actions_enabled(self, enabled: bool) -> None:
        can = enabled and not self._busy and self.detail is not None and self.detail.can_review
        for widget in (self.validate_button, self.request_button):
            widget.setEnabled(can)
        self.comment_edit.setReadOnly(not can)
        self.comment_hint.setVisible(self.detail is None or self.detail.can_review)

    def _on_validate(self) -> None:
        self._write(validate, VALIDATED, self.tr("Consultation validée."))

    def _on_request(self) -> None:
        comment = self.comment_edit.toPlainText()
        if not comment.strip():  # the core says the same; said at once, nothing sent
            self._show_errors(
                {
                    "comment": self.tr(
                        "Écrivez ce qu'il faut compléter : l'auteur·rice lira ce commentaire "
                        "sur son poste."
                    )
                }
            )
            return
        self._write(
            request_completion,
            "completion_requested",
            self.tr(
                "Demande de complément enregistrée : elle partira au CMS à la prochaine "
                "synchronisation, puis sur le poste de l'auteur·rice."
            ),
        )

    def _write(self, action: Callable[..., str], status: str, message: str) -> None:
        if self._busy or self.detail is None or not self.detail.can_review:
            return
        store, kind, consultation_id = self.context.store, self.kind, self.consultation_id
        comment = self.comment_edit.toPlainText()
        self.errors.clear()
        self._busy = True
        self._set_actions_enabled(False)
        self._show_message(self.tr("Enregistrement…"))

        def succeeded(_review_id: str) -> None:
            self._busy = False
            self.last_message = message
            self.review_saved.emit(consultation_id, status)
            self.context.events.records_changed.emit()
            self.accept()

        self.context.runner.submit(
            lambda: action(store, kind, consultation_id, comment), succeeded, self._on_failed
        )

    def _show_errors(self, errors: dict[str, str]) -> None:
        _, others = self.errors.show(errors)
        summary = self.tr("Rien n'a été enregistré.")
        self._show_message(" ".join([summary, *others]), error=True)
        self.comment_edit.setFocus()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(text)

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self._set_actions_enabled(True)
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
        elif isinstance(exc, PermissionError | LookupError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def error_text(self, key: str) -> str:
        """The message shown under a field, "" when none is (for tests and help)."""
        return self.errors.text(key)
