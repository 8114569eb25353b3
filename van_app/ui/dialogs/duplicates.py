"""The warning shown before registering someone who may already have a file.

Two files for one person split their history, so opening the existing one is the default
button; creating anyway stays possible (twins, namesakes born the same day).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.people_search import PersonHit
from van_app.ui.models.people_results import ID_ROLE, PeopleResultsTableModel
from van_app.ui.widgets.style import SUBTITLE_STYLE


class DuplicatesDialog(QDialog):
    """Lists the likely same people; accepted with ``chosen_id`` set or ``create_anyway``."""

    def __init__(
        self, hits: Sequence[PersonHit], parent: QWidget | None = None, typed: str = ""
    ) -> None:
        """``typed``: the person being registered, shown above the list to compare with."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Personne peut-être déjà enregistrée"))
        self.chosen_id = ""
        self.create_anyway = False

        title = QLabel(
            self.tr("Cette personne a peut-être déjà un dossier.")
            if len(hits) == 1
            else self.tr("Cette personne a peut-être déjà un dossier (%1 possibles).").replace(
                "%1", str(len(hits))
            )
        )
        title.setStyleSheet(SUBTITLE_STYLE)
        explanation = QLabel(
            self.tr(
                "Même date de naissance (ou jour et mois inversés) et nom proche. Vérifiez avec "
                "la personne : si c'est elle, ouvrez son dossier plutôt que d'en créer un second."
            )
        )
        explanation.setWordWrap(True)
        self.typed_label = QLabel(self.tr("Vous enregistrez : %1").replace("%1", typed))
        self.typed_label.setStyleSheet("font-weight: 600;")
        self.typed_label.setVisible(bool(typed))
        found_label = QLabel(
            self.tr("Déjà enregistrée :") if len(hits) == 1 else self.tr("Déjà enregistrées :")
        )

        self.model = PeopleResultsTableModel(self)
        self.model.set_rows(list(hits))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            PeopleResultsTableModel.COL_NAME, QHeaderView.ResizeMode.Stretch
        )
        rows_shown = min(len(hits), 6)  # more scroll; fewer leave no empty space
        self.table.setFixedHeight(
            header.sizeHint().height()
            + self.table.verticalHeader().defaultSectionSize() * rows_shown
            + 2 * self.table.frameWidth()
        )
        self.table.selectRow(0)
        self.table.activated.connect(lambda _index: self._open_chosen())

        self.open_button = QPushButton(self.tr("Ouvrir cette personne"))
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open_chosen)
        self.create_button = QPushButton(self.tr("Créer quand même"))
        self.create_button.clicked.connect(self._create)
        self.back_button = QPushButton(self.tr("Revenir au formulaire"))
        self.back_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addSpacing(6)
        layout.addWidget(self.typed_label)
        layout.addWidget(found_label)
        layout.addWidget(self.table)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.resize(680, self.sizeHint().height())
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        index = rows[0] if rows else self.model.index(0, 0)
        self.chosen_id = index.data(ID_ROLE) or ""
        if self.chosen_id:
            self.accept()

    def _create(self) -> None:
        self.create_anyway = True
        self.accept()
