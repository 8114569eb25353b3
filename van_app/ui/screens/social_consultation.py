"""The social worker's consultation form: draft, sign, then only addenda.

Lists rather than free text (demand types, actions, partners, outcome); one objective note
with its reminder always in sight. The core validates the whole form; each French message is
shown under its own field, orientation and follow-up rows included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.social import (
    SocialConsultationData,
    SocialForm,
    add_social_addendum,
    default_follow_up_due,
    load_social_consultation,
    save_social_draft,
    sign_social_consultation,
)
from van_app.core.validation import MAX_DURATION_MINUTES, NOTE_MAX_LENGTH, ValidationError
from van_app.ui.context import AppContext
from van_app.ui.widgets.code_list import CodeListWidget
from van_app.ui.widgets.social_header import AddendaWidget, SocialHeaderWidget, ask_signature
from van_app.ui.widgets.social_parts import (
    FieldErrors,
    FollowUpRow,
    OrientationRow,
    RowList,
    date_edit,
    fill_combo,
    from_qdate,
    to_qdate,
)
from van_app.ui.widgets.style import ERROR_STYLE

REMINDER_STYLE = (
    "QLabel { background: #fff8e1; border: 1px solid #f0d68a; border-radius: 4px; padding: 6px; }"
)
OK_STYLE = "color: #1b5e20;"


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


class SocialConsultationScreen(QWidget):
    """Create, complete and sign a social consultation for one person."""

    loaded = Signal()
    consultation_saved = Signal(str)  # a draft was written (id)
    consultation_signed = Signal(str)
    addendum_added = Signal(str)  # the consultation's id

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("SocialConsultationScreen")
        self.confirm_signature: Callable[[QWidget], bool] = ask_signature
        self.data: SocialConsultationData | None = None
        self._busy = False
        self._pending_message = ""
        self.errors = FieldErrors()
        wrap = self.errors.wrap
        ref = context.reference

        self.header = SocialHeaderWidget()
        self.header.open_person_requested.connect(self._on_open_person)

        # -- the visit -------------------------------------------------------------------------
        self.date_edit = date_edit()
        self.date_edit.setFixedWidth(150)
        self.duration_spin = QSpinBox()
        self.duration_spin.setRange(0, MAX_DURATION_MINUTES)
        self.duration_spin.setSingleStep(5)
        self.duration_spin.setSpecialValueText(self.tr("non renseignée"))
        self.duration_spin.setSuffix(self.tr(" min"))
        self.duration_spin.setFixedWidth(150)
        self.arrival_combo = QComboBox()
        self.arrival_combo.setMaximumWidth(380)
        fill_combo(self.arrival_combo, ref.arrival_modes, self.tr("Choisissez…"))
        self.known_check = QCheckBox(self.tr("Connu·e du CMS avant cette visite"))
        visit = QGroupBox(self.tr("La visite"))
        visit_form = QFormLayout(visit)
        visit_form.addRow(self.tr("Date :"), wrap(self.date_edit, "consultation_date"))
        visit_form.addRow(self.tr("Durée :"), wrap(self.duration_spin, "duration_minutes"))
        visit_form.addRow(
            self.tr("Comment la personne est venue :"), wrap(self.arrival_combo, "arrival_mode")
        )
        visit_form.addRow("", self.known_check)

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

        # -- the note ----------------------------------------------------------------------------
        reminder = self.tr(
            "Notez des faits, pas de jugement ; pas d'information médicale ; "
            "la personne peut demander à lire ce qui est écrit."
        )
        self.reminder_label = QLabel(reminder)
        self.reminder_label.setWordWrap(True)
        self.reminder_label.setStyleSheet(REMINDER_STYLE)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setMinimumHeight(110)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.textChanged.connect(self._update_counter)
        self.counter_label = QLabel()
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        note_box = QGroupBox(self.tr("Note objective"))
        note_layout = QVBoxLayout(note_box)
        note_layout.addWidget(self.reminder_label)
        note_layout.addWidget(wrap(self.note_edit, "note"))
        note_layout.addWidget(self.counter_label)

        # -- addenda (signed consultations only) ------------------------------------------------
        self.addenda = AddendaWidget(reminder, self.errors)
        self.addenda.add_requested.connect(self._on_add_addendum)
        self.addenda_box = QGroupBox(self.tr("Compléments (addenda)"))
        QVBoxLayout(self.addenda_box).addWidget(self.addenda)
        self.addenda_box.hide()

        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        body.addWidget(visit)
        body.addLayout(lists_row)
        for part in (outcome_box, note_box, self.addenda_box):
            body.addWidget(part)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)

        # -- footer: what happened, and the two actions ----------------------------------------
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Enregistrer le brouillon"))
        self.save_button.clicked.connect(self._on_save)
        self.sign_button = QPushButton(self.tr("Signer"))
        self.sign_button.clicked.connect(self._on_sign)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.save_button)
        footer.addWidget(self.sign_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(footer)
        self._update_counter()
        self._set_enabled(False)

    # -- loading -------------------------------------------------------------------------------

    def load(self, person_id: str, consultation_id: str = "") -> None:
        """Open a consultation (a new one when ``consultation_id`` is empty) in the form."""
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self.data = None
        self._set_enabled(False)
        self._show_message(self.tr("Chargement…"))

        def load() -> SocialConsultationData:
            with store.session() as session:
                return load_social_consultation(
                    session, store.user, person_id, consultation_id or None, ref, today
                )

        self._busy = True
        self.context.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, data: SocialConsultationData, message: str = "") -> None:
        self._busy = False
        self.data = data
        form = data.form
        self.header.set_data(data)
        self.date_edit.setDate(to_qdate(form.consultation_date or self.context.today()))
        self.duration_spin.setValue(form.duration_minutes or 0)
        self.known_check.setChecked(form.known_before)
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
        self.addenda.set_addenda(data.addenda, data.can_add_addendum)
        self.addenda_box.setVisible(data.status == "signed")
        self.errors.clear()
        self._set_enabled(True)
        self._show_message(message)
        self.loaded.emit()

    # -- state -----------------------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        editable = enabled and self.data is not None and self.data.editable
        self.date_edit.setReadOnly(not editable)
        self.duration_spin.setReadOnly(not editable)
        for widget in (self.arrival_combo, self.outcome_combo, self.known_check):
            widget.setEnabled(editable)
        self.note_edit.setReadOnly(not editable)
        for part in (self.demand_list, self.actions_list, self.orientations, self.follow_ups):
            part.set_read_only(not editable)
        for button in (self.save_button, self.sign_button):
            button.setVisible(self.data is None or self.data.editable)
            button.setEnabled(editable)
        self.addenda.button.setEnabled(enabled)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(text)

    def error_text(self, key: str) -> str:
        """The message shown for a field or row key, "" when none is (for tests and help)."""
        return self.errors.text(key)

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message under its field, the rest in the footer; scroll to the first."""
        labels, others = self.errors.show(errors)
        summary = self.tr("Rien n'a été enregistré : corrigez les champs signalés en rouge.")
        self._show_message("\n".join([summary, *others]), error=True)
        content = self.scroll.widget()
        if labels:
            first = min(labels, key=lambda w: w.mapTo(content, w.rect().topLeft()).y())
            self.scroll.ensureWidgetVisible(first, 50, 120)

    def _update_counter(self) -> None:
        length = len(self.note_edit.toPlainText())
        self.counter_label.setText(
            self.tr("%1 / %2 caractères")
            .replace("%1", _thousands(length))
            .replace("%2", _thousands(NOTE_MAX_LENGTH))
        )
        self.counter_label.setStyleSheet(
            ERROR_STYLE if length > NOTE_MAX_LENGTH else "color: #555;"
        )

    def _demand_choices(self) -> list[tuple[str, str]]:
        return [(c, self.demand_list.label_for(c)) for c in self.demand_list.checked_codes()]

    # -- user actions --------------------------------------------------------------------------

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

    def _run_write(self, write: Callable[[], str], done: Any, message: str) -> None:
        """Write in the background, then reload what was stored (new rows get their ids)."""
        if self._busy or self.data is None:
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        person_id = self.data.form.beneficiary_id

        def task() -> tuple[str, SocialConsultationData]:
            consultation_id = write()
            with store.session() as session:
                data = load_social_consultation(
                    session, store.user, person_id, consultation_id, ref, today
                )
            return consultation_id, data

        def succeeded(result: tuple[str, SocialConsultationData]) -> None:
            self._on_loaded(result[1], message)
            if result[1].status == "signed":
                self.scroll.ensureWidgetVisible(self.addenda_box)
            done.emit(result[0])
            self.context.events.records_changed.emit()

        self._busy = True
        self._set_enabled(False)
        self.context.runner.submit(task, succeeded, self._on_failed)

    def _on_save(self) -> None:
        if self.data is None or not self.data.editable:
            return
        form = self.current_form()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self._run_write(
            lambda: save_social_draft(store, form, ref, today),
            self.consultation_saved,
            self.tr("Brouillon enregistré."),
        )

    def _on_sign(self) -> None:
        if self.data is None or not self.data.editable or self._busy:
            return
        if not self.confirm_signature(self):
            return
        form = self.current_form()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self._run_write(
            lambda: sign_social_consultation(store, form.consultation_id, ref, today, form=form),
            self.consultation_signed,
            self.tr("Consultation signée."),
        )

    def _on_add_addendum(self, note: str) -> None:
        if self.data is None or not self.data.can_add_addendum:
            return
        consultation_id = self.data.form.consultation_id or ""
        store = self.context.store

        def write() -> str:
            add_social_addendum(store, consultation_id, note)
            return consultation_id

        self._run_write(write, self.addendum_added, self.tr("Complément ajouté."))

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self._set_enabled(True)
        if isinstance(exc, ValidationError):
            errors = dict(exc.errors)
            if self.data is not None and self.data.status == "signed" and "note" in errors:
                errors["addendum"] = errors.pop("note")
            self._show_errors(errors)
        elif isinstance(exc, PermissionError | LookupError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", type(exc).__name__
                ),
                error=True,
            )

    def _on_demand_types_changed(self) -> None:
        choices = self._demand_choices()
        for row in self.follow_ups.rows():
            row.set_choices(choices)

    def _on_open_person(self) -> None:
        if self.data is not None:
            self.context.events.person_opened.emit(self.data.person.beneficiary_id)
