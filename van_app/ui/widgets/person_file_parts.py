"""Parts of a person's file: labelled entries, the household, and one visit in detail.

They show what ``person_file`` returns and nothing else: that function already cut every
record to what the user's roles may read.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.people import HouseholdMember
from van_app.core.person_file import Entry, FollowUpView, VisitView

MUTED_STYLE = "color: #555;"
LINK_STYLE = (
    "QPushButton { border: none; color: #1f5fa8; text-decoration: underline; text-align: left;"
    " padding: 2px 0; } QPushButton:focus { background: #e3edf9; }"
)


def _clear_layout(layout: QVBoxLayout | QFormLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


class EntriesWidget(QWidget):
    """Labelled values, one per line ("Téléphone : 06 12 34 56 78")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.value_labels: dict[str, QLabel] = {}

    def set_entries(self, entries: Sequence[Entry]) -> None:
        _clear_layout(self.form)
        self.value_labels = {}
        for entry in entries:
            value = QLabel(entry.value)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if entry.value == "non renseigné":
                value.setStyleSheet(MUTED_STYLE)
            self.value_labels[entry.label] = value
            self.form.addRow(QLabel(f"{entry.label} :"), value)


class HouseholdWidget(QWidget):
    """Parents, children, brothers and sisters; a click on a name opens that file."""

    person_requested = Signal(str)
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member_buttons: dict[str, QPushButton] = {}
        self.empty_label = QLabel(self.tr("Aucun membre du foyer enregistré."))
        self.empty_label.setStyleSheet(MUTED_STYLE)
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(0)
        self.add_button = QPushButton(self.tr("Ajouter un enfant / un parent…"))
        self.add_button.clicked.connect(self.add_requested)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self.rows)
        layout.addLayout(add_row)

    def set_members(self, members: Sequence[HouseholdMember]) -> None:
        _clear_layout(self.rows)
        self.member_buttons = {}
        for member in members:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            relation = QLabel(member.relation)
            relation.setMinimumWidth(110)
            relation.setStyleSheet("font-weight: 600;")
            text = f"{member.name} — {member.age}" if member.age else member.name
            button = QPushButton(text)
            button.setStyleSheet(LINK_STYLE)
            button.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))
            button.setToolTip(self.tr("Ouvrir le dossier"))
            button.clicked.connect(
                lambda _checked=False, pid=member.person_id: self.person_requested.emit(pid)
            )
            self.member_buttons[member.person_id] = button
            line.addWidget(relation)
            line.addWidget(button, 1)
            self.rows.addWidget(row)
        self.empty_label.setVisible(not members)


class FollowUpsWidget(QWidget):
    """The follow-ups of the person, open ones marked, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []

    def set_follow_ups(self, follow_ups: Sequence[FollowUpView]) -> None:
        _clear_layout(self.column)
        self.labels = []
        if not follow_ups:
            empty = QLabel(self.tr("Aucun suivi."))
            empty.setStyleSheet(MUTED_STYLE)
            self.column.addWidget(empty)
            self.labels.append(empty)
        for follow_up in follow_ups:
            state = self.tr("En cours") if follow_up.is_open else self.tr("Clos")
            parts = [f"<b>{html.escape(state)}</b>"]
            parts += [f"{html.escape(e.label)} : {html.escape(e.value)}" for e in follow_up.details]
            label = QLabel("<br>".join(parts))
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.column.addWidget(label)
            self.labels.append(label)


def visit_html(visit: VisitView) -> str:
    """The visit's readable details and notes, as rich text (every value escaped)."""
    esc = html.escape
    parts = [
        f"<h3 style='margin:0'>{esc(visit.title)}</h3>",
        f"<p style='color:#555'>{esc(format_date(visit.date))} — {esc(visit.place)}<br>"
        f"{esc(visit.professional)} — {esc(visit.status)}</p>",
    ]
    if visit.details:
        rows = "".join(
            f"<tr><td style='padding-right:12px; color:#333'><b>{esc(e.label)}</b></td>"
            f"<td>{esc(e.value).replace(chr(10), '<br>')}</td></tr>"
            for e in visit.details
        )
        parts.append(f"<table cellspacing='2'>{rows}</table>")
    for note in visit.notes:
        title = f"{note.title} — " if note.title else ""
        parts.append(
            f"<p><b>{esc(title)}{esc(note.author)}, le {esc(format_date(note.written_on))}</b>"
            + (f"<br>{esc(note.text).replace(chr(10), '<br>')}" if note.text else "")
            + "</p>"
        )
    return "".join(parts)


class VisitDetailWidget(QWidget):
    """The selected visit: what the user may read of it, and a button to open its form."""

    open_requested = Signal(object)  # VisitView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.visit: VisitView | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.restricted_label = QLabel()
        self.restricted_label.setWordWrap(True)
        self.restricted_label.setStyleSheet(MUTED_STYLE)
        self.open_button = QPushButton(self.tr("Ouvrir la consultation"))
        self.open_button.clicked.connect(self._on_open)
        bottom = QHBoxLayout()
        bottom.addWidget(self.restricted_label, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(bottom)
        self.set_visit(None)

    def set_visit(self, visit: VisitView | None, content_readable: bool = True) -> None:
        """Show ``visit``; ``content_readable`` False says its content is another service's."""
        self.visit = visit
        if visit is None:
            self.browser.setHtml(
                f"<p style='color:#555'>{html.escape(self.tr('Choisissez une visite.'))}</p>"
            )
            self.open_button.hide()
            self.restricted_label.setText("")
            return
        self.browser.setHtml(visit_html(visit))
        self.open_button.setVisible(visit.can_open)
        secret = {
            "pmi": self.tr(
                "Le contenu de cette consultation relève du secret médical de la PMI : "
                "seuls la date, le lieu et la durée sont partagés."
            ),
            "social": self.tr(
                "Le contenu de cette consultation relève du secret social : "
                "seuls la date, le lieu et la durée sont partagés."
            ),
        }
        self.restricted_label.setText("" if content_readable else secret[visit.service])

    def _on_open(self) -> None:
        if self.visit is not None and self.visit.can_open:
            self.open_requested.emit(self.visit)
