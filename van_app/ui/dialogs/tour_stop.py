"""One stop of the van: a new one-off stop, or one date of the plan changed on its own.

The core checks the whole stop and saves nothing on an error; each French message shows
under its field. Changing the date of a repeating tour's stop moves that date only: the tour
will not bring the original date back.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from van_app.core.tour_planning import StopInput, load_stop, save_stop
from van_app.ui.context import AppContext
from van_app.ui.dialogs.tour_form_base import TourFormDialog
from van_app.ui.widgets.social_parts import date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import SUBTITLE_STYLE
from van_app.ui.widgets.tour_fields import from_qtime


class TourStopDialog(TourFormDialog):
    """Accepted once the stop is saved; ``saved_id`` is its id."""

    stop_saved = Signal(str)
    loaded = Signal()
    save_form = staticmethod(save_stop)

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
        super().__init__(context, parent)
        self.stop_id = stop_id
        self.saved_id = ""
        wrap = self.errors.wrap
        self.setWindowTitle(self.tr("Modifier l'arrêt") if stop_id else self.tr("Nouvel arrêt"))

        self.date_edit = date_edit()
        self.date_edit.setDate(to_qdate(day or context.today()))
        self.date_edit.setMaximumWidth(150)

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

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.rule_label)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(self._footer())
        self.resize(620, 480)

        if stop_id:
            self._load(load_stop, stop_id)
        else:
            self.commune_picker.edit.setFocus()

    # -- loading -----------------------------------------------------------------------------

    def _on_loaded(self, form: StopInput) -> None:
        self._set_busy(False)
        self._fill_stop_fields(form)
        if form.stop_date:
            self.date_edit.setDate(to_qdate(form.stop_date))
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

    def _on_saved(self, stop_id: str) -> None:
        self._set_busy(False)
        self.saved_id = stop_id
        self.stop_saved.emit(stop_id)
        self.context.events.records_changed.emit()
        self.accept()
