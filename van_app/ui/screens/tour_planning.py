"""Tournée: the supervisor plans where the van goes, and tells the town halls.

Stops are listed by date for a period (the coming three months by default); a stop is a
one-off or one date of a repeating tour. Every change is written by the core, which refuses
a wrong input whole, and reaches the vans at their next sync. Opening the screen also tops
the repeating tours up to twelve months ahead, as the days go by.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.confidentiality import Role
from van_app.core.french import de_place
from van_app.core.measures import format_date
from van_app.core.tour_calendar import add_months, french_long_date
from van_app.core.tour_planning import (
    PatternSaved,
    PlannedStop,
    cancel_stop,
    extend_horizon,
    list_planned_stops,
)
from van_app.ui.context import AppContext
from van_app.ui.dialogs.announcement import AnnouncementDialog
from van_app.ui.dialogs.end_pattern import EndPatternDialog
from van_app.ui.dialogs.tour_pattern import TourPatternDialog
from van_app.ui.dialogs.tour_stop import TourStopDialog
from van_app.ui.failure_text import failure_reason
from van_app.ui.models.tour_stops import TourStopsSortProxy, TourStopsTableModel
from van_app.ui.widgets.commune_picker import CommunePickerWidget
from van_app.ui.widgets.record_table import list_table, selected_source_row
from van_app.ui.widgets.social_parts import date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

DEFAULT_MONTHS = 3


class TourPlanningScreen(QWidget):
    """The CMS's planned stops for a period, and the actions that change the plan."""

    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("TourPlanningScreen")
        self.can_plan = Role.SUPERVISOR.value in context.store.user.roles
        self._loading = False
        self._reload_again = False
        self._announcing = False
        self._extended_on: dt.date | None = None
        self._select_after: str | None = None
        self.stop_dialog: TourStopDialog | None = None
        self.pattern_dialog: TourPatternDialog | None = None
        self.end_dialog: EndPatternDialog | None = None
        self.announcement_dialog: AnnouncementDialog | None = None
        today = context.today()

        title = QLabel(self.tr("Tournée du camion"))
        title.setStyleSheet(TITLE_STYLE)
        self.start_edit = date_edit()
        self.start_edit.setDate(to_qdate(today))
        self.end_edit = date_edit()
        self.end_edit.setDate(to_qdate(add_months(today, DEFAULT_MONTHS)))
        self.commune_filter = CommunePickerWidget(context.reference, show_town_hall=False)
        self.commune_filter.edit.setPlaceholderText(self.tr("Toutes les communes"))
        self.commune_filter.edit.setClearButtonEnabled(True)
        self.commune_filter.setMinimumWidth(280)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Arrêts du")))
        filters.addWidget(self.start_edit)
        filters.addWidget(QLabel(self.tr("au")))
        filters.addWidget(self.end_edit)
        filters.addSpacing(16)
        filters.addWidget(QLabel(self.tr("Commune :")))
        filters.addWidget(self.commune_filter)
        filters.addStretch(1)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)

        self.model = TourStopsTableModel(self)
        self.proxy = TourStopsSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(
            self.proxy,
            sort_column=TourStopsTableModel.COL_DATE,
            stretch_column=TourStopsTableModel.COL_PLACE,
        )
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.new_stop_button = QPushButton(self.tr("Nouvel arrêt"))
        self.new_pattern_button = QPushButton(self.tr("Nouvelle tournée régulière"))
        self.edit_button = QPushButton(self.tr("Modifier"))
        self.cancel_stop_button = QPushButton(self.tr("Annuler cet arrêt"))
        self.end_pattern_button = QPushButton(self.tr("Arrêter la tournée régulière"))
        self.announcement_button = QPushButton(self.tr("Annonce pour la mairie"))
        self.new_stop_button.clicked.connect(self._on_new_stop)
        self.new_pattern_button.clicked.connect(self._on_new_pattern)
        self.edit_button.clicked.connect(self._on_edit)
        self.cancel_stop_button.clicked.connect(self._on_cancel_stop)
        self.end_pattern_button.clicked.connect(self._on_end_pattern)
        self.announcement_button.clicked.connect(self._on_announcement)
        buttons = QHBoxLayout()
        for button in (self.new_stop_button, self.new_pattern_button):
            buttons.addWidget(button)
        buttons.addWidget(_separator())
        for button in (self.edit_button, self.cancel_stop_button, self.end_pattern_button):
            buttons.addWidget(button)
        buttons.addWidget(_separator())
        buttons.addWidget(self.announcement_button)
        buttons.addStretch(1)

        self.role_label = QLabel(
            self.tr(
                "Consultation seule : seul·e le ou la responsable du CMS peut modifier la tournée."
            )
        )
        self.role_label.setStyleSheet("color: #555;")
        self.role_label.setVisible(not self.can_plan)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.role_label)
        layout.addWidget(self.message_label)

        self.start_edit.dateChanged.connect(self.refresh)
        self.end_edit.dateChanged.connect(self.refresh)
        self.commune_filter.commune_changed.connect(self.refresh)
        context.events.records_changed.connect(self._on_records_changed)
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date]:
        return from_qdate(self.start_edit.date()), from_qdate(self.end_edit.date())

    def refresh(self, *_: object) -> None:
        """Reload in the background; a change meanwhile triggers one more reload."""
        if self._loading:
            self._reload_again = True
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        start, end = self.period()
        commune = self.commune_filter.recognised() or None
        extend = self.can_plan and self._extended_on != today

        def load() -> tuple[int, list[PlannedStop]]:
            added = extend_horizon(store, today) if extend else 0
            with store.session() as session:
                return added, list_planned_stops(
                    session, store.user, ref, start, end, today, commune
                )

        self._loading = True
        self.context.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, result: tuple[int, list[PlannedStop]]) -> None:
        self._loading = False
        added, rows = result
        if self.can_plan:
            self._extended_on = self.context.today()
        selected = self._select_after or (
            self.selected_row().stop_id if self.selected_row() else None
        )
        self._select_after = None
        self.model.set_rows(rows)
        start, end = self.period()
        if not rows:
            summary = self.tr("Aucun arrêt prévu du %1 au %2.")
        elif len(rows) == 1:
            summary = self.tr("1 arrêt prévu du %1 au %2.")
        else:
            summary = self.tr("%3 arrêts prévus du %1 au %2.").replace("%3", str(len(rows)))
        self.summary_label.setText(
            summary.replace("%1", format_date(start)).replace("%2", format_date(end))
        )
        if added:
            self._show_message(
                self.tr(
                    "%1 arrêts des tournées régulières ajoutés pour couvrir les 12 prochains mois."
                ).replace("%1", str(added))
            )
            self._announce()
        if selected:
            self.select_stop(selected)
        self._update_buttons()
        if self._reload_again:
            self._reload_again = False
            self.refresh()
        else:
            self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        text = (
            str(exc)
            if isinstance(exc, PermissionError)
            else self.tr("Impossible de charger la tournée (%1).").replace(
                "%1", failure_reason(exc)
            )
        )
        self._show_message(text, error=True)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()

    def _on_records_changed(self) -> None:
        if self.isVisible() and not self._announcing:
            self.refresh()

    def _announce(self) -> None:
        """Tell the other screens; our own refresh already covers this one."""
        self._announcing = True
        try:
            self.context.events.records_changed.emit()
        finally:
            self._announcing = False

    # -- selection -----------------------------------------------------------------------------

    def selected_row(self) -> PlannedStop | None:
        row = selected_source_row(self.table)
        return None if row is None else self.model.row_at(row)

    def select_stop(self, stop_id: str) -> bool:
        row = self.model.index_of(stop_id)
        if row < 0:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _update_buttons(self, *_: object) -> None:
        row = self.selected_row()
        plan = self.can_plan
        self.new_stop_button.setEnabled(plan)
        self.new_pattern_button.setEnabled(plan)
        self.edit_button.setEnabled(
            plan and row is not None and (row.editable or bool(row.pattern_id))
        )
        self.cancel_stop_button.setEnabled(plan and row is not None and row.editable)
        self.end_pattern_button.setEnabled(plan and row is not None and bool(row.pattern_id))
        self.announcement_button.setEnabled(
            row is not None or bool(self.commune_filter.recognised())
        )

    def _on_double_clicked(self, _index: QModelIndex) -> None:
        if self.edit_button.isEnabled():
            self._on_edit()

    # -- actions -------------------------------------------------------------------------------

    def _on_new_stop(self) -> None:
        self._open_stop_dialog(None)

    def _on_new_pattern(self) -> None:
        self._open_pattern_dialog(None)

    def _on_edit(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not row.pattern_id:
            self._open_stop_dialog(row)
            return
        if not row.editable:
            self._open_pattern_dialog(row.pattern_id)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Modifier"))
        box.setText(
            self.tr(
                "Cet arrêt fait partie de la tournée régulière « %1 » %2. Que voulez-vous "
                "modifier ?"
            )
            .replace("%1", row.rule or "")
            .replace("%2", de_place(row.commune_name))
        )
        only = box.addButton(self.tr("Cet arrêt seulement"), QMessageBox.ButtonRole.AcceptRole)
        whole = box.addButton(
            self.tr("Toute la tournée régulière"), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(self.tr("Ne rien modifier"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is only:
            self._open_stop_dialog(row)
        elif box.clickedButton() is whole:
            self._open_pattern_dialog(row.pattern_id)

    def _open_stop_dialog(self, row: PlannedStop | None) -> None:
        dialog = TourStopDialog(
            self.context, row.stop_id if row else None, self, rule=row.rule if row else None
        )
        self.stop_dialog = dialog
        dialog.finished.connect(lambda _result: self._forget("stop_dialog"))
        dialog.stop_saved.connect(self._on_stop_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_stop_saved(self, stop_id: str) -> None:
        self._select_after = stop_id
        self._show_message(self.tr("Arrêt enregistré. Il sera envoyé aux camions."))

    def _open_pattern_dialog(self, pattern_id: str | None) -> None:
        dialog = TourPatternDialog(self.context, pattern_id, self)
        self.pattern_dialog = dialog
        dialog.finished.connect(lambda _result: self._forget("pattern_dialog"))
        dialog.pattern_saved.connect(self._on_pattern_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_pattern_saved(self, saved: PatternSaved) -> None:
        parts = [self.tr("Tournée régulière enregistrée")]
        changes = []
        for count, one, many in (
            (saved.created, self.tr("1 arrêt créé"), self.tr("%1 arrêts créés")),
            (saved.updated, self.tr("1 arrêt mis à jour"), self.tr("%1 arrêts mis à jour")),
            (saved.removed, self.tr("1 arrêt retiré"), self.tr("%1 arrêts retirés")),
        ):
            if count:
                changes.append(one if count == 1 else many.replace("%1", str(count)))
        text = parts[0] + (" : " + ", ".join(changes) if changes else "") + "."
        if saved.holidays:
            days = ", ".join(french_long_date(d) for d in saved.holidays)
            text += " " + self.tr("Pas de passage les jours fériés : %1.").replace("%1", days)
        self._show_message(text)

    def _on_cancel_stop(self) -> None:
        row = self.selected_row()
        if row is None or not row.editable:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Annuler cet arrêt"))
        box.setText(
            self.tr(
                "Annuler l'arrêt du %1 à %2 ? Il sera retiré du planning des camions ; pensez "
                "à prévenir la mairie."
            )
            .replace("%1", french_long_date(row.stop_date))
            .replace("%2", row.commune_name)
        )
        confirm = box.addButton(self.tr("Annuler l'arrêt"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Garder l'arrêt"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is not confirm:
            return
        store, today, stop_id = self.context.store, self.context.today(), row.stop_id
        self.cancel_stop_button.setEnabled(False)
        self.context.runner.submit(
            lambda: cancel_stop(store, stop_id, today),
            lambda _result: self._on_cancelled(row),
            self._on_action_failed,
        )

    def _on_cancelled(self, row: PlannedStop) -> None:
        self._show_message(
            self.tr("Arrêt du %1 à %2 annulé.")
            .replace("%1", french_long_date(row.stop_date))
            .replace("%2", row.commune_name)
        )
        self.refresh()
        self._announce()

    def _on_end_pattern(self) -> None:
        row = self.selected_row()
        if row is None or not row.pattern_id:
            return
        yesterday = self.context.today() - dt.timedelta(days=1)
        dialog = EndPatternDialog(
            self.context,
            row.pattern_id,
            f"{row.commune_name}, {row.rule or ''}",
            max(yesterday, row.stop_date - dt.timedelta(days=1)),
            self,
        )
        self.end_dialog = dialog
        dialog.finished.connect(lambda _result: self._forget("end_dialog"))
        dialog.pattern_ended.connect(self._on_pattern_ended)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_pattern_ended(self, saved: PatternSaved) -> None:
        count = saved.removed
        if count == 0:
            text = self.tr("Tournée régulière arrêtée : aucun arrêt à retirer.")
        elif count == 1:
            text = self.tr("Tournée régulière arrêtée : 1 arrêt retiré du planning.")
        else:
            text = self.tr("Tournée régulière arrêtée : %1 arrêts retirés du planning.").replace(
                "%1", str(count)
            )
        self._show_message(text)

    def _on_announcement(self) -> None:
        row = self.selected_row()
        commune = row.commune_insee if row else self.commune_filter.recognised()
        if not commune:
            return
        dialog = AnnouncementDialog(self.context, commune, self)
        self.announcement_dialog = dialog
        dialog.finished.connect(lambda _result: self._forget("announcement_dialog"))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _forget(self, attr: str) -> None:
        """A closed dialog is deleted: forget it, so nothing reaches for a dead object."""
        setattr(self, attr, None)

    def _on_action_failed(self, exc: Exception) -> None:
        self._update_buttons()
        text = (
            str(exc)
            if isinstance(exc, PermissionError | LookupError)
            else self.tr("Erreur inattendue (%1) : rien n'a été changé.").replace(
                "%1", failure_reason(exc)
            )
        )
        self._show_message(text, error=True)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1b5e20;")
        self.message_label.setText(text)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setStyleSheet("color: #c6d8ee;")
    return line
