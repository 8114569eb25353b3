"""The two halves of the PMI form that depend on the kind of consultation.

A child: measures with their growth chart (updated as the nurse types), feeding, the
vaccination checklist and the development milestones. A pregnancy: gestational age, expected
term, the mother's weight, blood pressure and the early prenatal interview. Each section
fills its fields from a ``PmiForm`` and writes them back into one; the screen does the rest.
The child's section also says, as the nurse types, which measures or doses contradict the
child's file (the core's rules); the screen asks for a confirmation of those before saving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from van_app.core.growth import (
    EvolutionWarning,
    GrowthPoint,
    GrowthStandards,
    implausible_evolution,
)
from van_app.core.measures import age_in_months, age_text
from van_app.core.pmi import PmiForm, PmiScreenData, check_form
from van_app.core.reference import ReferenceData
from van_app.core.vaccination import check_vaccinations, new_dose_interval_warnings
from van_app.ui.widgets.growth_chart import GrowthChartWidget
from van_app.ui.widgets.measure_edit import HEAD, LENGTH, MATERNAL_WEIGHT, WEIGHT, MeasureEdit
from van_app.ui.widgets.pmi_parts import (
    ALERT_STYLE,
    DevelopmentWidget,
    OptionalDateEdit,
    VaccinationsWidget,
)
from van_app.ui.widgets.social_parts import FieldErrors, fill_combo

TERM_DAYS = 287  # the expected term is at 41 weeks of amenorrhoea (French practice)


def _plausibility(
    data: PmiScreenData, ref: ReferenceData, today: dt.date, key: str
) -> Callable[[int], str]:
    """A check of one measure by the core's own rules, so the message is the save's."""
    blank = PmiForm(beneficiary_id=data.person.id, kind=data.kind)

    def check(value: int) -> str:
        form = replace(blank, **{key: value})
        return check_form(form, data.person, ref, today, data.day).get(key, "")

    return check


class ChildSectionWidget(QWidget):
    """Measures and development beside the chart, then the vaccinations."""

    def __init__(self, ref: ReferenceData, errors: FieldErrors) -> None:
        super().__init__()
        self._day = dt.date.today()
        self._birth = self._day
        self._history: tuple[GrowthPoint, ...] = ()
        wrap = errors.wrap
        self.age_label = QLabel()
        self.age_label.setStyleSheet("font-weight: 600;")
        self.weight_edit = MeasureEdit(WEIGHT, errors, "weight_g")
        self.length_edit = MeasureEdit(LENGTH, errors, "length_mm")
        self.head_edit = MeasureEdit(HEAD, errors, "head_circumference_mm")
        self.feeding_combo = QComboBox()
        self.feeding_combo.setMinimumContentsLength(24)
        fill_combo(self.feeding_combo, ref.feeding_modes, self.tr("Choisissez…"))
        measures = QGroupBox(self.tr("Mesures et alimentation"))
        form = QFormLayout(measures)
        form.addRow(self.tr("Âge :"), self.age_label)
        form.addRow(self.tr("Poids :"), wrap(self.weight_edit, "weight_g"))
        form.addRow(self.tr("Taille :"), wrap(self.length_edit, "length_mm"))
        form.addRow(self.tr("Périmètre crânien :"), wrap(self.head_edit, "head_circumference_mm"))
        self.evolution_label = QLabel()
        self.evolution_label.setWordWrap(True)
        self.evolution_label.setStyleSheet(ALERT_STYLE)
        self.evolution_label.hide()
        form.addRow(self.evolution_label)
        form.addRow(self.tr("Alimentation :"), wrap(self.feeding_combo, "feeding_mode"))
        self.units_hint = hint = QLabel(
            self.tr("Unités acceptées : kg ou g, cm ou mm. La virgule ou le point.")
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)
        for edit in (self.weight_edit, self.length_edit, self.head_edit):
            edit.value_changed.connect(self._update_chart)

        self.chart = GrowthChartWidget()
        chart_box = QGroupBox(self.tr("Courbes de croissance"))
        QVBoxLayout(chart_box).addWidget(self.chart)
        self.vaccinations = VaccinationsWidget()
        vaccinations_box = QGroupBox(self.tr("Vaccinations (calendrier des vaccinations)"))
        QVBoxLayout(vaccinations_box).addWidget(wrap(self.vaccinations, "vaccinations"))
        self.development = DevelopmentWidget()
        self.development_box = QGroupBox(self.tr("Développement : repères acquis"))
        QVBoxLayout(self.development_box).addWidget(wrap(self.development, "development"))

        left = QVBoxLayout()
        left.addWidget(measures)
        left.addWidget(self.development_box, 1)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(chart_box, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(vaccinations_box)

    def set_data(
        self,
        data: PmiScreenData,
        form: PmiForm,
        standards: GrowthStandards | None,
        ref: ReferenceData,
        today: dt.date,
    ) -> None:
        person = data.person
        self._day, self._birth = data.day, person.birth_date
        self._history = data.growth
        self.age_label.setText(age_text(person.birth_date, data.day))
        self.chart.set_child(standards, person.sex, person.birth_date, data.growth)
        for edit, value in (
            (self.weight_edit, form.weight_g),
            (self.length_edit, form.length_mm),
            (self.head_edit, form.head_circumference_mm),
        ):
            edit.set_plausibility(_plausibility(data, ref, today, edit.key))
            edit.set_value(value)
        self.feeding_combo.setCurrentIndex(max(0, self.feeding_combo.findData(form.feeding_mode)))
        check = check_vaccinations(ref, person.birth_date, data.day, data.doses_before)
        doses_before, day = dict(data.doses_before), data.day
        self.vaccinations.set_interval_check(
            lambda given: new_dose_interval_warnings(ref, doses_before, given, day)
        )
        self.vaccinations.set_doses(check.doses, data.day, form.vaccinations, data.editable)
        self.development.set_milestones(
            ref.development_milestones,
            age_in_months(person.birth_date, data.day),
            data.development_before,
            form.development,
        )
        self._update_chart()

    def current_point(self) -> GrowthPoint | None:
        """This consultation's plausible measures, as a point of the chart."""
        values = [e.plausible_value() for e in (self.weight_edit, self.length_edit, self.head_edit)]
        if all(v is None for v in values):
            return None
        return GrowthPoint("", self._day, (self._day - self._birth).days, *values)

    def _update_chart(self) -> None:
        self.chart.set_current(self.current_point())
        messages = [w.message for w in self.evolution_warnings()]
        self.evolution_label.setText(
            self.tr("À vérifier : %1").replace("%1", " ".join(messages)) if messages else ""
        )
        self.evolution_label.setVisible(bool(messages))

    def evolution_warnings(self) -> list[EvolutionWarning]:
        """This consultation's measures that cannot follow the child's earlier ones."""
        point = self.current_point()
        if point is None:
            return []
        return implausible_evolution(
            self._history,
            self._day,
            point.weight_g,
            point.length_mm,
            point.head_circumference_mm,
        )

    def save_warnings(self) -> list[str]:
        """What the nurse must confirm before saving: implausible measures, close doses."""
        evolution = [w.message for w in self.evolution_warnings()]
        return evolution + [w.message for w in self.vaccinations.interval_warnings()]

    def focus_first_warning(self) -> None:
        """Back to the first measure to correct (or the vaccinations) after "Corriger"."""
        warnings = self.evolution_warnings()
        if warnings:
            edit = self.measure_edits()[warnings[0].key].edit
            edit.setFocus()
            edit.selectAll()
        else:
            self.vaccinations.table.setFocus()

    def fill(self, form: PmiForm) -> None:
        form.weight_g = self.weight_edit.value()
        form.length_mm = self.length_edit.value()
        form.head_circumference_mm = self.head_edit.value()
        form.feeding_mode = self.feeding_combo.currentData()
        form.vaccinations = self.vaccinations.model.given_codes()
        form.development = self.development.codes.checked_codes()

    def unreadable(self) -> dict[str, str]:
        """The measures whose text cannot be read: the form cannot carry them to the core."""
        edits = (self.weight_edit, self.length_edit, self.head_edit)
        return {e.key: e.problem() for e in edits if e.is_unreadable()}

    def measure_edits(self) -> dict[str, MeasureEdit]:
        return {e.key: e for e in (self.weight_edit, self.length_edit, self.head_edit)}

    def set_read_only(self, read_only: bool) -> None:
        for edit in (self.weight_edit, self.length_edit, self.head_edit):
            edit.set_read_only(read_only)
        self.feeding_combo.setEnabled(not read_only)
        self.units_hint.setVisible(not read_only)
        self.vaccinations.set_read_only(read_only)
        self.development.set_read_only(read_only)


