"""The CMS supervisor's activity dashboard and the period's bilan (PDF, Excel).

Filters (period, commune, stop, service) at the top; key figures beside the Département's
goals; charts where a look says more than a table; the attendance tables; and the exports.
Every figure is computed by ``van_app.core.indicators`` on the task runner, never here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.indicators import (
    ActivityFilter,
    ActivityReport,
    FilterError,
    FilterOptions,
    activity_report,
    filter_options,
    key_rows,
    year_before,
)
from van_app.core.reports.attendance_secret import bilan_secret
from van_app.core.reports.bilan_pdf import write_bilan_pdf
from van_app.core.reports.bilan_xlsx import write_bilan_xlsx
from van_app.ui.context import AppContext
from van_app.ui.dialogs.anonymised_export import AnonymisedExportDialog
from van_app.ui.dialogs.file_export import ask_save_path, write_failure
from van_app.ui.models.activity import (
    AttendanceSortProxy,
    CommuneAttendanceTableModel,
    CommuneIndicatorsTableModel,
    StopAttendanceTableModel,
)
from van_app.ui.widgets.activity_panels import ActivityCharts, quick_period
from van_app.ui.widgets.activity_tiles import KeyFigureGrid
from van_app.ui.widgets.social_parts import date_edit, error_label, from_qdate, to_qdate
from van_app.ui.widgets.style import SUBTITLE_STYLE, TITLE_STYLE

EXPORTS = {"pdf": write_bilan_pdf, "xlsx": write_bilan_xlsx}


class ActivityScreen(QWidget):
    """The dashboard; ``export_bar`` is where the export buttons live (and more may come)."""

    loaded = Signal()
    compared = Signal()  # the year-before figures are beside the period's
    exported = Signal(str)  # the path written

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("ActivityScreen")
        self.report: ActivityReport | None = None
        self.options: FilterOptions | None = None
        self._loading = False
        self._reload_again = False
        self._exporting = False
        self._shown_once = False
        self._filter_valid = True

        title = QLabel(self.tr("Activité du service itinérant"))
        title.setStyleSheet(TITLE_STYLE)

        # -- filters -------------------------------------------------------------------------
        start, end = quick_period("month", context.today())
        self.start_edit = date_edit()
        self.end_edit = date_edit()
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.setDate(to_qdate(day))
            edit.setFixedWidth(130)
            edit.dateChanged.connect(self._on_filters_changed)
        self.month_button = QPushButton(self.tr("Ce mois-ci"))
        self.quarter_button = QPushButton(self.tr("Trimestre"))
        self.year_button = QPushButton(self.tr("Année"))
        self.month_button.clicked.connect(lambda: self.set_quick_period("month"))
        self.quarter_button.clicked.connect(lambda: self.set_quick_period("quarter"))
        self.year_button.clicked.connect(lambda: self.set_quick_period("year"))
        self.commune_combo = QComboBox()
        self.commune_combo.addItem(self.tr("Toutes les communes"), None)
        self.commune_combo.setMinimumWidth(200)
        self.commune_combo.currentIndexChanged.connect(self._on_commune_changed)
        self.stop_combo = QComboBox()
        self.stop_combo.addItem(self.tr("Tous les arrêts"), None)
        self.stop_combo.setMinimumWidth(220)
        self.stop_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.service_combo = QComboBox()
        self.service_combo.addItem(self.tr("Tous les services"), None)
        self.service_combo.addItem(self.tr("Accueil social"), "social")
        self.service_combo.addItem(self.tr("PMI"), "pmi")
        self.service_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_error = error_label()
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #555555;")

        period_row = QHBoxLayout()
        period_row.addWidget(QLabel(self.tr("Du")))
        period_row.addWidget(self.start_edit)
        period_row.addWidget(QLabel(self.tr("au")))
        period_row.addWidget(self.end_edit)
        period_row.addSpacing(8)
        for button in (self.month_button, self.quarter_button, self.year_button):
            period_row.addWidget(button)
        period_row.addStretch(1)
        place_row = QHBoxLayout()
        place_row.addWidget(QLabel(self.tr("Commune :")))
        place_row.addWidget(self.commune_combo)
        place_row.addSpacing(8)
        place_row.addWidget(QLabel(self.tr("Arrêt :")))
        place_row.addWidget(self.stop_combo)
        place_row.addSpacing(8)
        place_row.addWidget(QLabel(self.tr("Service :")))
        place_row.addWidget(self.service_combo)
        place_row.addStretch(1)
        place_row.addWidget(self.status_label)

        # -- exports: the lead adds "Export anonymisé" to this bar ---------------------------
        self.pdf_button = QPushButton(self.tr("Exporter le bilan (PDF)"))
        self.xlsx_button = QPushButton(self.tr("Exporter le bilan (Excel)"))
        self.pdf_button.clicked.connect(lambda: self.choose_export_file("pdf"))
        self.xlsx_button.clicked.connect(lambda: self.choose_export_file("xlsx"))
        self.export_bar = QHBoxLayout()
        self.export_bar.addWidget(self.pdf_button)
        self.export_bar.addWidget(self.xlsx_button)
        self.anonymised_button = QPushButton(self.tr("Statistiques anonymisées…"))
        self.anonymised_button.setToolTip(
            self.tr("Tableaux par mois sans identifiant, effectifs de moins de 11 masqués")
        )
        self.anonymised_button.clicked.connect(self.open_anonymised_export)
        self.anonymised_dialog: AnonymisedExportDialog | None = None
        self.export_bar.addWidget(self.anonymised_button)
        self.export_bar.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        # -- figures -------------------------------------------------------------------------
        self.tiles = KeyFigureGrid(columns=4)
        self.charts = ActivityCharts()
        self.commune_model = CommuneAttendanceTableModel(self)
        self.stop_model = StopAttendanceTableModel(self)
        self.commune_table = self._table(
            self.commune_model, CommuneAttendanceTableModel.COL_COMMUNE, 170
        )
        self.indicators_model = CommuneIndicatorsTableModel(self)
        self.indicators_table = self._table(
            self.indicators_model, CommuneIndicatorsTableModel.COL_COMMUNE, 170
        )
        self.stop_table = self._table(self.stop_model, StopAttendanceTableModel.COL_PLACE, 320)
        self.scope_label = QLabel()
        self.scope_label.setWordWrap(True)
        self.scope_label.setStyleSheet("color: #555555; font-size: 11px;")

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(10)
        body_layout.addWidget(self.tiles)
        body_layout.addWidget(self.scope_label)
        body_layout.addWidget(self.charts)
        for caption, table in (
            (self.tr("Fréquentation par commune"), self.commune_table),
            (self.tr("Indicateurs du Département par commune"), self.indicators_table),
            (self.tr("Passages par arrêt"), self.stop_table),
        ):
            label = QLabel(caption)
            label.setStyleSheet(SUBTITLE_STYLE)
            body_layout.addWidget(label)
            body_layout.addWidget(table)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addLayout(period_row)
        layout.addWidget(self.period_error)
        layout.addLayout(place_row)
        layout.addLayout(self.export_bar)
        layout.addWidget(self.message_label)
        layout.addWidget(self.scroll, 1)
        context.events.records_changed.connect(self._on_records_changed)
        self._update_buttons()

    def open_anonymised_export(self) -> None:
        """The Département's anonymised statistics, for a period chosen in the dialog (the
        dashboard's period first)."""
        try:
            shown = self.current_filter()
            period: tuple[dt.date, dt.date] | None = (shown.start, shown.end)
        except FilterError:
            period = None
        self.anonymised_dialog = AnonymisedExportDialog(self.context, self, period)
        self.anonymised_dialog.open()

    def _table(self, model, stretch_column: int, height: int) -> QTableView:  # type: ignore[no-untyped-def]
        proxy = AttendanceSortProxy(self)
        proxy.setSourceModel(model)
        table = QTableView()
        table.setModel(proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move inside
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setMinimumHeight(height)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        return table

    # -- filters -------------------------------------------------------------------------------

    def set_quick_period(self, which: str) -> None:
        """ "month", "quarter" or "year": the current one, as of today."""
        start, end = quick_period(which, self.context.today())
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(day))
            edit.blockSignals(False)
        self._on_filters_changed()

    def current_filter(self) -> ActivityFilter:
        """The filter the fields describe; FilterError (French) when they make no sense."""
        return ActivityFilter(
            start=from_qdate(self.start_edit.date()),
            end=from_qdate(self.end_edit.date()),
            commune_insee=self.commune_combo.currentData(),
            stop_id=self.stop_combo.currentData(),
            service=self.service_combo.currentData(),
        )

    def _on_commune_changed(self) -> None:
        self._fill_stops()
        self._on_filters_changed()

    def _on_filters_changed(self, *_: object) -> None:
        if self._shown_once:
            self.refresh()

    def _fill_combo(self, combo: QComboBox, items: list[tuple[str, str]]) -> None:
        """Replace the items after the first ("all"), keeping the choice if still offered."""
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for code, label in items:
            combo.addItem(label, code)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _fill_stops(self) -> None:
        if self.options is None:
            return
        commune = self.commune_combo.currentData()
        self._fill_combo(
            self.stop_combo,
            [
                (s.stop_id, s.label)
                for s in self.options.stops
                if commune is None or s.commune_insee == commune
            ],
        )

    # -- loading -------------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self._shown_once = True
        self.refresh()

    def _on_records_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Recompute in the background; a change meanwhile triggers one more computation."""
        try:
            activity_filter = self.current_filter()
        except FilterError as error:
            self.period_error.setText(str(error))
            self.period_error.show()
            self._filter_valid = False
            self._update_buttons()
            return
        self.period_error.hide()
        self._filter_valid = True
        if self._loading:
            self._reload_again = True
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        roles = store.user.roles

        def load() -> tuple[FilterOptions, ActivityReport]:
            with store.session() as session:
                options = filter_options(session, activity_filter.start, activity_filter.end, ref)
                return options, activity_report(session, roles, activity_filter, ref, today)

        self._loading = True
        self._show_status(self.tr("Calcul des indicateurs…"))
        self._update_buttons()
        self.context.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, result: tuple[FilterOptions, ActivityReport]) -> None:
        self._loading = False
        self.options, report = result
        self._fill_combo(self.commune_combo, list(self.options.communes))
        self._fill_stops()
        if self._reload_again or report.filter != self._filter_or_none():
            self._reload_again = False
            self.refresh()  # the filters moved while computing: this report is already stale
            return
        self.report = report
        self._show_status("")
        self.charts.show_report(report, self.context.reference)
        self.tiles.set_rows(key_rows(report), self.charts.notes)
        self.scope_label.setText(self.charts.notes["scope"])
        self.commune_model.set_rows(report.communes)
        self.indicators_model.set_rows(report.communes)
        self.stop_model.set_rows(report.stops)
        self._update_buttons()
        self.loaded.emit()
        self._load_comparison(report)

    def _load_comparison(self, report: ActivityReport) -> None:
        """The same figures a year before, computed once the period's own are shown."""
        before = year_before(report.filter)
        if before is None:
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        roles = store.user.roles

        def load() -> ActivityReport:
            with store.session() as session:
                return activity_report(session, roles, before, ref, today)

        self.context.runner.submit(
            load, lambda previous: self._on_compared(report, previous), self._on_compare_failed
        )

    def _on_compared(self, report: ActivityReport, previous: ActivityReport) -> None:
        if self.report is report:  # not overtaken by another computation
            self.report = replace(report, previous=previous)
            self.tiles.set_rows(key_rows(self.report), self.charts.notes, self.tr("Un an avant"))
            self.compared.emit()

    def _on_compare_failed(self, _exc: Exception) -> None:
        pass  # the period's figures stand without the comparison; an export computes it

    def _filter_or_none(self) -> ActivityFilter | None:
        try:
            return self.current_filter()
        except FilterError:
            return None

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        self._show_status("")
        self._show_message(
            self.tr("Impossible de calculer les indicateurs (%1).").replace(
                "%1", type(exc).__name__
            ),
            error=True,
        )
        self._update_buttons()

    # -- exports -------------------------------------------------------------------------------

    def default_file_name(self, extension: str) -> str:
        f = self.report.filter if self.report else self.current_filter()
        return f"bilan_activite_{f.start:%Y-%m-%d}_{f.end:%Y-%m-%d}.{extension}"

    def choose_export_file(self, extension: str) -> None:
        """Ask where to save (the machine's own dialog), then write there in the background."""
        if self.report is None or self._exporting:
            return
        filters = {
            "pdf": self.tr("Document PDF (*.pdf)"),
            "xlsx": self.tr("Classeur Excel (*.xlsx)"),
        }
        path = ask_save_path(
            self,
            self.tr("Enregistrer le bilan"),
            self.default_file_name(extension),
            filters[extension],
            extension,
        )
        if path is not None:
            self.export_to(path, extension)

    def export_to(self, path: Path, extension: str) -> None:
        report, ref = self.report, self.context.reference
        if report is None:
            return
        cms = self.context.store.user.cms_code
        write = EXPORTS[extension]
        store = self.context.store

        today = self.context.today()

        def work() -> str:
            # The bilan goes to the Département: its per-stop and per-commune counts under
            # the statistical secret shared with the anonymised export (docs/statistics.md).
            with store.session() as session:
                secret = bilan_secret(session, report, store.user.roles, ref)
                full = report
                before = year_before(report.filter)
                if report.previous is None and before is not None:  # asked before it came
                    previous = activity_report(session, store.user.roles, before, ref, today)
                    full = replace(report, previous=previous)
            write(path, full, ref, cms, secret)
            return str(path)

        self._exporting = True
        self._update_buttons()
        self._show_message(self.tr("Enregistrement du bilan…"))
        self.context.runner.submit(work, self._on_exported, self._on_export_failed)

    def _on_exported(self, path: str) -> None:
        self._exporting = False
        self._update_buttons()
        self._show_message(self.tr("Bilan enregistré : %1").replace("%1", path))
        self.exported.emit(path)

    def _on_export_failed(self, exc: Exception) -> None:
        self._exporting = False
        self._update_buttons()
        self._show_message(
            self.tr(
                "Le bilan n'a pas pu être enregistré : %1. Choisissez un autre dossier."
            ).replace("%1", write_failure(exc)),
            error=True,
        )

    def _update_buttons(self) -> None:
        ready = (
            self.report is not None
            and self._filter_valid
            and not self._loading
            and not self._exporting
        )
        self.pdf_button.setEnabled(ready)
        self.xlsx_button.setEnabled(ready)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _show_status(self, text: str) -> None:
        self.status_label.setText(text)
