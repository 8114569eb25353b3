"""Correcting a person's identity from her file (right of rectification).

The form opens filled with the identity as held; the core checks it like registration and
writes only the fields that changed, in the background. It syncs as an ordinary change.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.rectification import IdentityForm, correct_identity
from van_app.core.validation import SEXES, ValidationError
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.person_fields import CommuneEdit
from van_app.ui.widgets.social_parts import FieldErrors
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE


class CorrectIdentityDialog(QDialog):
    """Accepted once the correction is saved; ``changed`` names the fields written."""

    def __init__(
        self,
        context: AppContext,
        person_id: str,
        current: IdentityForm,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.person_id = person_id
        self.changed: list[str] = []
        self.setWindowTitle(self.tr("Corriger l'identité"))
        self.errors = FieldErrors()
        wrap = self.errors.wrap

        self.edits: dict[str, QLineEdit] = {}
        for name in ("birth_name", "usual_name", "first_names", "birth_date", "birthplace"):
            self.edits[name] = QLineEdit(getattr(current, name))
        self.edits["birth_date"].setPlaceholderText("jj/mm/aaaa")
        self.commune_edit = CommuneEdit(context.reference)
        self.commune_edit.setText(current.commune)
        self.edits["commune"] = self.commune_edit
        self.edits["phone"] = QLineEdit(current.phone)
        self.sex_group = QButtonGroup(self)
        self.sex_buttons: dict[str, QRadioButton] = {}
        sex_row = QHBoxLayout()
        sex_row.setContentsMargins(0, 0, 0, 0)
        labels = {"F": self.tr("Féminin"), "M": self.tr("Masculin"), "I": self.tr("Indéterminé")}
        for code in SEXES:
            button = QRadioButton(labels[code])
            button.setChecked(code == current.sex)
            self.sex_group.addButton(button)
            self.sex_buttons[code] = button
            sex_row.addWidget(button)
        sex_box = QWidget()
        sex_box.setLayout(sex_row)

        form = QFormLayout()
        form.addRow(self.tr("Nom de naissance * :"), wrap(self.edits["birth_name"], "birth_name"))
        form.addRow(self.tr("Nom d'usage :"), wrap(self.edits["usual_name"], "usual_name"))
        form.addRow(self.tr("Prénoms * :"), wrap(self.edits["first_names"], "first_names"))
        form.addRow(self.tr("Date de naissance * :"), wrap(self.edits["birth_date"], "birth_date"))
        form.addRow(self.tr("Sexe * :"), wrap(sex_box, "sex"))
        form.addRow(self.tr("Lieu de naissance :"), wrap(self.edits["birthplace"], "birthplace"))
        form.addRow(self.tr("Commune :"), wrap(self.commune_edit, "commune_insee"))
        form.addRow(self.tr("Téléphone :"), wrap(self.edits["phone"], "phone"))

        title = QLabel(self.tr("Corriger l'identité"))
        title.setStyleSheet(SUBTITLE_STYLE)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Enregistrer"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Annuler"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

    def typed(self) -> IdentityForm:
        values = {
            f.name: self.edits[f.name].text() for f in fields(IdentityForm) if f.name != "sex"
        }
        sex = next((code for code, button in self.sex_buttons.items() if button.isChecked()), "")
        return IdentityForm(sex=sex, **values)

    def save(self) -> None:
        """Check and write in the background; the dialog closes once saved."""
        context, person_id, form = self.context, self.person_id, self.typed()
        self.buttons.setEnabled(False)
        self.context.runner.submit(
            lambda: correct_identity(
                context.store, person_id, form, context.reference, context.today()
            ),
            self._on_saved,
            self._on_failed,
        )

    def _on_saved(self, changed: list[str]) -> None:
        self.buttons.setEnabled(True)
        self.changed = changed
        if changed:
            self.context.events.records_changed.emit()
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            _labels, others = self.errors.show(exc.errors)
            shown = "\n".join(others)
        else:
            self.errors.clear()
            shown = self.tr("La correction n'a pas été enregistrée (%1).").replace(
                "%1", failure_reason(exc)
            )
        self.message_label.setText(shown)
        self.message_label.setVisible(bool(shown))
