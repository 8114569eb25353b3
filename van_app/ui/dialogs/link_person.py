"""Adding a child or a parent to the household of the person whose file is open.

The other person is picked among those registered, or registered on the spot (a newborn
brought by its mother): then the link comes with the registration itself. A sentence says
which way the link goes ("ROUX Camille — mère de ROUX Léo") before anything is written.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.french import de_name
from van_app.core.people import RELATION_LABELS, RELATIONS
from van_app.core.people_search import PersonHit, person_hits
from van_app.core.registration import link_people
from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.dialogs.register_person import RegisterPersonDialog
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.people_search import PersonPickerWidget, hit_text
from van_app.ui.widgets.person_fields import default_relation
from van_app.ui.widgets.social_parts import FieldErrors
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE


class LinkPersonDialog(QDialog):
    """Link a child or a parent to ``person_id``; accepted once the link is written."""

    def __init__(
        self,
        context: AppContext,
        person_id: str,
        person_name: str,
        person_sex: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.person_id = person_id
        self.person_name = person_name
        self.person_sex = person_sex
        self.chosen: tuple[str, str] | None = None  # (id, name) of the other person
        self.register_dialog: RegisterPersonDialog | None = None
        self.linked_id = ""  # the other person, once linked
        self._busy = False
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Ajouter au foyer"))

        title = QLabel(self.tr("Foyer %1").replace("%1", de_name(person_name)))
        title.setStyleSheet(SUBTITLE_STYLE)
        title.setWordWrap(True)
        self.child_radio = QRadioButton(self.tr("Un enfant de cette personne"))
        self.parent_radio = QRadioButton(self.tr("Un parent de cette personne"))
        self.child_radio.setChecked(True)
        self.direction_group = QButtonGroup(self)
        for button in (self.child_radio, self.parent_radio):
            self.direction_group.addButton(button)
            button.toggled.connect(self._on_direction_changed)
        direction = QHBoxLayout()
        direction.addWidget(self.child_radio)
        direction.addWidget(self.parent_radio)
        direction.addStretch(1)

        self.relation_combo = QComboBox()
        for code in RELATIONS:
            self.relation_combo.addItem(self.tr(RELATION_LABELS[code]), code)
        self.relation_combo.setMaximumWidth(260)
        self.relation_combo.currentIndexChanged.connect(self._update_sentence)
        self.picker = PersonPickerWidget(
            context, self.tr("Rechercher la personne (nom ou date de naissance)…")
        )
        self.picker.person_chosen.connect(self._on_chosen)
        self.chosen_label = QLabel(self.tr("Personne choisie : aucune"))
        self.chosen_label.setWordWrap(True)
        self.new_person_button = QPushButton(self.tr("Elle n'est pas enregistrée : l'enregistrer…"))
        self.new_person_button.clicked.connect(self._on_register_new)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_person_button)
        new_row.addStretch(1)
        self.sentence_label = QLabel()
        self.sentence_label.setWordWrap(True)
        self.sentence_label.setStyleSheet("font-weight: 600;")

        form = QFormLayout()
        form.addRow(self.tr("Ajouter :"), direction)
        form.addRow(self.tr("Personne :"), self.picker)
        form.addRow("", self.chosen_label)
        form.addRow("", new_row)
        form.addRow(self.tr("Lien :"), self.relation_combo)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Annuler"))
        self.cancel_button.clicked.connect(self.reject)
        self.link_button = QPushButton(self.tr("Lier"))
        self.link_button.clicked.connect(self._on_link)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.link_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.errors.wrap(self.sentence_label, "link"))
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.resize(620, self.sizeHint().height())
        self._on_direction_changed()

    # -- choices ---------------------------------------------------------------------------

    def adding_child(self) -> bool:
        return self.child_radio.isChecked()

    def _set_relation(self, code: str) -> None:
        self.relation_combo.setCurrentIndex(max(0, self.relation_combo.findData(code)))

    def _on_direction_changed(self) -> None:
        if self.adding_child():
            self._set_relation(default_relation(self.person_sex))
        self._update_sentence()

    def _on_chosen(self, hit: PersonHit) -> None:
        self.chosen = (hit.id, hit.name)
        self.chosen_label.setText(self.tr("Personne choisie : %1").replace("%1", hit_text(hit)))
        if not self.adding_child():
            self._set_relation(default_relation(hit.sex))
        self.picker.clear()
        self._update_sentence()

    def _parent_and_child(self) -> tuple[tuple[str, str], tuple[str, str]] | None:
        if self.chosen is None:
            return None
        me = (self.person_id, self.person_name)
        return (me, self.chosen) if self.adding_child() else (self.chosen, me)

    def _update_sentence(self) -> None:
        self.errors.clear()
        pair = self._parent_and_child()
        self.link_button.setEnabled(pair is not None and not self._busy)
        if pair is None:
            self.sentence_label.setText(self.tr("Choisissez la personne à lier."))
            return
        (_, parent_name), (_, child_name) = pair
        relation = self.relation_combo.currentText().lower()
        self.sentence_label.setText(
            self.tr("%1 — %2 %3")
            .replace("%1", parent_name)
            .replace("%2", relation)
            .replace("%3", de_name(child_name))
        )

    # -- writing ---------------------------------------------------------------------------

    def _on_link(self) -> None:
        pair = self._parent_and_child()
        if pair is None or self._busy:
            return
        (parent_id, _), (child_id, _) = pair
        other_id = child_id if self.adding_child() else parent_id
        relation, store = self.relation_combo.currentData(), self.context.store
        self._busy = True
        self.link_button.setEnabled(False)
        self.context.runner.submit(
            lambda: link_people(store, parent_id, child_id, relation),
            lambda _link_id: self._on_linked(other_id),
            self._on_failed,
        )

    def _on_linked(self, other_id: str) -> None:
        self._busy = False
        self.linked_id = other_id
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self.link_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            _labels, others = self.errors.show(dict(exc.errors))
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText("\n".join(others))
        else:
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", failure_reason(exc)
                )
            )

    def _on_register_new(self) -> None:
        """Register the other person; a child is registered with this link already."""
        parents = []
        if self.adding_child():
            relation = self.relation_combo.currentData()
            parents = [(self.person_id, self.person_name, relation)]
        dialog = RegisterPersonDialog(
            self.context, self.picker.field.text(), parents=parents, parent=self
        )
        dialog.finished.connect(self._on_register_finished)  # no lambda holding the dialog
        self.register_dialog = dialog
        dialog.open()

    def _on_register_finished(self, _result: int) -> None:
        dialog, self.register_dialog = self.register_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.registered_id:
            self.context.events.records_changed.emit()
            form = dialog.current_form()
            if self.adding_child() and any(c.parent_id == self.person_id for c in form.parents):
                self._on_linked(dialog.registered_id)  # registered with the link
                return
            self.chosen = (dialog.registered_id, dialog.registered_name)
            self.chosen_label.setText(
                self.tr("Personne choisie : %1").replace("%1", dialog.registered_name)
            )
            if not self.adding_child():
                self._set_relation(default_relation(form.sex))
            self._update_sentence()
            self._on_link()
        elif dialog.existing_id:
            self._choose_by_id(dialog.existing_id)

    def _choose_by_id(self, person_id: str) -> None:
        """Pick a person known by id only (the one chosen in the duplicates warning)."""
        store, ref, today = self.context.store, self.context.reference, self.context.today()

        def load() -> list[PersonHit]:
            with store.session() as session:
                return person_hits(session, [person_id], ref, today)

        self.context.runner.submit(load, lambda hits: hits and self._on_chosen(hits[0]))
