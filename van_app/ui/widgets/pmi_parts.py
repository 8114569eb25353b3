"""Parts of the PMI consultation form: its header, an optional date, the vaccination checklist,
the development milestones, and the question asked before saving values that contradict the
child's file.

The social form's pieces (``FieldErrors``, ``date_edit``, ``CodeListWidget``, the addenda) are
reused as they are; what lives here is what only the PMI needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.french import de_name
from van_app.core.measures import age_text, format_date
from van_app.core.pmi import PmiScreenData
from van_app.core.reference import ReferenceItem
from van_app.core.vaccination import DoseCheck, DoseStatus, IntervalWarning
from van_app.ui.models.vaccinations import VaccinationsTableModel, visible_doses
from van_app.ui.widgets.code_list import CodeListWidget, _WholeRowToggle
from van_app.ui.widgets.social_header import ConsultationHeaderWidget
from van_app.ui.widgets.social_parts import date_edit, french_moment, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE

KIND_TITLES = {"child": "Consultation de l'enfant", "prenatal": "Suivi de grossesse"}
ALERT_STYLE = "color: #9a5b00;"
MUTED_STYLE = "color: #555;"


class PmiHeaderWidget(ConsultationHeaderWidget):
    """The consultation header, with the kind of visit beside the name and its date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        kind_label = QLabel()
        kind_label.setStyleSheet(
            "background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 4px; "
            "padding: 2px 8px; font-weight: 600; color: #1f3a5f;"
        )
        super().__init__(kind_label, parent)
        self.kind_label = kind_label
        self.details_label.setWordWrap(True)

    def set_data(self, data: PmiScreenData, new_author: str) -> None:
        person = data.person
        self.name_label.setText(person.name)
        self.kind_label.setText(self.tr(KIND_TITLES.get(data.kind, data.kind)))
        age = age_text(person.birth_date, data.day) if data.day >= person.birth_date else ""
        if data.stop is not None:
            where = self.tr("Arrêt : %1 (%2)").replace("%1", data.stop.commune)
            where = where.replace("%2", data.stop.place)
        else:
            where = self.tr("Hors tournée")
        visit = self.tr("Consultation du %1").replace("%1", format_date(data.day))
        born_text = self._born_text(person.sex, person.birth_date)
        self.details_label.setText(f"{age} — {born_text} · {visit} · {where}")
        consultation = data.consultation
        if consultation is None:
            status = self.tr("Nouvelle consultation, par %1.").replace("%1", new_author)
        elif consultation.status == "signed" and consultation.signed_at is not None:
            status = (
                self.tr("Consultation signée le %1 par %2.")
                .replace("%1", french_moment(consultation.signed_at))
                .replace("%2", consultation.author_name)
            )
            if data.can_add_addendum:
                status += self.tr(
                    " Elle ne peut plus être modifiée : pour la corriger ou la compléter, "
                    "ajoutez un complément en bas de la fiche."
                )
        else:
            status = self.tr("Brouillon %1, pas encore signé.").replace(
                "%1", de_name(consultation.author_name)
            )
        signed_and_mine = consultation is not None and data.can_add_addendum
        if data.read_only_reason and not signed_and_mine:
            status += " " + data.read_only_reason
        self.status_label.setText(status)
        request = consultation.completion_request if consultation else None
        self.review_banner.setVisible(request is not None and not request.answered)
        if request is not None:
            self.review_label.setText(
                self.tr(
                    "Demande de complément (le %1) : « %2 » Répondez par un complément, en bas "
                    "de la fiche."
                )
                .replace("%1", french_moment(request.requested_at))
                .replace("%2", request.comment)
            )
        self.open_person_button.setEnabled(True)


