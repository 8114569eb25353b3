"""Finding a person: type a name or a birth date, open the file; or register someone new.

The search runs as one types (after a short pause, in the background) so the list follows
the typing without freezing it. The keyboard is enough: type, Down into the list, Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.people_search import SearchResult
from van_app.ui.context import AppContext
from van_app.ui.dialogs.register_person import WORK_PREFIX as REGISTER_WORK_PREFIX
from van_app.ui.dialogs.register_person import RegisterPersonDialog
from van_app.ui.failure_text import failure_reason
from van_app.ui.models.people_results import ID_ROLE, PeopleResultsTableModel
from van_app.ui.widgets.people_search import DebouncedPeopleSearch
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

HINT_STYLE = "color: #555;"


class PeopleScreen(QWidget):
    """Search people by name or birth date; Enter or a double-click opens the file."""

    results_shown = Signal()  # after each result is displayed (tests wait on it)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("PeopleScreen")
        self.register_dialog: RegisterPersonDialog | None = None
        self._stale = False
        self.search = DebouncedPeopleSearch(context, parent=self)
        self.search.results_ready.connect(self._on_results)
        self.search.failed.connect(self._on_failed)
        context.events.records_changed.connect(self._on_records_changed)
        context.events.work_resume_requested.connect(self.resume_registration)

        title = QLabel(self.tr("Personnes"))
        title.setStyleSheet(TITLE_STYLE)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(
            self.tr("Nom, prénom ou date de naissance (jj/mm/aaaa)…")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumHeight(34)
        self.search_edit.textChanged.connect(self.search.set_text)
        self.search_edit.returnPressed.connect(self._open_current)
        self.search_edit.installEventFilter(self)
        self.new_button = QPushButton(self.tr("Nouvelle personne…"))
        self.new_button.setMinimumHeight(34)
        self.new_button.clicked.connect(lambda: self.open_register_dialog())
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.new_button)

        self.count_label = QLabel()
        self.count_label.setStyleSheet(HINT_STYLE)
        self.count_label.setWordWrap(True)

        self.model = PeopleResultsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            PeopleResultsTableModel.COL_NAME, QHeaderView.ResizeMode.Stretch
        )
        header.setMinimumSectionSize(90)
        # Enter and double-click both arrive as "activated".
        self.table.activated.connect(self._on_activated)
        self.table.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addLayout(search_row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        self._show_hint()

    # -- keyboard --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if watched is self.search_edit and event.key() == Qt.Key.Key_Down:
                if self.model.rowCount():
                    self.table.setFocus()
                    row = max(0, self.table.currentIndex().row())
                    self.table.selectRow(row)
                return True
            if (
                watched is self.table
                and event.key() == Qt.Key.Key_Up
                and self.table.currentIndex().row() <= 0
            ):
                self.search_edit.setFocus()
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        """Put the cursor in the search field with its text selected, ready for a new name."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # -- results ---------------------------------------------------------------------------

    def _show_hint(self) -> None:
        self.count_label.setStyleSheet(HINT_STYLE)
        self.count_label.setText(
            self.tr(
                "Tapez le début du nom ou du prénom (les accents ne comptent pas), "
                "ou une date de naissance."
            )
        )

    def _on_results(self, result: SearchResult) -> None:
        self.model.set_rows(result.hits)
        if result.hits:
            self.table.selectRow(0)
        if not result.query.strip():
            self._show_hint()
        elif not result.hits:
            self.count_label.setStyleSheet(HINT_STYLE)
            self.count_label.setText(
                self.tr("Aucune personne trouvée. Vérifiez l'orthographe ou enregistrez-la.")
            )
        elif result.more:
            self.count_label.setStyleSheet(HINT_STYLE)
            self.count_label.setText(
                self.tr("Plus de %1 résultats, précisez (prénom, date de naissance…).").replace(
                    "%1", str(len(result.hits))
                )
            )
        else:
            self.count_label.setStyleSheet(HINT_STYLE)
            count = len(result.hits)
            self.count_label.setText(
                self.tr("1 personne trouvée.")
                if count == 1
                else self.tr("%1 personnes trouvées.").replace("%1", str(count))
            )
        self.results_shown.emit()

    def _on_failed(self, exc: Exception) -> None:
        self.model.set_rows([])
        self.count_label.setStyleSheet(ERROR_STYLE)
        self.count_label.setText(
            self.tr("La recherche a échoué (%1). Réessayez.").replace("%1", failure_reason(exc))
        )
        self.results_shown.emit()

    def _on_records_changed(self) -> None:
        if not self.isVisible():
            self._stale = True  # searched again when shown
        elif self.search_edit.text().strip():
            self.search.run_now()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.search_edit.text().strip():
            self.search.run_now()
        self._stale = False
        self.focus_search()  # the next visitor's name replaces the last one as it is typed

    # -- opening ---------------------------------------------------------------------------

    def _on_activated(self, index: QModelIndex) -> None:
        person_id = index.data(ID_ROLE)
        if person_id:
            self.context.events.person_opened.emit(person_id)

    def _open_current(self) -> None:
        """Enter in the search field opens the highlighted person, if the list is up to date."""
        index = self.table.currentIndex()
        if self.search.is_current() and index.isValid():
            self._on_activated(index)

    def resume_registration(self, key: str) -> None:
        """ "Reprendre la saisie" on Today: the registration kept under ``key``."""
        if key.startswith(REGISTER_WORK_PREFIX) and self.register_dialog is None:
            self.context.events.people_requested.emit()
            self.open_register_dialog(resume_key=key)

    def open_register_dialog(self, resume_key: str = "") -> RegisterPersonDialog:
        """Open the registration form, prefilled from what was typed (window-modal), or
        with the typing kept from an earlier time."""
        dialog = RegisterPersonDialog(
            self.context, self.search_edit.text(), parent=self, resume_key=resume_key
        )
        # A bound method, not a lambda holding the dialog: a closure kept alive by the
        # dialog's own connection would be freed in the middle of its deletion.
        dialog.finished.connect(self._on_register_finished)
        self.register_dialog = dialog
        dialog.open()
        return dialog

    def _on_register_finished(self, _result: int) -> None:
        dialog, self.register_dialog = self.register_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.registered_id:
            self.context.events.records_changed.emit()
            self.context.events.person_opened.emit(dialog.registered_id)
        elif dialog.existing_id:
            self.context.events.person_opened.emit(dialog.existing_id)
