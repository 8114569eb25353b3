"""The PMI nurse's consultation: a child's follow-up or a pregnancy follow-up.

The kind comes from the person (a child under 6, a woman): the core decides, the screen
shows the matching section. Measures are typed the French way and plotted on the WHO curves
while they are typed; the standards are read once, in the loading task. Draft, sign (after a
confirmation), then read-only with addenda only, as for the social consultation. The core
validates the whole form; each French message lands under its field and nothing is written.
Measures that contradict the child's earlier ones, or two doses of one vaccine too close
together, are asked about before saving: "Corriger" keeps the form as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from van_app.core.growth import GrowthStandards, growth_standards
from van_app.core.pmi import (
    PmiForm,
    PmiScreenData,
    add_pmi_addendum,
    blank_form,
    load_pmi_screen,
    save_pmi_draft,
    sign_pmi_consultation,
)
from van_app.core.social_form import AddendumView
from van_app.ui.context import AppContext
from van_app.ui.widgets.code_list import CodeListWidget
from van_app.ui.widgets.consultation_form import ConsultationFormBase, Reader
from van_app.ui.widgets.pmi_parts import (
    OptionalDateEdit,
    PmiHeaderWidget,
    ask_to_confirm_warnings,
)
from van_app.ui.widgets.pmi_sections import ChildSectionWidget, PrenatalSectionWidget
from van_app.ui.widgets.social_parts import date_edit, fill_combo, from_qdate, to_qdate

Loaded = tuple[PmiScreenData, GrowthStandards | None]


class PmiConsultationScreen(ConsultationFormBase):
    """Create, complete and sign a PMI consultation for one child or one pregnant woman."""

    data: PmiScreenData | None
    header: PmiHeaderWidget
    work_kind = "pmi"
    form_type = PmiForm
    work_label = "Consultation de PMI"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, PmiHeaderWidget(), parent)
        wrap = self.errors.wrap
        ref = context.reference
        self.child = ChildSectionWidget(ref, self.errors)
        self.prenatal = PrenatalSectionWidget(ref, self.errors)
        self.confirm_warnings: Callable[[QWidget, list[str]], bool] = ask_to_confirm_warnings

        # -- advice, orientation, next appointment -------------------------------------------
        self.advice_list = CodeListWidget(
            filterable=True,
            filter_placeholder=self.tr("Filtrer les thèmes…"),
            empty_text=self.tr("Aucun conseil indiqué."),
            visible_rows=7,
        )
        advice_box = QGroupBox(self.tr("Conseils donnés"))
        self._advice_layout = QVBoxLayout(advice_box)
        self._advice_field = wrap(self.advice_list, "advice_topics")
        self._advice_layout.addWidget(self._advice_field, 1)
        self._advice_layout.addStretch(1)  # read-only, the list shrinks to what was ticked

        self.duration_spin = self._make_duration_spin()
        self.partner_combo = QComboBox()
        self.partner_combo.setMinimumContentsLength(30)
        fill_combo(self.partner_combo, ref.partners_for("pmi"), self.tr("Aucune orientation"))
        self.partner_combo.currentIndexChanged.connect(self._on_partner_changed)
        self.orientation_date = date_edit()
        self.orientation_date.setFixedWidth(150)
        orientation_row = QWidget()
        orientation_layout = QHBoxLayout(orientation_row)
        orientation_layout.setContentsMargins(0, 0, 0, 0)
        orientation_layout.addWidget(self.partner_combo)
        orientation_layout.addWidget(QLabel(self.tr("le")))
        orientation_layout.addWidget(self.orientation_date)
        orientation_layout.addStretch(1)
        self.next_appointment = OptionalDateEdit(self.tr("fixé au"))
        follow_box = QGroupBox(self.tr("Orientation et suite"))
        follow_form = QFormLayout(follow_box)
        follow_form.addRow(
            self.tr("Orientation :"),
            wrap(wrap(orientation_row, "orientation_partner"), "orientation_date"),
        )
        follow_form.addRow(
            self.tr("Prochain rendez-vous :"), wrap(self.next_appointment, "next_appointment")
        )
        follow_form.addRow(
            self.tr("Durée de la consultation :"), wrap(self.duration_spin, "duration_minutes")
        )

        # -- the note ----------------------------------------------------------------------
        reminder = self.tr(
            "Notez des faits observés, sans jugement ; secret médical : cette note n'est lue "
            "que par le personnel de PMI, et la personne peut demander à la lire."
        )
        note_box = self._note_box(self.tr("Note de la consultation"), reminder, 90)

        lists_row = QHBoxLayout()
        lists_row.addWidget(advice_box, 1)
        lists_row.addWidget(follow_box, 1)
        self.prenatal.hide()
        self._assemble(
            [self.child, self.prenatal, lists_row, note_box, self._addenda_box(reminder)]
        )

    # -- the PMI kinds ------------------------------------------------------------------------

    def _reader(self) -> Reader:
        store, ref, today = self.context.store, self.context.reference, self.context.today()

        def read(person_id: str, consultation_id: str | None) -> Loaded:
            data = load_pmi_screen(store, person_id, consultation_id, ref, today)
            return data, growth_standards() if data.kind == "child" else None

        return read

    def _show_loaded(self, result: Loaded) -> None:
        data, standards = result
        self.data = data
        form = self._form_to_show(blank_form(data))
        ref, today = self.context.reference, self.context.today()
        self.header.set_data(data, self.context.store.user.display_name)
        is_child = data.kind == "child"
        self.child.setVisible(is_child)
        self.prenatal.setVisible(not is_child)
        self.errors.clear()
        if is_child:
            self.child.set_data(data, form, standards, ref, today)
        else:
            self.prenatal.set_data(data, form, ref, today)
        self.advice_list.set_items([])
        self.advice_list.set_items(ref.advice_topics_for(data.kind))
        self.advice_list.set_checked_codes(form.advice_topics)
        self.partner_combo.setCurrentIndex(
            max(0, self.partner_combo.findData(form.orientation_partner))
        )
        self.orientation_date.setDate(to_qdate(form.orientation_date or data.day))
        self.next_appointment.set_value(form.next_appointment, _in_a_month(data.day))
        self.duration_spin.setValue(form.duration_minutes or 0)
        if self.note_edit.toPlainText() != form.note:
            self.note_edit.setPlainText(form.note)

    def _set_editable(self, editable: bool) -> None:
        self.child.set_read_only(not editable)
        self.prenatal.set_read_only(not editable)
        self.advice_list.set_read_only(not editable)
        self._advice_layout.setStretchFactor(self._advice_field, 1 if editable else 0)
        self._advice_layout.setStretch(1, 0 if editable else 1)
        self.partner_combo.setEnabled(editable)
        self.orientation_date.setReadOnly(not editable)
        self.orientation_date.setEnabled(self.partner_combo.currentData() is not None)
        self.next_appointment.set_read_only(not editable)

    def current_form(self) -> PmiForm:
        """What the form holds now, as plain values for the core."""
        assert self.data is not None
        form = blank_form(self.data)
        if self.data.kind == "child":
            self.child.fill(form)
        else:
            self.prenatal.fill(form)
        form.advice_topics = self.advice_list.checked_codes()
        form.orientation_partner = self.partner_combo.currentData()
        form.orientation_date = (
            from_qdate(self.orientation_date.date()) if form.orientation_partner else None
        )
        form.next_appointment = self.next_appointment.value()
        form.duration_minutes = self.duration_spin.value() or None
        form.note = self.note_edit.toPlainText().strip()
        return form

    def _unreadable(self) -> dict[str, str]:
        if self.data is None:
            return {}
        section = self.child if self.data.kind == "child" else self.prenatal
        return section.unreadable()

    def _measure_edits(self) -> dict[str, Any]:
        if self.data is None:
            return {}
        section = self.child if self.data.kind == "child" else self.prenatal
        return section.measure_edits()

    def _raw_texts(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self._measure_edits().items()}

    def _restore_raw_texts(self, texts: dict[str, str]) -> None:
        for key, edit in self._measure_edits().items():
            if key in texts:
                edit.edit.setText(texts[key])

    def _tab_widgets(self) -> list[QWidget]:
        """Measures, development and vaccinations (a child) or the pregnancy, then the rest."""
        child, prenatal, later = self.child, self.prenatal, self.next_appointment
        return [
            child.weight_edit.edit,
            child.length_edit.edit,
            child.head_edit.edit,
            child.feeding_combo,
            child.development.codes.list,
            child.vaccinations.table,
            prenatal.weeks_spin,
            prenatal.term_edit.check,
            prenatal.term_edit.edit,
            prenatal.weight_edit.edit,
            prenatal.systolic_spin,
            prenatal.diastolic_spin,
            prenatal.interview_combo,
            self.advice_list.filter_edit,
            self.advice_list.list,
            self.partner_combo,
            self.orientation_date,
            later.check,
            later.edit,
            self.duration_spin,
        ]

    def _person_id(self) -> str:
        assert self.data is not None
        return self.data.person.id

    def _consultation_id(self) -> str | None:
        consultation = self.data.consultation if self.data is not None else None
        return consultation.id if consultation is not None else None

    def _is_signed(self) -> bool:
        consultation = self.data.consultation if self.data is not None else None
        return consultation is not None and consultation.status == "signed"

    def _addenda_views(self) -> list[AddendumView]:
        consultation = self.data.consultation if self.data is not None else None
        addenda = consultation.addenda if consultation is not None else ()
        return [AddendumView(a.id, a.note, a.author_name, a.created_at) for a in addenda]

    _save = staticmethod(save_pmi_draft)
    _sign = staticmethod(sign_pmi_consultation)
    _add_addendum = staticmethod(add_pmi_addendum)

    def _on_partner_changed(self) -> None:
        self.orientation_date.setEnabled(self.partner_combo.currentData() is not None)

    def _write_form(self, sign: bool) -> None:
        """Values that contradict the child's file are confirmed first; "Corriger" goes back
        to the first of them with the form untouched."""
        data = self.data
        if data is not None and data.kind == "child" and data.editable and not self._busy:
            warnings = [] if self._unreadable() else self.child.save_warnings()
            if warnings and not self.confirm_warnings(self, warnings):
                self._show_message(
                    self.tr("Rien n'a été enregistré : vérifiez les valeurs signalées."),
                    error=True,
                )
                self.child.focus_first_warning()
                return
        super()._write_form(sign)


def _in_a_month(day: dt.date) -> dt.date:
    """The default next appointment: a month later, the usual PMI rhythm for a baby."""
    return day + dt.timedelta(days=30)
