"""The CMS supervisor's review queue: synced consultations to read, validate or send back.

By default it shows what waits for the supervisor (not yet read, or completed by the author
since a request) over the last weeks; the filters narrow it by period, stop, commune,
professional, service and review status. A row opens in ``ReviewConsultationDialog``, which
shows what the role may read and records the decision; the queue then reloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.review import (
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    NOT_SIGNED,
    PMI_REVIEW,
    REVIEW_STATUS_LABELS,
    TO_ACT,
    TO_REVIEW,
    VALIDATED,
    FilterChoices,
    ReviewFilter,
    ReviewRow,
    filter_choices,
    review_queue,
)
from van_app.ui.context import AppContext
from van_app.ui.dialogs.review_consultation import ReviewConsultationDialog
from van_app.ui.failure_text import failure_reason
from van_app.ui.models.review_queue import ReviewQueueSortProxy, ReviewQueueTableModel
from van_app.ui.widgets.consultation_form import OK_STYLE
from van_app.ui.widgets.record_table import list_table, selected_source_row
from van_app.ui.widgets.social_parts import FieldErrors, date_edit, from_qdate, to_qdate
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

Loaded = tuple[list[ReviewRow], FilterChoices]


def _first_of_previous_month(day: dt.date) -> dt.date:
    """The default start: last month and this one, what a monthly review looks at."""
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


class ReviewQueueScreen(QWidget):
    """The queue of synced consultations; double-click or Entrée opens one for review."""

    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("ReviewQueueScreen")
        self.dialog: ReviewConsultationDialog | None = None
        self._loading = False
        self._reload_again = False
        self.errors = FieldErrors()

        title = QLabel(self.tr("Relecture des consultations"))
        title.setStyleSheet(TITLE_STYLE)
        self.summary_label = QLabel()

        # -- filters --------------------------------------------------------------------------
        today = context.today()
        self.start_edit = self._date_edit(_first_of_previous_month(today))
        self.end_edit = self._date_edit(today)
        period = QWidget()
        period_row = QHBoxLayout(period)
        period_row.setContentsMargins(0, 0, 0, 0)
        period_row.addWidget(self.start_edit)
        period_row.addWidget(QLabel(self.tr("au")))
        period_row.addWidget(self.end_edit)
        period_row.addStretch(1)
        self.service_combo = self._combo(
            self.tr("Tous les services"),
            [("social", self.tr("Accueil social")), ("pmi", self.tr("PMI"))],
        )
        self.status_combo = self._combo(
            self.tr("Toutes"),
            [
                (TO_REVIEW, REVIEW_STATUS_LABELS[TO_REVIEW]),
                (COMPLETION_REQUESTED, REVIEW_STATUS_LABELS[COMPLETION_REQUESTED]),
                (COMPLETION_PROVIDED, REVIEW_STATUS_LABELS[COMPLETION_PROVIDED]),
                (VALIDATED, REVIEW_STATUS_LABELS[VALIDATED]),
                (NOT_SIGNED, REVIEW_STATUS_LABELS[NOT_SIGNED]),
                (PMI_REVIEW, REVIEW_STATUS_LABELS[PMI_REVIEW]),
            ],
        )
        self.status_combo.insertItem(0, self.tr("À traiter"), TO_ACT)
        self.status_combo.setItemData(
            0,
            self.tr("À relire, ou complément apporté par l'auteur·rice depuis votre demande"),
            Qt.ItemDataRole.ToolTipRole,
        )
        self.status_combo.setCurrentIndex(0)
        self.commune_combo = self._combo(self.tr("Toutes les communes"), [])
        self.stop_combo = self._combo(self.tr("Tous les arrêts"), [])
        self.professional_combo = self._combo(self.tr("Tous les professionnels"), [])
        self.reset_button = QPushButton(self.tr("Réinitialiser les filtres"))
        self.reset_button.clicked.connect(self.reset_filters)
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.addWidget(QLabel(self.tr("Période du")), 0, 0)
        filters.addWidget(self.errors.wrap(period, "period"), 0, 1)
        filters.addWidget(QLabel(self.tr("Service")), 0, 2)
        filters.addWidget(self.service_combo, 0, 3)
        filters.addWidget(QLabel(self.tr("Relecture")), 0, 4)
        filters.addWidget(self.status_combo, 0, 5)
        filters.addWidget(QLabel(self.tr("Commune")), 1, 0)
        filters.addWidget(self.commune_combo, 1, 1)
        filters.addWidget(QLabel(self.tr("Arrêt")), 1, 2)
        filters.addWidget(self.stop_combo, 1, 3)
        filters.addWidget(QLabel(self.tr("Professionnel·le")), 1, 4)
        filters.addWidget(self.professional_combo, 1, 5)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)
        filters.setColumnStretch(5, 1)

        # -- the table ------------------------------------------------------------------------
        self.model = ReviewQueueTableModel(self)
        self.proxy = ReviewQueueSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(
            self.proxy,
            sort_column=ReviewQueueTableModel.COL_DATE,
            order=Qt.SortOrder.DescendingOrder,
            stretch_column=ReviewQueueTableModel.COL_COMMENT,
        )
        self.table.horizontalHeader().setMinimumSectionSize(70)
        # The place shares the width left with the comment: at 1366 px every column shows.
        self.table.horizontalHeader().setSectionResizeMode(
            ReviewQueueTableModel.COL_PLACE, QHeaderView.ResizeMode.Stretch
        )
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet("color: #555;")
        self.empty_label.hide()

        self.open_button = QPushButton(self.tr("Ouvrir la consultation…"))
        self.open_button.clicked.connect(self.open_selected)
        hint = QLabel(self.tr("Double-cliquez sur une ligne (ou Entrée) pour la relire."))
        hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(hint, 1)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        header = QHBoxLayout()  # the reset sits by the title: the filters fit a 1280-px laptop
        header.addWidget(title, 1)
        header.addWidget(self.reset_button)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        for combo in (
            self.service_combo,
            self.status_combo,
            self.commune_combo,
            self.stop_combo,
            self.professional_combo,
        ):
            combo.currentIndexChanged.connect(self.refresh)
        for edit in (self.start_edit, self.end_edit):
            edit.dateChanged.connect(self.refresh)
        context.events.records_changed.connect(self._on_records_changed)
        self._update_buttons()

    def _date_edit(self, value: dt.date) -> QDateEdit:
        edit = date_edit()
        edit.setDate(to_qdate(value))
        edit.setFixedWidth(130)
        return edit

    def _combo(self, everything: str, items: Sequence[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.addItem(everything, None)
        for value, label in items:
            combo.addItem(label, value)
        return combo

    # -- filters ---------------------------------------------------------------------------------

    def current_filter(self) -> ReviewFilter:
        """What the filters say now, for the core."""
        return ReviewFilter(
            start=from_qdate(self.start_edit.date()),
            end=from_qdate(self.end_edit.date()),
            stop_id=self.stop_combo.currentData(),
            commune_insee=self.commune_combo.currentData(),
            author=self.professional_combo.currentData(),
            service=self.service_combo.currentData(),
            status=self.status_combo.currentData(),
        )

    def reset_filters(self) -> None:
        """Back to the default: what waits for the supervisor, last month and this one."""
        today = self.context.today()
        widgets = (
            self.start_edit,
            self.end_edit,
            self.service_combo,
            self.status_combo,
            self.commune_combo,
            self.stop_combo,
            self.professional_combo,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.start_edit.setDate(to_qdate(_first_of_previous_month(today)))
        self.end_edit.setDate(to_qdate(today))
        for combo in widgets[2:]:
            combo.setCurrentIndex(0)  # type: ignore[attr-defined]
        for widget in widgets:
            widget.blockSignals(False)
        self.refresh()

    def _set_choices(self, combo: QComboBox, items: Sequence[tuple[str, str]]) -> None:
        """New choices for the period, keeping the one chosen when it is still there."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value, label in items:
            combo.addItem(label, value)
            combo.setItemData(combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        index = combo.findData(chosen) if chosen is not None else 0
        if index < 0 and chosen is not None:  # nothing there in this period: say so, keep it
            combo.addItem(self.tr("(aucune consultation sur la période)"), chosen)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    # -- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload in the background; a change meanwhile triggers one more reload."""
        filt = self.current_filter()
        if filt.start and filt.end and filt.start > filt.end:
            self.errors.show({"period": self.tr("La date de début est après la date de fin.")})
            return
        self.errors.clear()
        if self._loading:
            self._reload_again = True
            return
        store, ref = self.context.store, self.context.reference

        def load() -> Loaded:
            with store.session() as session:
                rows = review_queue(session, store.user, filt, ref)
                return rows, filter_choices(session, store.user, ref, filt.start, filt.end)

        self._loading = True
        self.context.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, result: Loaded) -> None:
        self._loading = False
        rows, choices = result
        selected = self.selected_row()
        self.model.set_rows(rows)
        self._set_choices(self.commune_combo, choices.communes)
        self._set_choices(self.stop_combo, choices.stops)
        self._set_choices(self.professional_combo, choices.professionals)
        self.summary_label.setText(self._summary(rows))
        self.empty_label.setText(
            self.tr("Aucune consultation ne correspond à ces filtres.")
            if self.status_combo.currentData() != TO_ACT
            else self.tr("Rien n'attend de relecture sur cette période.")
        )
        self.empty_label.setVisible(not rows)
        if selected is not None:
            self.select_consultation(selected.consultation_id)
        self._update_buttons()
        if self._reload_again:
            self._reload_again = False
            self.refresh()
        else:
            self.loaded.emit()

    def _summary(self, rows: list[ReviewRow]) -> str:
        if not rows:
            return ""
        text = (
            self.tr("1 consultation")
            if len(rows) == 1
            else self.tr("%1 consultations").replace("%1", str(len(rows)))
        )
        counts = {
            status: sum(1 for r in rows if r.review_status == status)
            for status in (
                TO_REVIEW,
                COMPLETION_PROVIDED,
                COMPLETION_REQUESTED,
            )
        }
        parts = [
            f"{count} {REVIEW_STATUS_LABELS[status].lower()}"
            for status, count in counts.items()
            if count
        ]
        return text + (" : " + ", ".join(parts) if parts else "") + "."

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        if isinstance(exc, PermissionError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Impossible de charger les consultations (%1).").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    # -- selection and opening -------------------------------------------------------------------

    def selected_row(self) -> ReviewRow | None:
        row = selected_source_row(self.table)
        return None if row is None else self.model.row_at(row)

    def select_consultation(self, consultation_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.model.row_at(self.proxy.mapToSource(index).row()).consultation_id == (
                consultation_id
            ):
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_row() is not None)

    def _on_activated(self, index: QModelIndex) -> None:
        self.table.selectRow(index.row())
        self.open_selected()

    def open_selected(self) -> None:
        """Open the selected consultation in the review dialog (window-modal, not blocking)."""
        row = self.selected_row()
        if row is None:
            return
        self.dialog = ReviewConsultationDialog(self.context, row.kind, row.consultation_id, self)
        self.dialog.review_saved.connect(self._on_review_saved)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.load()
        self.dialog.open()

    def _on_dialog_finished(self) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if isinstance(dialog, ReviewConsultationDialog):
            dialog.deleteLater()
        self.table.setFocus()

    def _on_review_saved(self, consultation_id: str, status: str) -> None:
        dialog = self.sender()
        message = dialog.last_message if isinstance(dialog, ReviewConsultationDialog) else ""
        self._show_message(message)
        if not self.isVisible():  # records_changed reloads a visible queue
            self.refresh()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(text)

    def _on_records_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()
