"""One stop of the van: a new one-off stop, or one date of the plan changed on its own.

The core checks the whole stop and saves nothing on an error; each French message shows
under its field. Changing the date of a repeating tour's stop moves that date only: the tour
will not bring the original date back.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.tour_planning import StopInput, load_stop, save_stop
from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.widgets.commune_picker import CommunePickerWidget
from van_app.ui.widgets.social_parts import FieldErrors, date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE
from van_app.ui.widgets.tour_fields import (
    DEFAULT_HOURS,
    from_qtime,
    services_combo,
    set_combo_data,
    time_edit,
    to_qtime,
)


class TourStopDialog(QDialog):
    """Accepted once the stop is saved; ``saved_id`` is its id."""

    stop_saved = Signal(str)
    loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        stop_id: str | None = None,
        parent: QWidget | None = None,
        *,
        rule: str | None = None,
        day: dt.date | None = None,
    ) -> None:
        """``rule``: the repeating tour's rule when ``stop_id`` is one of its dates."""
        super().__init__(parent)
        self.context = context
        self.stop_id = stop_id
        self.saved_id = ""
        self._busy = False
        self._saving = False
        self.errors = FieldErrors()
        wrap = self.errors.wrap
        self.setWindowTitle(self.tr("Modifier l'arrêt") if stop_id else self.tr("Nouvel arrêt"))

        self.commune_picker = CommunePickerWidget(context.reference)
        self.date_edit = date_edit()
        self.date_edit.setDate(to_qdate(day or context.today()))
        self.date_edit.setMaximumWidth(150)
        self.start_edit = time_edit(DEFAULT_HOURS[0])
        self.end_edit = time_edit(DEFAULT_HOURS[1])
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText(self.tr("Ex. : parking de la salle des fêtes"))
        self.services_combo = services_combo()

        title = QLabel(
            self.tr("Modifier cet arrêt") if stop_id else self.tr("Nouvel arrêt ponctuel")
        )
        title.setStyleSheet(SUBTITLE_STYLE)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setStyleSheet("color: #1f3a5f;")
        self.rule_label.setVisible(bool(rule))
        if rule:
            self.rule_label.setText(
                self.tr(
                    "Cet arrêt fait partie de la tournée régulière « %1 » : seule cette date "
                    "est modifiée. Pour changer toute la tournée, utilisez « Modifier » puis "
                    "« Toute la tournée régulière »."
                ).replace("%1", rule)
            )

        form = QFormLayout()
        form.addRow(self.tr("Commune * :"), wrap(self.commune_picker, "commune_insee"))
        form.addRow(self.tr("Date * :"), wrap(self.date_edit, "stop_date"))
        form.addRow(self.tr("Début * :"), wrap(self.start_edit, "start_time"))
        form.addRow(self.tr("Fin * :"), wrap(self.end_edit, "end_time"))
        form.addRow(self.tr("Lieu * :"), wrap(self.place_edit, "place"))
        form.addRow(self.tr("Services * :"), wrap(self.services_combo, "services"))

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Fermer sans enregistrer"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Enregistrer"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.rule_label)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(footer)
        self.resize(620, 480)

        if stop_id:
            self._load(stop_id)
        else:
            self.commune_picker.edit.setFocus()

    # -- loading -----------------------------------------------------------------------------

    def _load(self, stop_id: str) -> None:
        store = self.context.store
        self._set_busy(True)

        def load() -> StopInput:
            with store.session() as session:
                return load_stop(session, store.user, stop_id)

        self.context.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, form: StopInput) -> None:
        self._set_busy(False)
        self.commune_picker.set_commune(form.commune_insee)
        if form.stop_date:
            self.date_edit.setDate(to_qdate(form.stop_date))
        if form.start_time:
            self.start_edit.setTime(to_qtime(form.start_time))
        if form.end_time:
            self.end_edit.setTime(to_qtime(form.end_time))
        self.place_edit.setText(form.place)
        set_combo_data(self.services_combo, form.services)
        self.loaded.emit()

    # -- saving ------------------------------------------------------------------------------

    def current_input(self) -> StopInput:
        """What the form holds; the core checks it."""
        return StopInput(
            commune_insee=self.commune_picker.commune_insee(),
            stop_date=from_qdate(self.date_edit.date()),
            start_time=from_qtime(self.start_edit.time()),
            end_time=from_qtime(self.end_edit.time()),
            place=self.place_edit.text(),
            services=self.services_combo.currentData(),
            stop_id=self.stop_id,
        )

    def error_text(self, key: str) -> str:
        """The message shown under a field ("" when none)."""
        return self.errors.text(key)

    def _on_save(self) -> None:
        if self._busy:
            return
        form = self.current_input()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self._set_busy(True)
        self._saving = True
        self._show_message(self.tr("Enregistrement…"))
        self.context.runner.submit(
            lambda: save_stop(store, form, ref, today), self._on_saved, self._on_failed
        )

    def _on_saved(self, stop_id: str) -> None:
        self._set_busy(False)
        self.saved_id = stop_id
        self.stop_saved.emit(stop_id)
        self.context.events.records_changed.emit()
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            _labels, others = self.errors.show(exc.errors)
            summary = self.tr("Rien n'a été enregistré : corrigez les champs signalés en rouge.")
            self._show_message("\n".join([summary, *others]), error=True)
        elif isinstance(exc, PermissionError | LookupError):
            self.errors.clear()
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", type(exc).__name__
                ),
                error=True,
            )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if not busy:
            self._saving = False
        self.save_button.setEnabled(not busy)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #555;")
        self.message_label.setText(text)

    def reject(self) -> None:
        if not self._saving:  # a save under way finishes first: its answer decides
            super().reject()
