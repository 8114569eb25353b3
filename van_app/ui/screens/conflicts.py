"""The supervisor's "Conflits et doublons": sync conflicts to settle, duplicates to merge.

Two tabs. Conflicts: the same field changed on two devices; the sync kept the later change and
the supervisor confirms it or picks the other value, which then syncs everywhere. Likely
duplicates: one person registered on two devices; "Comparer et fusionner" opens the side by
side comparison (``MergePeopleDialog``); "Ce ne sont pas les mêmes personnes" takes a pair of
twins or namesakes out of the list for good, on this device (``core.distinct_people``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from van_app.core.conflicts import ConflictView, open_conflicts, settle_conflict
from van_app.core.merge_people import DuplicatePair, likely_duplicates
from van_app.ui.context import AppContext
from van_app.ui.dialogs.merge_people import (
    MergePeopleDialog,
    confirm_distinct,
    dismiss_in_background,
)
from van_app.ui.failure_text import failure_reason
from van_app.ui.models.conflicts import (
    ConflictsTableModel,
    DuplicatePairsTableModel,
    SortProxy,
)
from van_app.ui.widgets.record_table import list_table, selected_source_row
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

SUCCESS_STYLE = "color: #1b5e20;"
EMPTY_STYLE = "font-size: 15px; color: #37474f; padding: 24px 0;"


@dataclass(frozen=True)
class _Lists:
    conflicts: list[ConflictView]
    duplicates: list[DuplicatePair] | None  # None: not looked for this time


def _table(model: object, proxy: SortProxy) -> QTableView:
    proxy.setSourceModel(model)  # type: ignore[arg-type]
    table = list_table(proxy)
    table.setSortingEnabled(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


class ConflictsScreen(QWidget):
    """What the sync could not decide alone, for the supervisor to settle."""

    loaded = Signal()
    conflict_settled = Signal(str)
    people_merged = Signal(str)
    pair_dismissed = Signal(str, str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("ConflictsScreen")
        self.merge_dialog: MergePeopleDialog | None = None
        self._loading = False
        self._reload_again = False
        self._announcing = False
        # Looking for duplicates reads the whole register: done when first shown, then only
        # while their tab is open (a change meanwhile marks them stale for the next visit).
        self._duplicates_stale = True
        self._duplicates_loaded = False

        title = QLabel(self.tr("Conflits et doublons"))
        title.setStyleSheet(TITLE_STYLE)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._conflicts_tab(), self.tr("Conflits de synchronisation"))
        self.tabs.addTab(self._duplicates_tab(), self.tr("Doublons probables"))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message_label)
        context.events.records_changed.connect(self._on_records_changed)
        self._update_buttons()

    # -- building ------------------------------------------------------------------------------

    def _conflicts_tab(self) -> QWidget:
        tab = QWidget()
        explanation = QLabel(
            self.tr(
                "Le même champ a été modifié sur deux postes avant leur synchronisation. La "
                "modification la plus récente a été retenue ; vérifiez-la, ou choisissez "
                "l'autre valeur : votre choix est envoyé à tous les postes."
            )
        )
        explanation.setWordWrap(True)
        self.conflicts_empty = QLabel(
            self.tr(
                "Aucun conflit à régler : toutes les modifications faites sur les postes ont "
                "pu être fusionnées."
            )
        )
        self.conflicts_empty.setWordWrap(True)
        self.conflicts_empty.setStyleSheet(EMPTY_STYLE)
        self.conflicts_model = ConflictsTableModel(self)
        self.conflicts_proxy = SortProxy(self)
        self.conflicts_table = _table(self.conflicts_model, self.conflicts_proxy)
        self.conflicts_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # oldest first
        self.conflicts_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.conflict_detail = QLabel()
        self.conflict_detail.setWordWrap(True)
        self.conflict_detail.setTextFormat(Qt.TextFormat.RichText)

        self.keep_button = QPushButton(self.tr("Garder la valeur retenue"))
        self.keep_button.clicked.connect(lambda: self._settle("kept"))
        self.other_button = QPushButton(self.tr("Choisir l'autre valeur"))
        self.other_button.clicked.connect(lambda: self._settle("other"))
        self.open_person_button = QPushButton(self.tr("Ouvrir le dossier de la personne"))
        self.open_person_button.clicked.connect(self._on_open_person)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_person_button)

        layout = QVBoxLayout(tab)
        layout.addWidget(explanation)
        layout.addWidget(self.conflicts_empty)
        layout.addWidget(self.conflicts_table, 1)
        layout.addWidget(self.conflict_detail)
        layout.addLayout(buttons)
        layout.addStretch(0)  # takes the room only while the table is hidden
        return tab

    def _duplicates_tab(self) -> QWidget:
        tab = QWidget()
        explanation = QLabel(
            self.tr(
                "Personnes nées le même jour (ou jour et mois inversés) avec un nom proche, "
                "enregistrées par deux professionnel·les différent·es. Comparez les deux "
                "fiches : si c'est la même personne, fusionnez-les (toutes les visites sont "
                "conservées) ; sinon (jumeaux, homonymes), indiquez que ce ne sont pas les "
                "mêmes personnes."
            )
        )
        explanation.setWordWrap(True)
        self.duplicates_empty = QLabel(
            self.tr("Aucun doublon probable : personne ne semble enregistré·e deux fois.")
        )
        self.duplicates_empty.setWordWrap(True)
        self.duplicates_empty.setStyleSheet(EMPTY_STYLE)
        self.duplicates_model = DuplicatePairsTableModel(self)
        self.duplicates_proxy = SortProxy(self)
        self.duplicates_table = _table(self.duplicates_model, self.duplicates_proxy)
        self.duplicates_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.duplicates_table.doubleClicked.connect(lambda _index: self.open_merge_dialog())
        self.compare_button = QPushButton(self.tr("Comparer et fusionner…"))
        self.compare_button.clicked.connect(self.open_merge_dialog)
        self.distinct_button = QPushButton(self.tr("Ce ne sont pas les mêmes personnes…"))
        self.distinct_button.clicked.connect(self._on_distinct)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.distinct_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(tab)
        layout.addWidget(explanation)
        layout.addWidget(self.duplicates_empty)
        layout.addWidget(self.duplicates_table, 1)
        layout.addLayout(buttons)
        layout.addStretch(0)  # takes the room only while the table is hidden
        return tab

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload both lists in the background; a change meanwhile triggers one more reload."""
        if self._loading:
            self._reload_again = True
            return
        store, ref = self.context.store, self.context.reference
        with_duplicates = self._duplicates_stale and (
            self.tabs.currentIndex() == 1 or not self._duplicates_loaded
        )
        self._duplicates_stale = self._duplicates_stale and not with_duplicates

        def load() -> _Lists:
            with store.session() as session:
                conflicts = open_conflicts(session, ref, store.user)
                if not with_duplicates:
                    return _Lists(conflicts, None)
                return _Lists(conflicts, likely_duplicates(session, ref, store.user))

        self._loading = True
        self.context.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, lists: _Lists) -> None:
        self._loading = False
        selected = self.selected_conflict()
        self.conflicts_model.set_rows(lists.conflicts)
        if lists.duplicates is not None:
            self.duplicates_model.set_rows(lists.duplicates)
            self._duplicates_loaded = True
        duplicates = self.duplicates_model.rowCount()
        for table, model in (
            (self.conflicts_table, self.conflicts_model),
            (self.duplicates_table, self.duplicates_model),
        ):
            table.setVisible(bool(model.rowCount()))
            if model.rowCount():
                for column in range(model.columnCount() - 1):  # the last one stretches
                    table.resizeColumnToContents(column)
                    table.setColumnWidth(column, min(table.columnWidth(column), 400))
        self.conflicts_empty.setVisible(not lists.conflicts)
        self.duplicates_empty.setVisible(not duplicates)
        for button in (self.keep_button, self.other_button, self.open_person_button):
            button.setVisible(bool(lists.conflicts))
        self.compare_button.setVisible(bool(duplicates))
        self.distinct_button.setVisible(bool(duplicates))
        self.tabs.setTabText(
            0, self._counted(self.tr("Conflits de synchronisation"), lists.conflicts)
        )
        self.tabs.setTabText(1, self._counted(self.tr("Doublons probables"), duplicates))
        if lists.conflicts and not (selected and self.select_conflict(selected.id)):
            self.conflicts_table.selectRow(0)
        if duplicates and not self.duplicates_table.selectionModel().hasSelection():
            self.duplicates_table.selectRow(0)
        self._update_buttons()
        if self._reload_again:
            self._reload_again = False
            self.refresh()
        else:
            self.loaded.emit()

    @staticmethod
    def _counted(text: str, rows: list | int) -> str:
        count = rows if isinstance(rows, int) else len(rows)
        return f"{text} ({count})" if count else text

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        self._show_message(
            str(exc)
            if isinstance(exc, PermissionError)
            else self.tr("Impossible de charger les conflits (%1).").replace(
                "%1", failure_reason(exc)
            ),
            error=True,
        )
        self.loaded.emit()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self._duplicates_stale = True
        self.refresh()

    def _on_records_changed(self) -> None:
        self._duplicates_stale = True
        if self.isVisible() and not self._announcing:
            self.refresh()

    def _on_tab_changed(self, index: int) -> None:
        if index == 1 and self._duplicates_stale and self.isVisible():
            self.refresh()

    def _announce(self) -> None:
        """Tell the other screens; our own reload is already on its way."""
        self._announcing = True
        try:
            self.context.events.records_changed.emit()
        finally:
            self._announcing = False

    # -- conflicts -----------------------------------------------------------------------------

    def selected_conflict(self) -> ConflictView | None:
        row = selected_source_row(self.conflicts_table)
        return None if row is None else self.conflicts_model.row_at(row)

    def select_conflict(self, conflict_id: str) -> bool:
        for row in range(self.conflicts_model.rowCount()):
            if self.conflicts_model.row_at(row).id == conflict_id:
                index = self.conflicts_proxy.mapFromSource(self.conflicts_model.index(row, 0))
                self.conflicts_table.selectRow(index.row())
                return True
        return False

    def _update_buttons(self, *_: object) -> None:
        conflict = self.selected_conflict()
        self.keep_button.setEnabled(conflict is not None)
        self.other_button.setEnabled(conflict is not None and not conflict.record_missing)
        self.open_person_button.setEnabled(conflict is not None and bool(conflict.person_id))
        self.compare_button.setEnabled(self.selected_pair() is not None)
        self.distinct_button.setEnabled(self.selected_pair() is not None)
        self.conflict_detail.setText(self._detail(conflict) if conflict else "")

    def _detail(self, conflict: ConflictView) -> str:
        """The selected conflict in one sentence (rich text: every value is escaped)."""
        text = (
            self.tr(
                "%1 — <b>%2</b> : la synchronisation a retenu « %3 » (%4) ; l'autre valeur "
                "était « %5 » (%6)."
            )
            .replace("%1", escape(conflict.record_label))
            .replace("%2", escape(conflict.field_label))
            .replace("%3", escape(conflict.kept.value))
            .replace("%4", escape(conflict.kept.written))
            .replace("%5", escape(conflict.other.value))
            .replace("%6", escape(conflict.other.written))
        )
        if conflict.changed_since:
            text += "<br>" + self.tr(
                "La fiche a été modifiée depuis : elle indique maintenant « %1 »."
            ).replace("%1", escape(conflict.current))
        if conflict.record_missing:
            text += "<br>" + self.tr(
                "La fiche n'est pas (ou plus) sur ce poste : seule la valeur retenue peut être "
                "gardée."
            )
        return text

    def _settle(self, choice: str) -> None:
        conflict = self.selected_conflict()
        if conflict is None:
            return
        store = self.context.store
        self.keep_button.setEnabled(False)
        self.other_button.setEnabled(False)

        def settle() -> ConflictView:
            settle_conflict(store, conflict.id, choice)
            return conflict

        self.context.runner.submit(
            settle, lambda done: self._on_settled(done, choice), self._on_settle_failed
        )

    def _on_settled(self, conflict: ConflictView, choice: str) -> None:
        value = conflict.kept.value if choice == "kept" else conflict.other.value
        self._show_message(
            self.tr(
                "Conflit réglé : « %1 » est gardé pour « %2 » (%3). Ce choix sera envoyé "
                "à tous les postes à la prochaine synchronisation."
            )
            .replace("%1", value)
            .replace("%2", conflict.field_label)
            .replace("%3", conflict.record_label)
        )
        self.conflict_settled.emit(conflict.id)
        self._duplicates_stale = True  # a name or a birth date may have changed
        self.refresh()
        self._announce()

    def _on_settle_failed(self, exc: Exception) -> None:
        self._update_buttons()
        known = isinstance(exc, PermissionError | LookupError)
        self._show_message(
            self.tr("Le conflit n'a pas été réglé : %1").replace(
                "%1", str(exc) if known else failure_reason(exc)
            ),
            error=True,
        )
        self.refresh()

    def _on_open_person(self) -> None:
        conflict = self.selected_conflict()
        if conflict is not None and conflict.person_id:
            self.context.events.person_opened.emit(conflict.person_id)

    # -- duplicates ----------------------------------------------------------------------------

    def selected_pair(self) -> DuplicatePair | None:
        row = selected_source_row(self.duplicates_table)
        return None if row is None else self.duplicates_model.row_at(row)

    def open_merge_dialog(self) -> MergePeopleDialog | None:
        """Compare the selected pair side by side (the dialog is window-modal, not blocking)."""
        pair = self.selected_pair()
        if pair is None:
            return None
        dialog = MergePeopleDialog(self.context, pair.a.id, pair.b.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._on_merged)
        dialog.distinct.connect(self._on_dismissed)
        dialog.finished.connect(lambda _code: setattr(self, "merge_dialog", None))
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def _on_merged(self, kept_id: str) -> None:
        self._show_message(
            self.tr(
                "Fiches fusionnées : toutes les visites sont conservées et figurent dans le "
                "dossier de la fiche gardée. La fusion sera envoyée à tous les postes à la "
                "prochaine synchronisation."
            )
        )
        self.people_merged.emit(kept_id)
        self._duplicates_stale = True
        self.refresh()
        self._announce()

    def _on_distinct(self) -> None:
        """Twins or namesakes: confirm, then leave the pair out of the list on this device."""
        pair = self.selected_pair()
        if pair is None or not confirm_distinct(self, pair.a.label, pair.b.label):
            return
        a_id, b_id = pair.a.id, pair.b.id
        self.distinct_button.setEnabled(False)
        dismiss_in_background(
            self.context,
            a_id,
            b_id,
            lambda: self._on_dismissed(a_id, b_id),
            self._on_dismiss_failed,
        )

    def _on_dismissed(self, a_id: str, b_id: str) -> None:
        self._show_message(
            self.tr(
                "Les deux fiches restent séparées : elles ne seront plus proposées comme "
                "doublon sur ce poste."
            )
        )
        self.pair_dismissed.emit(a_id, b_id)
        self._duplicates_stale = True
        self.refresh()

    def _on_dismiss_failed(self, exc: Exception) -> None:
        self._update_buttons()
        known = isinstance(exc, ValueError | PermissionError)
        self._show_message(
            self.tr("Les fiches n'ont pas été séparées : %1").replace(
                "%1", str(exc) if known else failure_reason(exc)
            ),
            error=True,
        )
        self.refresh()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else SUCCESS_STYLE)
        self.message_label.setText(text)
