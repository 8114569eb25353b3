"""The top and the tail of the consultation forms: who and what state; the addenda.

The header carries the supervisor's request for completion, when there is one, so it is the
first thing read. ``ask_signature`` is the French confirmation before signing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.french import de_name
from van_app.core.measures import format_date
from van_app.core.social import AddendumView, SocialConsultationData
from van_app.ui.widgets.social_parts import FieldErrors, french_moment
from van_app.ui.widgets.style import TITLE_STYLE

REVIEW_STYLE = (
    "QFrame#ReviewBanner { background: #fdecea; border: 1px solid #f3b5ae; border-radius: 6px; }"
)


def ask_signature(parent: QWidget) -> bool:
    """The French confirmation before signing: signing cannot be undone."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.tr("Signer la consultation"))
    box.setText(parent.tr("Signer cette consultation ?"))
    box.setInformativeText(
        parent.tr(
            "Une fois signée, elle ne pourra plus être modifiée : seuls des compléments "
            "(addenda) pourront y être ajoutés."
        )
    )
    sign = box.addButton(parent.tr("Signer"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(parent.tr("Annuler"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is sign


class ConsultationHeaderWidget(QWidget):
    """The supervisor's request if any, the person, the visit, and the consultation's state.

    ``badge``, when given, stands right after the name (the PMI shows the kind of visit).
    """

    open_person_requested = Signal()

    def __init__(self, badge: QLabel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review_banner = QFrame()
        self.review_banner.setObjectName("ReviewBanner")
        self.review_banner.setStyleSheet(REVIEW_STYLE)
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        self.review_label.setTextFormat(Qt.TextFormat.PlainText)
        QVBoxLayout(self.review_banner).addWidget(self.review_label)
        self.review_banner.hide()
        self.name_label = QLabel()
        self.name_label.setStyleSheet(TITLE_STYLE)
        self.details_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("font-weight: 600;")
        self.open_person_button = QPushButton(self.tr("Ouvrir le dossier de la personne"))
        self.open_person_button.setEnabled(False)
        self.open_person_button.clicked.connect(self.open_person_requested)
        top = QHBoxLayout()
        if badge is None:
            top.addWidget(self.name_label, 1)
        else:
            top.addWidget(self.name_label)
            top.addWidget(badge)
            top.addStretch(1)
        top.addWidget(self.open_person_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.review_banner)
        layout.addLayout(top)
        layout.addWidget(self.details_label)
        layout.addWidget(self.status_label)

    def _born_text(self, sex: str, birth_date: dt.date) -> str:
        """ "née le 01/06/1950", agreed with the person's sex."""
        born = {"F": self.tr("née le %1"), "M": self.tr("né le %1")}.get(sex, self.tr("né·e le %1"))
        return born.replace("%1", format_date(birth_date))


class SocialHeaderWidget(ConsultationHeaderWidget):
    """The social consultation's header: the stop of the day, the author, the review."""

    def set_data(self, data: SocialConsultationData) -> None:
        person = data.person
        self.name_label.setText(person.name)
        where = (
            self.tr("Arrêt : %1").replace("%1", data.stop_label)
            if data.stop_label
            else self.tr("Hors tournée")
        )
        self.details_label.setText(
            f"{person.age} — {self._born_text(person.sex, person.birth_date)} · {where}"
        )
        if data.status == "signed" and data.signed_at is not None:
            status = self.tr(
                "Consultation signée le %1 par %2 : elle ne peut plus être modifiée. "
                "Pour la corriger ou la compléter, ajoutez un complément en bas de la fiche."
            ).replace("%1", french_moment(data.signed_at))
        elif data.status == "draft":
            status = self.tr("Brouillon %3, pas encore signé.")
        else:
            status = self.tr("Nouvelle consultation, par %2.")
        self.status_label.setText(
            status.replace("%2", data.author).replace("%3", de_name(data.author))
        )
        self.review_banner.setVisible(data.review is not None)
        if data.review is not None:
            self.review_label.setText(
                self.tr(
                    "Demande de complément %1 (le %2) : « %3 » Répondez par un complément, "
                    "en bas de la fiche."
                )
                .replace("%1", de_name(data.review.reviewer))
                .replace("%2", french_moment(data.review.reviewed_at))
                .replace("%3", data.review.comment)
            )
        self.open_person_button.setEnabled(True)


class AddendaWidget(QWidget):
    """The addenda of a signed consultation, and the box to add one (for its author)."""

    add_requested = Signal(str)

    def __init__(self, reminder: str, errors: FieldErrors) -> None:
        super().__init__()
        self._list = QVBoxLayout()
        self.title = QLabel(self.tr("Ajouter un complément (addendum)"))
        self.title.setStyleSheet("font-weight: 600;")
        self.reminder = QLabel(reminder)
        self.reminder.setWordWrap(True)
        self.reminder.setStyleSheet("color: #555;")
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(
            self.tr("Correction ou information complémentaire : elle sera datée et signée.")
        )
        self.edit.setMaximumHeight(100)
        self.edit.setTabChangesFocus(True)
        self.button = QPushButton(self.tr("Ajouter le complément"))
        self.button.clicked.connect(lambda: self.add_requested.emit(self.edit.toPlainText()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._list)
        layout.addWidget(self.title)
        layout.addWidget(self.reminder)
        layout.addWidget(errors.wrap(self.edit, "addendum"))
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)

    def set_addenda(self, addenda: Sequence[AddendumView], can_add: bool) -> None:
        while self._list.count():
            widget = self._list.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for addendum in addenda:
            head = (
                self.tr("Le %1 — %2")
                .replace("%1", french_moment(addendum.created_at))
                .replace("%2", addendum.author)
            )
            label = QLabel(f"<b>{html.escape(head)}</b><br>{_html_text(addendum.note)}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._list.addWidget(label)
        if not addenda:
            self._list.addWidget(QLabel(self.tr("Aucun complément pour l'instant.")))
        for widget in (self.title, self.reminder, self.edit, self.button):
            widget.setVisible(can_add)
        self.edit.clear()


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
