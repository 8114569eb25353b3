"""The social worker's consultation form: draft, sign, then only addenda.

Lists rather than free text (demand types, actions, partners, outcome); one objective note
with its reminder always in sight. The core validates the whole form; each French message is
shown under its own field, orientation and follow-up rows included.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from van_app.core.local_store import LocalStore
from van_app.core.measures import format_date
from van_app.core.reference import ReferenceData
from van_app.core.social import (
    AddendumView,
    SocialConsultationData,
    SocialForm,
    add_social_addendum,
    default_follow_up_due,
    load_social_consultation,
    save_social_draft,
    sign_social_consultation,
)
from van_app.ui.context import AppContext
from van_app.ui.widgets.code_list import CodeListWidget
from van_app.ui.widgets.consultation_form import ConsultationFormBase, Reader
from van_app.ui.widgets.social_header import SocialHeaderWidget
from van_app.ui.widgets.social_parts import (
    FollowUpRow,
    OrientationRow,
    RowList,
    date_edit,
    fill_combo,
    from_qdate,
    to_qdate,
)


class SocialConsultationScreen(ConsultationFormBase):
    """Create, complete and sign a social consultation for one person."""

    data: SocialConsultationData | None
    header: SocialHeaderWidget
    work_kind = "social"
    form_type = SocialForm
    work_label = "Consultation sociale"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, SocialHeaderWidget(), parent)
        wrap = self.errors.wrap
        ref = context.reference

        # -- the visit -------------------------------------------------------------------------
        self.date_edit = date_edit()
        self.date_edit.setFixedWidth(150)
        self.duration_spin = self._make_duration_spin()
        self.arrival_combo = QComboBox()
        self.arrival_combo.setMaximumWidth(380)
        fill_combo(self.arrival_combo, ref.arrival_modes, self.tr("Choisissez…"))
        # "Known to the CMS" is the person's, asked once at registration and corrected in her
        # file: the form only recalls it (the consultation keeps a copy, read by no figure).
        self.known_check = QCheckBox(self.tr("Connu·e du CMS avant cette visite"))
        self.known_check.hide()
        self.known_note = QLabel()
        self.known_note.setWordWrap(True)
        self.known_note.setStyleSheet("color: #555555;")
        visit = QGroupBox(self.tr("La visite"))
        visit_form = QFormLayout(visit)
        visit_form.addRow(self.tr("Date :"), wrap(self.date_edit, "consultation_date"))
        visit_form.addRow(self.tr("Durée :"), wrap(self.duration_spin, "duration_minutes"))
        visit_form.addRow(
            self.tr("Comment la personne est venue :"), wrap(self.arrival_combo, "arrival_mode")
        )
        visit_form.addRow("", self.known_check)
        visit_form.addRow("", self.known_note)

        # -- demand and actions ----------------------------------------------------------------
        self.demand_list = CodeListWidget(
            ref.demand_types,
            filterable=True,
            filter_placeholder=self.tr("Filtrer les demandes…"),
            empty_text=self.tr("Aucune demande indiquée."),
        )
        self.demand_list.checked_changed.connect(self._on_demand_types_changed)
        self.actions_list = CodeListWidget(
            ref.actions,
            filterable=True,
            filter_placeholder=self.tr("Filtrer les actions…"),
            empty_text=self.tr("Aucune action indiquée."),
        )
        demand_box = QGroupBox(self.tr("Demandes de la personne (une ou plusieurs)"))
        QVBoxLayout(demand_box).addWidget(wrap(self.demand_list, "demand_types"))
        actions_box = QGroupBox(self.tr("Actions réalisées"))
        QVBoxLayout(actions_box).addWidget(wrap(self.actions_list, "actions"))
        lists_row = QHBoxLayout()
        lists_row.addWidget(demand_box, 1)
        lists_row.addWidget(actions_box, 1)

        # -- outcome, orientations, follow-ups -------------------------------------------------
        self.outcome_combo = QComboBox()
        self.outcome_combo.setMaximumWidth(380)
        fill_combo(self.outcome_combo, ref.outcomes, self.tr("Choisissez…"))
        partners = ref.partners_for("social")
        self.orientations = RowList(
            lambda: OrientationRow(partners, from_qdate(self.date_edit.date())),
            self.tr("Ajouter une orientation"),
            self.tr("Aucune orientation."),
        )
        self.follow_ups = RowList(
            lambda: FollowUpRow(
                self._demand_choices(), default_follow_up_due(from_qdate(self.date_edit.date()))
            ),
            self.tr("Ouvrir un suivi"),
            self.tr("Aucun suivi à ouvrir."),
        )
        self.errors.add_rows("orientations", self.orientations)
        self.errors.add_rows("follow_ups", self.follow_ups)
        for rows in (self.orientations, self.follow_ups):  # new rows join the tab order
            rows.rows_changed.connect(self.update_tab_order)
        self.closed_follow_ups_label = QLabel()
        self.closed_follow_ups_label.setWordWrap(True)
        outcome_box = QGroupBox(self.tr("Issue de la consultation"))
        outcome_form = QFormLayout(outcome_box)
        outcome_form.addRow(self.tr("Issue :"), wrap(self.outcome_combo, "outcome"))
        outcome_form.addRow(self.tr("Orientations :"), wrap(self.orientations, "orientations"))
        follow_ups_column = QVBoxLayout()
        follow_ups_column.addWidget(wrap(self.follow_ups, "follow_ups"))
        follow_ups_column.addWidget(self.closed_follow_ups_label)
        outcome_form.addRow(self.tr("Suivis à ouvrir :"), follow_ups_column)

        # -- the note, and the addenda once signed ---------------------------------------------
        reminder = self.tr(
            "Notez des faits, pas de jugement ; pas d'information médicale ; "
            "la personne peut demander à lire ce qui est écrit."
        )
        note_box = self._note_box(self.tr("Note objective"), reminder, 110)

        self._assemble([visit, lists_row, outcome_box, note_box, self._addenda_box(reminder)])

    # -- the social kind -----------------------------------------------------------------------

    def _reader(self) -> Reader:
        store, ref, today = self.context.store, self.context.reference, self.context.today()

        def read(person_id: str, consultation_id: str | None) -> SocialConsultationData:
            with store.session() as session:
                return load_social_consultation(
                    session, store.user, person_id, consultation_id, ref, today
                )

        return read

    def _show_loaded(self, result: SocialConsultationData) -> None:
        self.data = data = result
        form = self._form_to_show(data.form)
        self.header.set_data(data)
        self.date_edit.setDate(to_qdate(form.consultation_date or self.context.today()))
        self.duration_spin.setValue(form.duration_minutes or 0)
        self.known_check.setChecked(form.known_before)
        self.known_note.setText(
            (
                self.tr("Connu·e du CMS avant son premier contact : oui")
                if form.known_before
                else self.tr("Connu·e du CMS avant son premier contact : non")
            )
            + self.tr(" (se corrige dans le dossier de la personne)")
        )
        self.arrival_combo.setCurrentIndex(max(0, self.arrival_combo.findData(form.arrival_mode)))
        self.outcome_combo.setCurrentIndex(max(0, self.outcome_combo.findData(form.outcome)))
        self.demand_list.set_checked_codes(form.demand_types)
        self.actions_list.set_checked_codes(form.actions)
        if self.note_edit.toPlainText() != form.note:  # same text: keep the cursor where it is
            self.note_edit.setPlainText(form.note)
        self.orientations.clear()
        for orientation in form.orientations:
            self.orientations.add_row().set_value(orientation)
        self.follow_ups.clear()
        for follow_up in form.follow_ups:
            self.follow_ups.add_row().set_value(follow_up)
        ref = self.context.reference
        self.closed_follow_ups_label.setText(
            "\n".join(
                self.tr("Suivi « %1 » clôturé le %2 : %3")
                .replace("%1", ref.label("demand_types", f.demand_type))
                .replace("%2", format_date(f.closed_on))
                .replace("%3", ref.label("follow_up_outcomes", f.outcome))
                for f in data.closed_follow_ups
            )
        )
        self.closed_follow_ups_label.setVisible(bool(data.closed_follow_ups))
        self.errors.clear()

    def _set_editable(self, editable: bool) -> None:
        self.date_edit.setReadOnly(not editable)
        for widget in (self.arrival_combo, self.outcome_combo, self.known_check):
            widget.setEnabled(editable)
        for part in (self.demand_list, self.actions_list, self.orientations, self.follow_ups):
            part.set_read_only(not editable)

    def current_form(self) -> SocialForm:
        """What the form holds now, as plain values for the core."""
        assert self.data is not None
        return SocialForm(
            beneficiary_id=self.data.form.beneficiary_id,
            consultation_date=from_qdate(self.date_edit.date()),
            duration_minutes=self.duration_spin.value() or None,
            known_before=self.known_check.isChecked(),
            arrival_mode=self.arrival_combo.currentData(),
            demand_types=self.demand_list.checked_codes(),
            actions=self.actions_list.checked_codes(),
            outcome=self.outcome_combo.currentData(),
            note=self.note_edit.toPlainText().strip(),
            orientations=[row.value() for row in self.orientations.rows()],
            follow_ups=[row.value() for row in self.follow_ups.rows()],
            consultation_id=self.data.form.consultation_id,
        )

    def _tab_widgets(self) -> list[QWidget]:
        return [
            self.date_edit,
            self.duration_spin,
            self.arrival_combo,
            self.known_check,
            self.demand_list.filter_edit,
            self.demand_list.list,
            self.actions_list.filter_edit,
            self.actions_list.list,
            self.outcome_combo,
            *self.orientations.tab_widgets(),
            *self.follow_ups.tab_widgets(),
        ]

    def _person_id(self) -> str:
        assert self.data is not None
        return self.data.person.beneficiary_id

    def _consultation_id(self) -> str | None:
        return self.data.form.consultation_id if self.data is not None else None

    def _is_signed(self) -> bool:
        return self.data is not None and self.data.status == "signed"

    def _addenda_views(self) -> list[AddendumView]:
        return self.data.addenda if self.data is not None else []

    _save = staticmethod(save_social_draft)
    _add_addendum = staticmethod(add_social_addendum)

    @staticmethod
    def _sign(store: LocalStore, form: SocialForm, ref: ReferenceData, today: dt.date) -> str:
        return sign_social_consultation(store, form.consultation_id, ref, today, form=form)

    # -- demands and follow-ups ------------------------------------------------------------------

    def _demand_choices(self) -> list[tuple[str, str]]:
        return [(c, self.demand_list.label_for(c)) for c in self.demand_list.checked_codes()]

    def _on_demand_types_changed(self) -> None:
        choices = self._demand_choices()
        for row in self.follow_ups.rows():
            row.set_choices(choices)
