"""The PMI nurse's consultation: a child's follow-up or a pregnancy follow-up.

The kind comes from the person (a child under 6, a woman): the core decides, the screen
shows the matching section. Measures are typed the French way and plotted on the WHO curves
while they are typed; the standards are read once, in the loading task. Draft, sign (after a
confirmation), then read-only with addenda only, as for the social consultation. The core
validates the whole form; each French message lands under its field and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
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
from van_app.core.validation import MAX_DURATION_MINUTES, NOTE_MAX_LENGTH, ValidationError
from van_app.ui.context import AppContext
from van_app.ui.widgets.code_list import CodeListWidget
from van_app.ui.widgets.measure_edit import thousands
from van_app.ui.widgets.pmi_parts import OptionalDateEdit, PmiHeaderWidget
from van_app.ui.widgets.pmi_sections import ChildSectionWidget, PrenatalSectionWidget
from van_app.ui.widgets.social_header import AddendaWidget, ask_signature
from van_app.ui.widgets.social_parts import (
    FieldErrors,
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
Loaded = tuple[PmiScreenData, GrowthStandards | None]


class PmiConsultationScreen(QWidget):
    """Create, complete and sign a PMI consultation for one child or one pregnant woman."""

    loaded = Signal()
    consultation_saved = Signal(str)  # a draft was written (id)
    consultation_signed = Signal(str)
    addendum_added = Signal(str)  # the consultation's id

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("PmiConsultationScreen")
        self.confirm_signature: Callable[[QWidget], bool] = ask_signature
        self.data: PmiScreenData | None = None
        self._busy = False
        self.errors = FieldErrors()
        wrap = self.errors.wrap
        ref = context.reference

        self.header = PmiHeaderWidget()
        self.header.open_person_requested.connect(self._on_open_person)
        self.child = ChildSectionWidget(ref, self.errors)
        self.prenatal = PrenatalSectionWidget(ref, self.errors)

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

        self.duration_spin = QSpinBox()
        self.duration_spin.setRange(0, MAX_DURATION_MINUTES)
        self.duration_spin.setSingleStep(5)
        self.duration_spin.setSpecialValueText(self.tr("non renseignée"))
        self.duration_spin.setSuffix(self.tr(" min"))
        self.duration_spin.setFixedWidth(150)
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
        self.reminder_label = QLabel(reminder)
        self.reminder_label.setWordWrap(True)
        self.reminder_label.setStyleSheet(REMINDER_STYLE)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setMinimumHeight(90)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.textChanged.connect(self._update_counter)
        self.counter_label = QLabel()
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        note_box = QGroupBox(self.tr("Note de la consultation"))
        note_layout = QVBoxLayout(note_box)
        note_layout.addWidget(self.reminder_label)
        note_layout.addWidget(wrap(self.note_edit, "note"))
        note_layout.addWidget(self.counter_label)

        self.addenda = AddendaWidget(reminder, self.errors)
        self.addenda.add_requested.connect(self._on_add_addendum)
        self.addenda_box = QGroupBox(self.tr("Compléments (addenda)"))
        QVBoxLayout(self.addenda_box).addWidget(self.addenda)
        self.addenda_box.hide()

        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        body.addWidget(self.child)
        body.addWidget(self.prenatal)
        lists_row = QHBoxLayout()
        lists_row.addWidget(advice_box, 1)
        lists_row.addWidget(follow_box, 1)
        body.addLayout(lists_row)
        for part in (note_box, self.addenda_box):
            body.addWidget(part)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)

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
        self.prenatal.hide()
        self._update_counter()
        self._set_enabled(False)

    # -- loading -----------------------------------------------------------------------------

    def load(self, person_id: str, consultation_id: str = "") -> None:
        """Open a consultation (a new one when ``consultation_id`` is empty) in the form."""
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self.data = None
        self._set_enabled(False)
        self._show_message(self.tr("Chargement…"))

        def load() -> Loaded:
            data = load_pmi_screen(store, person_id, consultation_id or None, ref, today)
            return data, growth_standards() if data.kind == "child" else None

        self._busy = True
        self.context.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, result: Loaded, message: str = "") -> None:
        self._busy = False
        data, standards = result
        self.data = data
        form = blank_form(data)
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
        signed = data.consultation is not None and data.consultation.status == "signed"
        addenda = data.consultation.addenda if data.consultation else ()
        self.addenda.set_addenda(
            [AddendumView(a.id, a.note, a.author_name, a.created_at) for a in addenda],
            data.can_add_addendum,
        )
        self.addenda_box.setVisible(signed)
        self._set_enabled(True)
        self._show_message(message)
        self.loaded.emit()

    # -- state -------------------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        editable = enabled and self.data is not None and self.data.editable
        self.child.set_read_only(not editable)
        self.prenatal.set_read_only(not editable)
        self.advice_list.set_read_only(not editable)
        self._advice_layout.setStretchFactor(self._advice_field, 1 if editable else 0)
        self._advice_layout.setStretch(1, 0 if editable else 1)
        self.partner_combo.setEnabled(editable)
        self.orientation_date.setReadOnly(not editable)
        self.orientation_date.setEnabled(self.partner_combo.currentData() is not None)
        self.next_appointment.set_read_only(not editable)
        self.duration_spin.setReadOnly(not editable)
        self.note_edit.setReadOnly(not editable)
        for button in (self.save_button, self.sign_button):
            button.setVisible(self.data is None or self.data.editable)
            button.setEnabled(editable)
        self.addenda.button.setEnabled(enabled)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(text)

    def error_text(self, key: str) -> str:
        """The message shown for a field, "" when none is (for tests and help)."""
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
            .replace("%1", thousands(length))
            .replace("%2", thousands(NOTE_MAX_LENGTH))
        )
        self.counter_label.setStyleSheet(
            ERROR_STYLE if length > NOTE_MAX_LENGTH else "color: #555;"
        )

    def _on_partner_changed(self) -> None:
        self.orientation_date.setEnabled(self.partner_combo.currentData() is not None)

    # -- user actions ------------------------------------------------------------------------

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

    def _run_write(self, write: Callable[[], str], done: Any, message: str) -> None:
        """Write in the background, then reload what was stored (a new draft gets its id)."""
        if self._busy or self.data is None:
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        person_id = self.data.person.id

        def task() -> tuple[str, Loaded]:
            consultation_id = write()
            data = load_pmi_screen(store, person_id, consultation_id, ref, today)
            return consultation_id, (data, growth_standards() if data.kind == "child" else None)

        def succeeded(result: tuple[str, Loaded]) -> None:
            self._on_loaded(result[1], message)
            consultation = result[1][0].consultation
            if consultation is not None and consultation.status == "signed":
                self.scroll.ensureWidgetVisible(self.addenda_box)
            done.emit(result[0])
            self.context.events.records_changed.emit()

        self._busy = True
        self._set_enabled(False)
        self.context.runner.submit(task, succeeded, self._on_failed)

    def _write_form(self, sign: bool) -> None:
        if self.data is None or not self.data.editable or self._busy:
            return
        unreadable = self._unreadable()
        if unreadable:  # the text cannot become a number: the core would never see it
            self._show_errors(unreadable)
            return
        if sign and not self.confirm_signature(self):
            return
        form = self.current_form()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        if sign:
            self._run_write(
                lambda: sign_pmi_consultation(store, form, ref, today),
                self.consultation_signed,
                self.tr("Consultation signée."),
            )
        else:
            self._run_write(
                lambda: save_pmi_draft(store, form, ref, today),
                self.consultation_saved,
                self.tr("Brouillon enregistré."),
            )

    def _on_save(self) -> None:
        self._write_form(sign=False)

    def _on_sign(self) -> None:
        self._write_form(sign=True)

    def _on_add_addendum(self, note: str) -> None:
        if self.data is None or not self.data.can_add_addendum or self.data.consultation is None:
            return
        consultation_id = self.data.consultation.id
        store = self.context.store

        def write() -> str:
            add_pmi_addendum(store, consultation_id, note)
            return consultation_id

        self._run_write(write, self.addendum_added, self.tr("Complément ajouté."))

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self._set_enabled(True)
        if isinstance(exc, ValidationError):
            errors = dict(exc.errors)
            consultation = self.data.consultation if self.data is not None else None
            if consultation is not None and consultation.status == "signed" and "note" in errors:
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

    def _on_open_person(self) -> None:
        if self.data is not None:
            self.context.events.person_opened.emit(self.data.person.id)


def _in_a_month(day: dt.date) -> dt.date:
    """The default next appointment: a month later, the usual PMI rhythm for a baby."""
    return day + dt.timedelta(days=30)
