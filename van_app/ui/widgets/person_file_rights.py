"""The person's rights from her file: correct her identity, delete her file on request.

Kept apart from the screen so that the screen only places these buttons and tells them whose
file is shown. Reads and writes run in the background; the file reloads through
``records_changed`` once something was saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QWidget

from van_app.core.person_removal import delete_person_on_request
from van_app.core.rectification import IdentityForm, can_rectify, identity_form
from van_app.ui.context import AppContext
from van_app.ui.dialogs.correct_identity import CorrectIdentityDialog
from van_app.ui.failure_text import failure_reason

SUPERVISOR = "supervisor"


class PersonRightsWidget(QWidget):
    """ "Corriger l'identité" and, for the supervisor, "Supprimer à sa demande"."""

    deleted = Signal(str)  # the person id, once her deletion is saved
    failed = Signal(str)  # a French message

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.person_id = ""
        self.person_name = ""
        self.dialog: CorrectIdentityDialog | None = None
        self.confirm_box: QMessageBox | None = None
        roles = tuple(context.store.user.roles)
        self.correct_button = QPushButton(self.tr("Corriger l'identité"))
        self.correct_button.setVisible(can_rectify(roles))
        self.correct_button.clicked.connect(self.open_correction)
        self.delete_button = QPushButton(self.tr("Supprimer à sa demande"))
        self.delete_button.setVisible(SUPERVISOR in roles)
        self.delete_button.clicked.connect(self.ask_deletion)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.correct_button, self.delete_button):
            button.setMinimumHeight(34)
            row.addWidget(button)

    def set_person(self, person_id: str, name: str) -> None:
        self.person_id, self.person_name = person_id, name

    # -- rectification ---------------------------------------------------------------------

    def open_correction(self) -> None:
        """Read the identity as held (background), then open the form filled with it."""
        if not self.person_id:
            return
        store, ref, person_id = self.context.store, self.context.reference, self.person_id
        self.correct_button.setEnabled(False)
        self.context.runner.submit(
            lambda: identity_form(store, person_id, ref),
            lambda form: self._show_correction(person_id, form),
            self._on_failed,
        )

    def _show_correction(self, person_id: str, form: IdentityForm) -> None:
        self.correct_button.setEnabled(True)
        dialog = CorrectIdentityDialog(self.context, person_id, form, parent=self)
        dialog.finished.connect(self._on_correction_finished)  # bound, not a closure
        self.dialog = dialog
        dialog.open()

    def _on_correction_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    # -- deletion on request ---------------------------------------------------------------

    def ask_deletion(self) -> QMessageBox | None:
        """Ask to confirm, naming the person; deletes only on an explicit yes."""
        if not self.person_id:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Supprimer la fiche"),
            self.tr(
                "Supprimer la fiche de %1 à sa demande ? Elle disparaîtra de tous les postes "
                "à leur prochaine synchronisation, avec ce qui lui est rattaché."
            ).replace("%1", self.person_name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Supprimer"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Annuler"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self._on_confirm_finished)
        self.confirm_box = box
        box.open()
        return box

    def _on_confirm_finished(self, result: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None:
            box.deleteLater()
        if result != QMessageBox.StandardButton.Yes or not self.person_id:
            return
        store, person_id = self.context.store, self.person_id
        self.delete_button.setEnabled(False)
        self.context.runner.submit(
            lambda: delete_person_on_request(store, person_id),
            lambda _none: self._on_deleted(person_id),
            self._on_failed,
        )

    def _on_deleted(self, person_id: str) -> None:
        self.delete_button.setEnabled(True)
        self.context.events.records_changed.emit()
        self.deleted.emit(person_id)

    def _on_failed(self, exc: Exception) -> None:
        self.correct_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        self.failed.emit(
            self.tr("L'opération n'a pas abouti (%1).").replace("%1", failure_reason(exc))
        )