class PrenatalSectionWidget(QWidget):
    """The pregnancy follow-up: term, weight, blood pressure, early prenatal interview."""

    def __init__(self, ref: ReferenceData, errors: FieldErrors) -> None:
        super().__init__()
        self._day = dt.date.today()
        wrap = errors.wrap
        self.weeks_spin = QSpinBox()
        self.weeks_spin.setRange(0, ref.prenatal_limits.gestational_age_weeks[1])
        self.weeks_spin.setSpecialValueText(self.tr("non renseigné"))
        self.weeks_spin.setSuffix(self.tr(" SA"))
        self.weeks_spin.setFixedWidth(150)
        self.term_edit = OptionalDateEdit(self.tr("connue :"))
        self.term_edit.changed.connect(self._update_term_hint)
        self.term_hint = QLabel()
        self.term_hint.setStyleSheet("color: #555;")
        term_row = QWidget()
        term_layout = QHBoxLayout(term_row)
        term_layout.setContentsMargins(0, 0, 0, 0)
        term_layout.addWidget(self.term_edit)
        term_layout.addWidget(self.term_hint, 1)
        self.weight_edit = MeasureEdit(MATERNAL_WEIGHT, errors, "maternal_weight_g")
        self.systolic_spin = self._pressure_spin(ref.prenatal_limits.blood_pressure_systolic_mmhg)
        self.diastolic_spin = self._pressure_spin(ref.prenatal_limits.blood_pressure_diastolic_mmhg)
        pressure_row = QWidget()
        pressure_layout = QHBoxLayout(pressure_row)
        pressure_layout.setContentsMargins(0, 0, 0, 0)
        pressure_layout.addWidget(self.systolic_spin)
        pressure_layout.addWidget(QLabel("/"))
        pressure_layout.addWidget(self.diastolic_spin)
        pressure_layout.addWidget(QLabel(self.tr("mmHg (systolique / diastolique)")))
        pressure_layout.addStretch(1)
        self.interview_combo = QComboBox()
        fill_combo(
            self.interview_combo,
            [("yes", self.tr("Oui, réalisé")), ("no", self.tr("Non, pas encore"))],
            self.tr("Non renseigné"),
        )
        self.interview_combo.setMaximumWidth(220)
        box = QGroupBox(self.tr("Suivi de grossesse"))
        form = QFormLayout(box)
        form.addRow(self.tr("Âge gestationnel :"), wrap(self.weeks_spin, "gestational_age_weeks"))
        form.addRow(self.tr("Date prévue d'accouchement :"), wrap(term_row, "expected_term_date"))
        form.addRow(self.tr("Poids de la mère :"), wrap(self.weight_edit, "maternal_weight_g"))
        form.addRow(
            self.tr("Tension artérielle :"),
            wrap(wrap(pressure_row, "blood_pressure_systolic"), "blood_pressure_diastolic"),
        )
        form.addRow(
            self.tr("Entretien prénatal précoce :"),
            wrap(self.interview_combo, "early_prenatal_interview_done"),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)

    def _pressure_spin(self, bounds: tuple[int, int]) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, bounds[1])
        spin.setSpecialValueText("—")
        spin.setFixedWidth(90)
        return spin

    def set_data(
        self, data: PmiScreenData, form: PmiForm, ref: ReferenceData, today: dt.date
    ) -> None:
        self._day = data.day
        self.weight_edit.set_plausibility(_plausibility(data, ref, today, "maternal_weight_g"))
        self.weeks_spin.setValue(form.gestational_age_weeks or 0)
        self.term_edit.set_value(form.expected_term_date, data.day + dt.timedelta(days=140))
        self.weight_edit.set_value(form.maternal_weight_g)
        self.systolic_spin.setValue(form.blood_pressure_systolic or 0)
        self.diastolic_spin.setValue(form.blood_pressure_diastolic or 0)
        done = form.early_prenatal_interview_done
        code = None if done is None else ("yes" if done else "no")
        self.interview_combo.setCurrentIndex(max(0, self.interview_combo.findData(code)))
        self._update_term_hint()

    def _update_term_hint(self) -> None:
        """ "soit 24 SA + 3 j ce jour": the age the term implies, to check against the weeks."""
        term = self.term_edit.value()
        days = TERM_DAYS - (term - self._day).days if term else -1
        if term is None or not 0 <= days <= 45 * 7:
            self.term_hint.setText("")
            return
        weeks, rest = divmod(days, 7)
        text = self.tr("soit %1 SA").replace("%1", str(weeks))
        if rest:
            text += self.tr(" + %1 j").replace("%1", str(rest))
        self.term_hint.setText(text + self.tr(" le jour de la consultation"))

    def fill(self, form: PmiForm) -> None:
        form.gestational_age_weeks = self.weeks_spin.value() or None
        form.expected_term_date = self.term_edit.value()
        form.maternal_weight_g = self.weight_edit.value()
        form.blood_pressure_systolic = self.systolic_spin.value() or None
        form.blood_pressure_diastolic = self.diastolic_spin.value() or None
        code = self.interview_combo.currentData()
        form.early_prenatal_interview_done = None if code is None else code == "yes"

    def unreadable(self) -> dict[str, str]:
        edit = self.weight_edit
        return {edit.key: edit.problem()} if edit.is_unreadable() else {}

    def measure_edits(self) -> dict[str, MeasureEdit]:
        return {self.weight_edit.key: self.weight_edit}

    def set_read_only(self, read_only: bool) -> None:
        for spin in (self.weeks_spin, self.systolic_spin, self.diastolic_spin):
            spin.setReadOnly(read_only)
        self.term_edit.set_read_only(read_only)
        self.weight_edit.set_read_only(read_only)
        self.interview_combo.setEnabled(not read_only)