def ask_to_confirm_warnings(parent: QWidget, messages: Sequence[str]) -> bool:
    """Values that contradict the child's file: save them anyway, or go back and correct.

    "Corriger" is the default and the Escape answer: a keystroke too many keeps the form.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(parent.tr("Valeurs à vérifier"))
    box.setText(parent.tr("Ces valeurs ne suivent pas le dossier de l'enfant :"))
    box.setInformativeText(
        "\n".join(f"• {message}" for message in messages)
        + "\n\n"
        + parent.tr("Enregistrer quand même, ou revenir au formulaire pour corriger ?")
    )
    save = box.addButton(parent.tr("Enregistrer quand même"), QMessageBox.ButtonRole.AcceptRole)
    correct = box.addButton(parent.tr("Corriger"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(correct)
    box.setEscapeButton(correct)
    box.exec()
    return box.clickedButton() is save


class OptionalDateEdit(QWidget):
    """A date that may be left out: a box to tick, then the date (dd/mm/yyyy)."""

    changed = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(text)
        self.edit = date_edit()
        self.edit.setFixedWidth(150)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(lambda _: self.changed.emit())
        self.edit.dateChanged.connect(lambda _: self.changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def value(self) -> dt.date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: dt.date | None, default: dt.date) -> None:
        self.edit.setDate(to_qdate(value or default))
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None and not self.edit.isReadOnly())

    def set_read_only(self, read_only: bool) -> None:
        self.check.setEnabled(not read_only)
        self.edit.setReadOnly(read_only)
        self.edit.setEnabled(self.check.isChecked())


class VaccinationsWidget(QWidget):
    """The calendar's doses with their status; tick what is recorded at this consultation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = VaccinationsTableModel(self)
        self.model.given_changed.connect(self._update_summary)
        self._interval_check: Callable[[list[str]], list[IntervalWarning]] = lambda _: []
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.interval_label = QLabel()
        self.interval_label.setWordWrap(True)
        self.interval_label.setStyleSheet(ERROR_STYLE)
        self.interval_label.hide()
        self.later_label = QLabel()
        self.later_label.setWordWrap(True)
        self.later_label.setStyleSheet(MUTED_STYLE)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move inside
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # A click anywhere on the dose's name ticks it, not only on the small box.
        self.table.setItemDelegateForColumn(0, _WholeRowToggle(self.table))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table)
        layout.addWidget(self.interval_label)
        layout.addWidget(self.later_label)

    def set_doses(
        self, doses: Sequence[DoseCheck], day: dt.date, given: Sequence[str], editable: bool
    ) -> None:
        shown = visible_doses(doses, day, given)
        self.model.set_doses(shown, given, editable=editable)
        later = [dose for dose in doses if dose not in shown]
        self.later_label.setText(
            self.tr("Plus tard : %1.").replace("%1", ", ".join(d.label for d in later))
            if later
            else ""
        )
        self.later_label.setVisible(bool(later))
        self._fit_height()
        self._update_summary()

    def set_interval_check(self, check: Callable[[list[str]], list[IntervalWarning]]) -> None:
        """The core's check of the doses ticked now against the child's earlier doses."""
        self._interval_check = check
        self._update_summary()

    def interval_warnings(self) -> list[IntervalWarning]:
        return self._interval_check(self.model.given_codes())

    def set_read_only(self, read_only: bool) -> None:
        self.model.set_editable(not read_only)

    def _fit_height(self) -> None:
        rows = self.model.rowCount()
        row_height = self.table.verticalHeader().defaultSectionSize()
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + rows * row_height + 2 * self.table.frameWidth() + 2)

    def _update_interval_flags(self) -> None:
        given = self.model.given_codes()
        warnings = self._interval_check(given)
        flags: dict[str, str] = {}
        for warning in warnings:
            for code in (warning.code, warning.earlier_code):
                if code in given:
                    flags.setdefault(code, warning.message)
        self.model.set_interval_flags(flags)
        self.interval_label.setText("\n".join(w.message for w in warnings))
        self.interval_label.setVisible(bool(warnings))

    def _update_summary(self) -> None:
        self._update_interval_flags()
        counts = self.model.counts()
        late, due = counts.get(DoseStatus.LATE, 0), counts.get(DoseStatus.DUE, 0)
        mandatory = self.model.late_mandatory_count()
        parts = []
        if late:
            text = self.tr("%1 dose en retard") if late == 1 else self.tr("%1 doses en retard")
            parts.append(text.replace("%1", str(late)))
            if mandatory:
                mandatory_text = (
                    self.tr(" (%1 obligatoire)")
                    if mandatory == 1
                    else self.tr(" (%1 obligatoires)")
                )
                parts[-1] += mandatory_text.replace("%1", str(mandatory))
        if due:
            text = self.tr("%1 dose à faire") if due == 1 else self.tr("%1 doses à faire")
            parts.append(text.replace("%1", str(due)))
        if parts:
            self.summary_label.setText(" ; ".join(parts) + ".")
            self.summary_label.setStyleSheet(ERROR_STYLE if late else ALERT_STYLE)
        else:
            self.summary_label.setText(self.tr("Vaccinations à jour pour l'âge de l'enfant."))
            self.summary_label.setStyleSheet("color: #1b5e20;")


