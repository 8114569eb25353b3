"""A person's file: who they are, their household, their visits and follow-ups.

Everything comes from ``person_file``, which cuts each record to what the user's roles may
read; this screen adds nothing from the database. New consultations start from here, for the
services the user works in.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.first_contact import can_correct_known_to_cms, correct_known_to_cms
from van_app.core.measures import format_date
from van_app.core.person_file import KNOWN_TO_CMS_LABEL, PersonFile, VisitView, person_file
from van_app.ui.context import AppContext
from van_app.ui.dialogs.access_export import AccessExportDialog
from van_app.ui.dialogs.link_person import LinkPersonDialog
from van_app.ui.models.person_visits import PersonVisitsTableModel
from van_app.ui.widgets.known_before import KnownBeforeWidget
from van_app.ui.widgets.person_file_parts import (
    MUTED_STYLE,
    EntriesWidget,
    FollowUpsWidget,
    HouseholdWidget,
    VisitDetailWidget,
)
from van_app.ui.widgets.person_file_rights import PersonRightsWidget
from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE

SERVICE_CLASS = {"social": Conf.SOCIAL, "pmi": Conf.MEDICAL}


class PersonFileScreen(QWidget):
    """Shows one person's file; ``load(person_id)`` fills it in the background."""

    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("PersonFileScreen")
        self.person_id = ""
        self.data: PersonFile | None = None
        self.link_dialog: LinkPersonDialog | None = None
        self.access_dialog: AccessExportDialog | None = None
        self._stale = False
        self._readable = readable_classes(context.store.user.roles)
        context.events.records_changed.connect(self._on_records_changed)

        # -- header: who, and what can be started ------------------------------------------
        self.name_label = QLabel()
        self.name_label.setStyleSheet(TITLE_STYLE)
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.birth_label = QLabel()
        self.birth_label.setStyleSheet("font-size: 15px;")
        who = QVBoxLayout()
        who.addWidget(self.name_label)
        who.addWidget(self.birth_label)
        self.new_social_button = QPushButton(self.tr("Nouvelle consultation sociale"))
        self.new_social_button.clicked.connect(lambda: self._request_new("social"))
        self.new_pmi_button = QPushButton(self.tr("Nouvelle consultation PMI"))
        self.new_pmi_button.clicked.connect(lambda: self._request_new("pmi"))
        for button in (self.new_social_button, self.new_pmi_button):
            button.setMinimumHeight(34)
            button.hide()
        header = QHBoxLayout()
        header.addLayout(who, 1)
        header.addWidget(self.new_social_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.new_pmi_button, 0, Qt.AlignmentFlag.AlignTop)
        self.access_export_button = QPushButton(self.tr("Exporter le dossier (droit d'accès)"))
        self.access_export_button.setMinimumHeight(34)
        self.access_export_button.clicked.connect(self.open_access_export)
        header.addWidget(self.access_export_button, 0, Qt.AlignmentFlag.AlignTop)
        self.rights = PersonRightsWidget(context)  # rectification, deletion on request
        self.rights.failed.connect(self._show_message)
        self.rights.deleted.connect(lambda _id: self.context.events.people_requested.emit())
        header.addWidget(self.rights, 0, Qt.AlignmentFlag.AlignTop)

        # -- left column: identity, household, follow-ups ------------------------------------
        self.identity = EntriesWidget()
        self.known_before = KnownBeforeWidget()
        self.known_before.correction_requested.connect(self.correct_known_before)
        identity_box = QGroupBox(self.tr("Identité"))
        identity_layout = QVBoxLayout(identity_box)
        identity_layout.addWidget(self.identity)
        identity_layout.addWidget(self.known_before)
        self.household = HouseholdWidget()
        self.household.person_requested.connect(self.context.events.person_opened)
        self.household.add_requested.connect(self.open_link_dialog)
        household_box = QGroupBox(self.tr("Foyer"))
        QVBoxLayout(household_box).addWidget(self.household)
        self.follow_ups = FollowUpsWidget()
        self.follow_ups_box = QGroupBox(self.tr("Suivis"))
        QVBoxLayout(self.follow_ups_box).addWidget(self.follow_ups)
        self.follow_ups_box.setVisible(Conf.SOCIAL in self._readable)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 8, 0)
        for box in (identity_box, household_box, self.follow_ups_box):
            left_column.addWidget(box)
        left_column.addStretch(1)
        self.left_scroll = left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setWidget(left)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setMinimumWidth(max(390, left.minimumSizeHint().width() + 16))

        # -- right column: visits and the selected one in detail -----------------------------
        self.visits_model = PersonVisitsTableModel(self)
        self.visits_table = QTableView()
        self.visits_table.setModel(self.visits_model)
        self.visits_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.visits_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.visits_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.visits_table.setTabKeyNavigation(False)
        self.visits_table.verticalHeader().hide()
        self.visits_table.setWordWrap(False)
        visits_header = self.visits_table.horizontalHeader()
        visits_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The place is the longest and least needed text: it gives way first.
        visits_header.setSectionResizeMode(
            PersonVisitsTableModel.COL_PLACE, QHeaderView.ResizeMode.Stretch
        )
        self.visits_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.visits_table.selectionModel().selectionChanged.connect(self._on_visit_selected)
        self.visits_table.activated.connect(self._on_visit_activated)
        self.no_visit_label = QLabel(self.tr("Aucune visite enregistrée."))
        self.no_visit_label.setStyleSheet(MUTED_STYLE)
        self.visit_detail = VisitDetailWidget()
        self.visit_detail.open_requested.connect(self._open_visit)
        visits_top = QWidget()
        visits_top_layout = QVBoxLayout(visits_top)
        visits_top_layout.setContentsMargins(0, 0, 0, 0)
        visits_top_layout.addWidget(self.no_visit_label)
        visits_top_layout.addWidget(self.visits_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(visits_top)
        splitter.addWidget(self.visit_detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        visits_box = QGroupBox(self.tr("Visites"))
        QVBoxLayout(visits_box).addWidget(splitter)

        body = QHBoxLayout()
        body.addWidget(left_scroll, 2)
        body.addWidget(visits_box, 4)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(header)
        layout.addWidget(self.message_label)
        layout.addLayout(body, 1)

    # -- loading -------------------------------------------------------------------------------

    def load(self, person_id: str) -> None:
        """Read the file of ``person_id`` in the background, then show it (``loaded``)."""
        self.person_id = person_id
        self._stale = False
        store, ref, today = self.context.store, self.context.reference, self.context.today()

        def read() -> PersonFile:
            with store.session() as session:
                return person_file(session, store.user, person_id, ref, today)

        self.context.runner.submit(
            read,
            lambda data: self._on_loaded(person_id, data),
            lambda exc: self._on_failed(person_id, exc),
        )

    def _on_loaded(self, person_id: str, data: PersonFile) -> None:
        if person_id != self.person_id:
            return  # another file was asked for meanwhile
        same_person = self.data is not None and self.data.person_id == data.person_id
        selected = self.selected_visit()
        if not same_person:  # another person's file opens at its top
            self.left_scroll.verticalScrollBar().setValue(0)
        self.data = data
        self.rights.set_person(data.person_id, data.name)
        self.message_label.hide()
        self.name_label.setText(data.name)
        born = {"F": self.tr("Née le %1"), "M": self.tr("Né le %1")}.get(
            data.sex, self.tr("Né·e le %1")
        )
        birth = born.replace("%1", format_date(data.birth_date))
        self.birth_label.setText(f"{birth} — {data.age}" if data.age else birth)
        self.new_social_button.setVisible("social" in data.can_start)
        self.new_pmi_button.setVisible("pmi" in data.can_start)
        # The "known before" answer has its own box, correctable, under the entries.
        self.identity.set_entries(tuple(e for e in data.identity if e.label != KNOWN_TO_CMS_LABEL))
        self.known_before.set_value(
            data.known_to_cms, editable=can_correct_known_to_cms(self.context.store.user.roles)
        )
        self.household.set_members(data.household)
        self.follow_ups.set_follow_ups(data.follow_ups)
        self.follow_ups_box.setVisible(bool(data.follow_ups) or Conf.SOCIAL in self._readable)
        self.visits_model.set_rows(data.visits)
        self.visits_table.setVisible(bool(data.visits))
        self.visit_detail.setVisible(bool(data.visits))
        self.no_visit_label.setVisible(not data.visits)
        keep = next(
            (
                i
                for i, v in enumerate(data.visits)
                if same_person and selected and v.id == selected.id
            ),
            0,
        )
        if data.visits:
            self.visits_table.selectRow(keep)
        else:
            self.visit_detail.set_visit(None)
        self.loaded.emit()

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def _on_failed(self, person_id: str, exc: Exception) -> None:
        if person_id != self.person_id:
            return
        text = str(exc) if isinstance(exc, LookupError) else type(exc).__name__
        self.message_label.setText(
            self.tr("Impossible d'ouvrir ce dossier : %1").replace("%1", text)
        )
        self.message_label.show()
        self.loaded.emit()

    # -- "known to the CMS before" ----------------------------------------------------------

    def correct_known_before(self, known: bool) -> None:
        """Write the corrected answer in the background; it syncs like an identity field."""
        if self.data is None:
            return
        store, person_id = self.context.store, self.data.person_id
        self.known_before.set_busy(True)
        self.context.runner.submit(
            lambda: correct_known_to_cms(store, person_id, known),
            self._on_known_corrected,
            self._on_known_failed,
        )

    def _on_known_corrected(self, _changed: bool) -> None:
        self.known_before.set_busy(False)
        self.known_before.show_message(
            self.tr("Correction enregistrée ; elle sera envoyée à la prochaine synchronisation.")
        )
        self.context.events.records_changed.emit()

    def _on_known_failed(self, exc: Exception) -> None:
        self.known_before.set_busy(False)
        text = str(exc) if isinstance(exc, (LookupError, PermissionError)) else type(exc).__name__
        self.known_before.show_message(
            self.tr("La correction n'a pas été enregistrée : %1").replace("%1", text), error=True
        )

    def _on_records_changed(self) -> None:
        if not self.isVisible():
            self._stale = True  # reloaded when shown again
        elif self.person_id:
            self.load(self.person_id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.person_id:
            self.load(self.person_id)
        self._stale = False

    # -- visits ----------------------------------------------------------------------------------

    def selected_visit(self) -> VisitView | None:
        rows = self.visits_table.selectionModel().selectedRows()
        return self.visits_model.visit_at(rows[0].row()) if rows else None

    def _on_visit_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        visit = self.selected_visit()
        readable = visit is not None and SERVICE_CLASS[visit.service] in self._readable
        self.visit_detail.set_visit(visit, readable)

    def _on_visit_activated(self, index: QModelIndex) -> None:
        self._open_visit(self.visits_model.visit_at(index.row()))

    def _open_visit(self, visit: VisitView) -> None:
        """Open a visit of the user's own service in its form (read-only unless a draft)."""
        if visit.can_open and self.data is not None:
            # A visit of a merged record opens with the record it was written for.
            self.context.events.consultation_requested.emit(
                visit.service, visit.person_id or self.data.person_id, visit.id
            )

    def _request_new(self, service: str) -> None:
        if self.data is not None and service in self.data.can_start:
            self.context.events.consultation_requested.emit(service, self.data.person_id, "")

    # -- household -------------------------------------------------------------------------------

    def open_link_dialog(self) -> LinkPersonDialog | None:
        """Add a child or a parent (window-modal); the file reloads once linked."""
        if self.data is None:
            return None
        dialog = LinkPersonDialog(
            self.context, self.data.person_id, self.data.name, self.data.sex, parent=self
        )
        # A bound method, not a lambda holding the dialog: a closure kept alive by the
        # dialog's own connection would be freed in the middle of its deletion.
        dialog.finished.connect(self._on_link_finished)
        self.link_dialog = dialog
        dialog.open()
        return dialog

    def _on_link_finished(self, _result: int) -> None:
        dialog, self.link_dialog = self.link_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.linked_id:
            self.context.events.records_changed.emit()  # this file reloads with the others

    # -- right of access -------------------------------------------------------------------------

    def open_access_export(self) -> AccessExportDialog | None:
        """Export the whole file for a right-of-access request (window-modal)."""
        if self.data is None:
            return None
        dialog = AccessExportDialog(self.context, self.data.person_id, parent=self)
        dialog.finished.connect(self._on_access_export_finished)  # bound: see open_link_dialog
        self.access_dialog = dialog
        dialog.open()
        return dialog

    def _on_access_export_finished(self, _result: int) -> None:
        dialog, self.access_dialog = self.access_dialog, None
        if dialog is not None:
            dialog.deleteLater()
