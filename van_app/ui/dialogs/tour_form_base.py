"""What the stop and repeating-tour dialogs share: the stop fields, the footer, and how a
load or a save runs in the background and how its failure is told to the user.

One place, so that both dialogs say "Rien n'a été enregistré" the same way and both keep the
window open while a save is under way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.commune_picker import CommunePickerWidget
from van_app.ui.widgets.social_parts import FieldErrors
from van_app.ui.widgets.style import ERROR_STYLE
from van_app.ui.widgets.tour_fields import (
    DEFAULT_HOURS,
    services_combo,
    set_combo_data,
    time_edit,
    to_qtime,
)


class StopFields(Protocol):
    """The fields a loaded stop or tour gives back (StopInput, PatternInput)."""

    commune_insee: str
    start_time: Any
    end_time: Any
    place: str
    services: str


class TourFormDialog(QDialog):
    """Base of TourStopDialog and TourPatternDialog; subclasses lay the fields out."""

    save_form: Callable[..., Any]  # the core's save, set as a staticmethod by each subclass

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._busy = False
        self._saving = False
        self.errors = FieldErrors()

        self.commune_picker = CommunePickerWidget(context.reference)
        self.start_edit = time_edit(DEFAULT_HOURS[0])
        self.end_edit = time_edit(DEFAULT_HOURS[1])
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText(self.tr("Ex. : parking de la salle des fêtes"))
        self.services_combo = services_combo()

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Fermer sans enregistrer"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Enregistrer"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save)

    def _footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)
        return footer

    def _fill_stop_fields(self, form: StopFields) -> None:
        """Commune, hours, place and services, as loaded."""
        self.commune_picker.set_commune(form.commune_insee)
        if form.start_time:
            self.start_edit.setTime(to_qtime(form.start_time))
        if form.end_time:
            self.end_edit.setTime(to_qtime(form.end_time))
        self.place_edit.setText(form.place)
        set_combo_data(self.services_combo, form.services)

    # -- background work ---------------------------------------------------------------------

    def _load(self, load_one: Callable[..., Any], record_id: str) -> None:
        """Reads the record with ``load_one(session, user, record_id)`` off the UI thread."""
        store = self.context.store

        def load() -> Any:
            with store.session() as session:
                return load_one(session, store.user, record_id)

        self._set_busy(True)
        self.context.runner.submit(load, self._on_loaded, self._on_failed)

    def current_input(self) -> Any:  # pragma: no cover - overridden
        """What the form holds (StopInput, PatternInput); the core checks it."""
        raise NotImplementedError

    def _on_save(self) -> None:
        """Hands the form to ``save_form`` (store, form, reference, today) off the UI thread."""
        if self._busy:
            return
        form = self.current_input()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        save = self.save_form
        self._set_busy(True)
        self._saving = True
        self._show_message(self.tr("Enregistrement…"))
        self.context.runner.submit(
            lambda: save(store, form, ref, today), self._on_saved, self._on_failed
        )

    def _on_loaded(self, form: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _on_saved(self, result: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

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
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def error_text(self, key: str) -> str:
        """The message shown under a field ("" when none)."""
        return self.errors.text(key)

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