class DevelopmentWidget(QWidget):
    """Milestones of the child's age to tick when acquired; past alert ages are pointed out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.codes = CodeListWidget(
            empty_text=self.tr("Aucun repère pour cet âge."), visible_rows=6
        )
        self.codes.checked_changed.connect(self._update_alerts)
        self.before_label = QLabel()
        self.before_label.setWordWrap(True)
        self.before_label.setStyleSheet(MUTED_STYLE)
        self.alert_label = QLabel()
        self.alert_label.setWordWrap(True)
        self.alert_label.setStyleSheet(ALERT_STYLE)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.codes, 1)
        layout.addWidget(self.alert_label)
        layout.addWidget(self.before_label)
        layout.addStretch(1)  # read-only, the list shrinks to what was ticked: keep it on top
        self._alerts: list[ReferenceItem] = []

    def set_milestones(
        self,
        milestones: Sequence[ReferenceItem],
        months: int,
        before: Mapping[str, dt.date],
        checked: Sequence[str],
    ) -> None:
        """Offer the milestones up to a few months ahead, except those acquired before."""
        offered = [
            m
            for m in milestones
            if m.code not in before and (m.get("age_months", 0) <= months + 3 or m.code in checked)
        ]
        items = [
            (
                m.code,
                self.tr("%1 (vers %2 mois)")
                .replace("%1", m.label)
                .replace("%2", str(m.get("age_months"))),
            )
            for m in offered
        ]
        self.codes.set_items([])
        self.codes.set_items(items)
        self.codes.set_checked_codes(checked)
        self._alerts = [
            m
            for m in offered
            if m.get("alert_after_months") is not None and months >= m.get("alert_after_months")
        ]
        acquired = [
            f"{m.label} ({format_date(before[m.code])})" for m in milestones if m.code in before
        ]
        self.before_label.setText(
            self.tr("Déjà acquis : %1.").replace("%1", " ; ".join(acquired)) if acquired else ""
        )
        self.before_label.setVisible(bool(acquired))
        self._update_alerts()

    def set_read_only(self, read_only: bool) -> None:
        self.codes.set_read_only(read_only)
        self._layout.setStretchFactor(self.codes, 0 if read_only else 1)
        self._layout.setStretch(self._layout.count() - 1, 1 if read_only else 0)

    def _update_alerts(self) -> None:
        checked = set(self.codes.checked_codes())
        missing = [m.label for m in self._alerts if m.code not in checked]
        self.alert_label.setText(
            self.tr("Non coché après l'âge d'alerte (avis médical à envisager) : %1.").replace(
                "%1", " ; ".join(missing)
            )
            if missing
            else ""
        )
        self.alert_label.setVisible(bool(missing))
