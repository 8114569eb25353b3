"""Stopping a repeating tour (a commune dropped for low attendance, a season's end).

The supervisor picks the tour's last day and sees, before confirming, how many planned stops
will leave the vans' plan; stops already past or where people were received stay.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.tour_planning import PatternSaved, count_stops_after, end_pattern
from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.social_parts import FieldErrors, date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE


class EndPatternDialog(QDialog):
    """Accepted once the tour is stopped; ``saved`` says how many stops were removed."""

    counted = Signal(int)
    pattern_ended = Signal(object)  # PatternSaved

    def __init__(
        self,
        context: AppContext,
        pattern_id: str,
        description: str,
        last_date: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        """``description``: "Luc-en-Diois, 2e mardi de chaque mois"."""
        super().__init__(parent)
        self.context = context
        self.pattern_id = pattern_id
        self.saved: PatternSaved | None = None
        self._busy = False
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Arrêter la tournée régulière"))

        title = QLabel(self.tr("Arrêter la tournée régulière"))
        title.setStyleSheet(SUBTITLE_STYLE)
        what = QLabel(description)
        what.setWordWrap(True)
        self.last_date_edit = date_edit()
        self.last_date_edit.setDate(to_qdate(last_date))
        self.last_date_edit.setMaximumWidth(150)
        form = QFormLayout()
        form.addRow(
            self.tr("Dernier jour de la tournée :"),
            self.errors.wrap(self.last_date_edit, "last_date"),
        )
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        note = QLabel(
            self.tr(
                "Les arrêts déjà passés et ceux où des personnes ont été reçues sont conservés."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Fermer sans rien changer"))
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(self.tr("Arrêter la tournée"))
        self.confirm_button.clicked.connect(self._on_confirm)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.confirm_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addLayout(footer)
        self.resize(560, 300)
        self.last_date_edit.dateChanged.connect(self._count)
        self._count()

    def _count(self, *_: object) -> None:
        store, today, pattern_id = self.context.store, self.context.today(), self.pattern_id
        last = from_qdate(self.last_date_edit.date())

        def count() -> tuple[dt.date, int]:
            with store.session() as session:
                return last, count_stops_after(session, pattern_id, last, today)

        self.context.runner.submit(count, self._on_counted, self._on_failed)

    def _on_counted(self, result: tuple[dt.date, int]) -> None:
        last, count = result
        if last != from_qdate(self.last_date_edit.date()):
            return  # an older answer: the date changed meanwhile
        after = format_date(last)
        if count == 0:
            text = self.tr("Aucun arrêt prévu après le %1 : rien ne sera retiré.").replace(
                "%1", after
            )
        elif count == 1:
            text = self.tr(
                "1 arrêt prévu après le %1 sera retiré du planning des camions."
            ).replace("%1", after)
        else:
            text = (
                self.tr("%1 arrêts prévus après le %2 seront retirés du planning des camions.")
                .replace("%1", str(count))
                .replace("%2", after)
            )
        self.count_label.setText(text)
        self.counted.emit(count)

    def _on_confirm(self) -> None:
        if self._busy:
            return
        store, today, pattern_id = self.context.store, self.context.today(), self.pattern_id
        last = from_qdate(self.last_date_edit.date())
        self._busy = True
        self.confirm_button.setEnabled(False)
        self.context.runner.submit(
            lambda: end_pattern(store, pattern_id, last, today), self._on_ended, self._on_failed
        )

    def _on_ended(self, saved: PatternSaved) -> None:
        self._busy = False
        self.confirm_button.setEnabled(True)
        self.saved = saved
        self.pattern_ended.emit(saved)
        self.context.events.records_changed.emit()
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self.confirm_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
            return
        text = (
            str(exc)
            if isinstance(exc, PermissionError | LookupError)
            else self.tr("Erreur inattendue (%1) : rien n'a été changé.").replace(
                "%1", failure_reason(exc)
            )
        )
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setText(text)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
