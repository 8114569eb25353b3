"""A repeating tour: "le 2e mardi de chaque mois" at a commune, its hours, place and services.

The rule is picked with two lists (which week, which day) and the next dates show as it
changes, so the supervisor sees the calendar before saving it. Saving generates the dated
stops of the next twelve months; public holidays are left out and said so.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.tour_calendar import (
    WEEKDAYS,
    WEEKS_OF_MONTH,
    french_long_date,
    next_occurrences,
    public_holiday,
    week_of_month_text,
)
from van_app.core.tour_planning import PatternInput, PatternSaved, load_pattern, save_pattern
from van_app.ui.context import AppContext
from van_app.ui.dialogs.tour_form_base import TourFormDialog
from van_app.ui.widgets.social_parts import date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import SUBTITLE_STYLE
from van_app.ui.widgets.tour_fields import from_qtime, set_combo_data

PREVIEW_COUNT = 6
WORKING_DAYS = 6  # Monday to Saturday: the van does not go out on Sundays


class TourPatternDialog(TourFormDialog):
    """Accepted once saved; ``result_summary`` holds what the save did to the plan."""

    pattern_saved = Signal(object)  # PatternSaved
    loaded = Signal()
    save_form = staticmethod(save_pattern)

    def __init__(
        self, context: AppContext, pattern_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.pattern_id = pattern_id
        self.saved: PatternSaved | None = None
        self._skipped: tuple[str, ...] = ()
        wrap = self.errors.wrap
        today = context.today()
        self.setWindowTitle(
            self.tr("Modifier la tournée régulière")
            if pattern_id
            else self.tr("Nouvelle tournée régulière")
        )

        self.week_combo = QComboBox()
        for week in WEEKS_OF_MONTH:
            self.week_combo.addItem(week_of_month_text(week), week)
        self.weekday_combo = QComboBox()
        for index, name in enumerate(WEEKDAYS[:WORKING_DAYS]):
            self.weekday_combo.addItem(name, index)
        set_combo_data(self.week_combo, 2)
        set_combo_data(self.weekday_combo, 1)
        rule_row = QHBoxLayout()
        rule_row.setContentsMargins(0, 0, 0, 0)
        rule_row.addWidget(QLabel(self.tr("le")))
        rule_row.addWidget(self.week_combo)
        rule_row.addWidget(self.weekday_combo)
        rule_row.addWidget(QLabel(self.tr("de chaque mois")))
        rule_row.addStretch(1)
        rule_box = QWidget()
        rule_box.setLayout(rule_row)

        self.first_date_edit = date_edit()
        self.first_date_edit.setDate(to_qdate(today))
        self.first_date_edit.setMaximumWidth(150)
        self.no_end_check = QCheckBox(self.tr("sans date de fin"))
        self.no_end_check.setChecked(True)
        self.last_date_edit = date_edit()
        self.last_date_edit.setDate(to_qdate(today))
        self.last_date_edit.setMaximumWidth(150)
        self.last_date_edit.setEnabled(False)
        end_row = QHBoxLayout()
        end_row.setContentsMargins(0, 0, 0, 0)
        end_row.addWidget(self.last_date_edit)
        end_row.addWidget(self.no_end_check)
        end_row.addStretch(1)
        end_box = QWidget()
        end_box.setLayout(end_row)

        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setStyleSheet(
            "background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 4px; padding: 6px;"
        )
        self.skipped_label = QLabel()
        self.skipped_label.setWordWrap(True)
        self.skipped_label.setStyleSheet("color: #555;")
        self.skipped_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("Commune * :"), wrap(self.commune_picker, "commune_insee"))
        rule_wrap = wrap(rule_box, "weekday")
        self.errors.labels["week_of_month"] = self.errors.labels["weekday"]
        form.addRow(self.tr("Passage * :"), rule_wrap)
        form.addRow(self.tr("À partir du * :"), wrap(self.first_date_edit, "first_date"))
        form.addRow(self.tr("Jusqu'au :"), wrap(end_box, "last_date"))
        form.addRow(self.tr("Début * :"), wrap(self.start_edit, "start_time"))
        form.addRow(self.tr("Fin * :"), wrap(self.end_edit, "end_time"))
        form.addRow(self.tr("Lieu * :"), wrap(self.place_edit, "place"))
        form.addRow(self.tr("Services * :"), wrap(self.services_combo, "services"))
        form.addRow(self.tr("Prochains passages :"), self.preview_label)
        form.addRow("", self.skipped_label)

        title = QLabel(
            self.tr("Modifier la tournée régulière")
            if pattern_id
            else self.tr("Nouvelle tournée régulière")
        )
        title.setStyleSheet(SUBTITLE_STYLE)
        note = QLabel(
            self.tr(
                "Les arrêts des 12 prochains mois sont créés d'après cette règle et envoyés aux "
                "camions. Les arrêts passés, ceux où des personnes ont été reçues et ceux "
                "modifiés un par un ne sont pas touchés."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")

        self.save_button.setText(self.tr("Enregistrer la tournée"))

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(self._footer())
        self.resize(700, 680)

        for combo in (self.week_combo, self.weekday_combo):
            combo.currentIndexChanged.connect(self.update_preview)
        self.first_date_edit.dateChanged.connect(self.update_preview)
        self.last_date_edit.dateChanged.connect(self.update_preview)
        self.no_end_check.toggled.connect(self._on_no_end_toggled)
        self.update_preview()
        if pattern_id:
            self._load(load_pattern, pattern_id)
        else:
            self.commune_picker.edit.setFocus()

    # -- the rule and its preview -------------------------------------------------------------

    def current_input(self) -> PatternInput:
        """What the form holds; the core checks it."""
        return PatternInput(
            commune_insee=self.commune_picker.commune_insee(),
            weekday=self.weekday_combo.currentData(),
            week_of_month=self.week_combo.currentData(),
            first_date=from_qdate(self.first_date_edit.date()),
            last_date=None
            if self.no_end_check.isChecked()
            else from_qdate(self.last_date_edit.date()),
            start_time=from_qtime(self.start_edit.time()),
            end_time=from_qtime(self.end_edit.time()),
            place=self.place_edit.text(),
            services=self.services_combo.currentData(),
            pattern_id=self.pattern_id,
        )

    def preview_dates(self) -> list[dt.date]:
        """The next dates of the rule as it stands in the form (pure date arithmetic)."""
        form = self.current_input()
        if form.last_date is not None and form.last_date < form.first_date:  # type: ignore[operator]
            return []
        return next_occurrences(form, self.context.today(), PREVIEW_COUNT, self._skipped)  # type: ignore[arg-type]

    def update_preview(self, *_: object) -> None:
        dates = self.preview_dates()
        if not dates:
            self.preview_label.setText(self.tr("Aucun passage avec ces dates."))
            return
        lines = []
        for day in dates:
            holiday = public_holiday(day)
            line = french_long_date(day)
            if holiday:
                line += self.tr(" — jour férié (%1) : pas de passage").replace("%1", holiday)
            lines.append(line)
        self.preview_label.setText("\n".join(lines))

    def _on_no_end_toggled(self, checked: bool) -> None:
        self.last_date_edit.setEnabled(not checked)
        self.update_preview()

    # -- loading -----------------------------------------------------------------------------

    def _on_loaded(self, form: PatternInput) -> None:
        self._set_busy(False)
        self._skipped = form.skipped_dates
        self._fill_stop_fields(form)
        set_combo_data(self.week_combo, form.week_of_month)
        set_combo_data(self.weekday_combo, form.weekday)
        if form.first_date:
            self.first_date_edit.setDate(to_qdate(form.first_date))
        self.no_end_check.setChecked(form.last_date is None)
        if form.last_date:
            self.last_date_edit.setDate(to_qdate(form.last_date))
        if self._skipped:
            shown = ", ".join(format_date(dt.date.fromisoformat(d)) for d in self._skipped)
            self.skipped_label.setText(
                self.tr("Dates annulées ou déplacées, qui ne seront pas recréées : %1").replace(
                    "%1", shown
                )
            )
            self.skipped_label.show()
        self.update_preview()
        self.loaded.emit()

    # -- saving ------------------------------------------------------------------------------

    def _on_saved(self, saved: PatternSaved) -> None:
        self._set_busy(False)
        self.saved = saved
        self.pattern_saved.emit(saved)
        self.context.events.records_changed.emit()
        self.accept()
