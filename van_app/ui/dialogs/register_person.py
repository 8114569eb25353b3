"""Registering a new person: identity, contact, and the parents already registered.

What was typed in the search comes in as ``prefill`` ("dupré hélène 12/03/1980"), so the
professional does not type it twice. The core checks the whole form and writes nothing on an
error (each French message under its field) or on a likely duplicate, which is shown in
``DuplicatesDialog``: open the existing file, or create anyway.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from van_app.core.ids import new_id
from van_app.core.measures import format_date
from van_app.core.people_search import parse_query
from van_app.core.registration import (
    DuplicatesFoundError,
    PersonForm,
    RegisteredPerson,
    register_person,
)
from van_app.core.validation import SEXES, ValidationError
from van_app.core.work_in_progress import KeptWork, kept_work, latest_work
from van_app.ui.context import AppContext
from van_app.ui.dialogs.duplicates import DuplicatesDialog
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.person_fields import CommuneEdit, ParentsWidget
from van_app.ui.widgets.screen_fit import resize_to_fit
from van_app.ui.widgets.social_parts import FieldErrors, french_moment
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE
from van_app.ui.work_keeper import WorkKeeper

DATE_PLACEHOLDER = "jj/mm/aaaa"
_DIGIT_SPACE_RE = re.compile(r"(\d) (?=\d)")
WORK_PREFIX = "register:"  # kept typing of this form: "register:<id>"
_TYPED_FIELDS = tuple(field.name for field in fields(PersonForm))


def _tidy(word: str) -> str:
    """ "hélène" -> "Hélène", "jean-pierre" -> "Jean-Pierre"; what has capitals stays as typed."""
    return word.title() if word.islower() else word


def prefill_values(typed: str, today: dt.date) -> tuple[str, str, str]:
    """Birth name, first names and birth date (jj/mm/aaaa) read from a search text.

    The first word is taken as the birth name, the other words as first names, the way
    people are usually asked at a desk; a typed full date becomes the birth date.
    """
    words = [w for w in typed.split() if not any(ch.isdigit() for ch in w)]
    birth = parse_query(typed, today).birth_date
    birth_name = _tidy(words[0]) if words else ""
    first_names = " ".join(_tidy(w) for w in words[1:])
    return birth_name, first_names, format_date(birth) if birth else ""


class RegisterPersonDialog(QDialog):
    """Accepted with ``registered_id`` (a new file) or ``existing_id`` (the same person's)."""

    person_registered = Signal(str)

    def __init__(
        self,
        context: AppContext,
        prefill: str = "",
        parents: Sequence[tuple[str, str, str]] = (),
        parent: QWidget | None = None,
        resume_key: str = "",
    ) -> None:
        """``parents``: (person id, text shown, relation) already chosen, e.g. from a file.
        ``resume_key``: the kept typing to bring back (else the latest one, if any)."""
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Nouvelle personne"))
        self.registered_id = ""
        self.registered_name = ""
        self.existing_id = ""
        self.duplicates_dialog: DuplicatesDialog | None = None
        self._busy = False
        self._pending_form: PersonForm | None = None
        self.errors = FieldErrors()
        wrap = self.errors.wrap
        today = context.today()

        self.birth_name_edit = QLineEdit()
        self.usual_name_edit = QLineEdit()
        self.usual_name_edit.setPlaceholderText(self.tr("Si différent (nom d'époux·se…)"))
        self.first_names_edit = QLineEdit()
        self.first_names_edit.setPlaceholderText(self.tr("Tous les prénoms, dans l'ordre"))
        self.birth_date_edit = QLineEdit()
        self.birth_date_edit.setPlaceholderText(DATE_PLACEHOLDER)
        self.birth_date_edit.setMaximumWidth(160)
        self.sex_group = QButtonGroup(self)
        sex_row = QHBoxLayout()
        sex_row.setContentsMargins(0, 0, 0, 0)
        self.sex_buttons: dict[str, QRadioButton] = {}
        labels = {"F": self.tr("Féminin"), "M": self.tr("Masculin"), "I": self.tr("Indéterminé")}
        for code in SEXES:
            button = QRadioButton(labels[code])
            self.sex_group.addButton(button)
            self.sex_buttons[code] = button
            sex_row.addWidget(button)
        sex_row.addStretch(1)
        sex_box = QWidget()
        sex_box.setLayout(sex_row)
        self.birthplace_edit = QLineEdit()
        self.birthplace_edit.setPlaceholderText(self.tr("Commune ou pays"))
        self.commune_edit = CommuneEdit(context.reference)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("06 12 34 56 78")
        self.phone_edit.setMaximumWidth(220)
        self.known_check = QCheckBox(self.tr("Connu·e du CMS avant cette visite"))
        self.information_date_edit = QLineEdit(format_date(today))
        self.information_date_edit.setPlaceholderText(DATE_PLACEHOLDER)
        self.information_date_edit.setMaximumWidth(160)
        self.information_date_edit.setToolTip(
            self.tr("Date à laquelle la personne a été informée de l'enregistrement de ses données")
        )

        identity = QGroupBox(self.tr("Identité"))
        identity_form = QFormLayout(identity)
        identity_form.addRow(
            self.tr("Nom de naissance * :"), wrap(self.birth_name_edit, "birth_name")
        )
        identity_form.addRow(self.tr("Nom d'usage :"), wrap(self.usual_name_edit, "usual_name"))
        identity_form.addRow(self.tr("Prénoms * :"), wrap(self.first_names_edit, "first_names"))
        identity_form.addRow(
            self.tr("Date de naissance * :"), wrap(self.birth_date_edit, "birth_date")
        )
        identity_form.addRow(self.tr("Sexe * :"), wrap(sex_box, "sex"))
        identity_form.addRow(
            self.tr("Lieu de naissance :"), wrap(self.birthplace_edit, "birthplace")
        )

        contact = QGroupBox(self.tr("Contact et information"))
        contact_form = QFormLayout(contact)
        contact_form.addRow(self.tr("Commune :"), wrap(self.commune_edit, "commune_insee"))
        contact_form.addRow(self.tr("Téléphone :"), wrap(self.phone_edit, "phone"))
        contact_form.addRow("", self.known_check)
        contact_form.addRow(
            self.tr("Informé·e de ses droits le :"),
            wrap(self.information_date_edit, "information_date"),
        )

        # One label width for both groups, so their fields line up.
        labels = [
            form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            for form in (identity_form, contact_form)
            for row in range(form.rowCount())
            if form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None
        ]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

        self.parents = ParentsWidget(context)
        for person_id, text, relation in parents:
            self.parents.add_parent(person_id, text, relation)
        parents_box = QGroupBox(self.tr("Parents (pour un enfant)"))
        QVBoxLayout(parents_box).addWidget(wrap(self.parents, "parents"))

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        for part in (identity, contact, parents_box):
            body.addWidget(part)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not here
        self.scroll.setWidget(content)

        title = QLabel(self.tr("Enregistrer une nouvelle personne"))
        title.setStyleSheet(SUBTITLE_STYLE)
        required = QLabel(self.tr("* obligatoire"))
        required.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(required)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.discard_button = QPushButton(self.tr("Effacer la saisie reprise"))
        self.discard_button.clicked.connect(self.discard_kept_work)
        self.discard_button.hide()
        self.cancel_button = QPushButton(self.tr("Annuler"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Enregistrer"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.discard_button)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(footer)
        resize_to_fit(self, 680, 760)  # the form scrolls; the buttons stay in sight

        birth_name, first_names, birth_date = prefill_values(prefill, today)
        self.birth_name_edit.setText(birth_name)
        self.first_names_edit.setText(first_names)
        self.birth_date_edit.setText(birth_date)
        self.birth_name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

        # Typing kept in the encrypted store every second and when the dialog is left.
        self.work_key = f"{WORK_PREFIX}{new_id()}"
        self.keeper = WorkKeeper(
            context, lambda: self.work_key, self._work_title, self._work_state, self
        )
        self.keeper.start()
        self._look_for_kept_work(resume_key)

    # -- work in progress ------------------------------------------------------------------

    def _work_title(self) -> str:
        name = f"{self.birth_name_edit.text().strip().upper()} {self.first_names_edit.text()}"
        return self.tr("Nouvelle personne — %1").replace("%1", name.strip() or "…")

    def _work_state(self) -> dict[str, Any] | None:
        if self._busy:
            return None
        form = self.current_form()
        state: dict[str, Any] = {
            name: getattr(form, name) for name in _TYPED_FIELDS if name != "parents"
        }
        state["parents"] = [
            [row.person_id, row.name_label.text(), row.relation_combo.currentData()]
            for row in self.parents.rows()
        ]
        return state

    def _look_for_kept_work(self, resume_key: str) -> None:
        store, username = self.context.store, self.context.store.user.username

        def find() -> KeptWork | None:
            with store.read_session() as session:
                if resume_key:
                    return kept_work(session, username, resume_key)
                return latest_work(session, username, WORK_PREFIX)

        self.context.runner.submit(find, self._on_kept_work)

    def _on_kept_work(self, kept: KeptWork | None) -> None:
        """Bring the kept typing back, unless something was typed meanwhile (then the kept
        one stays listed on "Aujourd'hui")."""
        if kept is None or self.keeper.has_changes():
            return
        payload = kept.payload
        for name, edit in self._text_edits().items():
            edit.setText(str(payload.get(name) or ""))
        for code, button in self.sex_buttons.items():
            button.setChecked(payload.get("sex") == code)
        self.known_check.setChecked(bool(payload.get("known_to_cms")))
        self.parents.remove_all()
        for person_id, text, relation in payload.get("parents") or []:
            self.parents.add_parent(str(person_id), str(text), str(relation))
        self.work_key = kept.key
        self.keeper.start(kept=True)
        self._show_message(
            self.tr(
                "Saisie reprise : ce qui avait été tapé le %1 sans être enregistré est revenu."
            ).replace("%1", french_moment(kept.saved_at))
        )
        self.discard_button.show()

    def _text_edits(self) -> dict[str, QLineEdit]:
        return {
            "birth_name": self.birth_name_edit,
            "usual_name": self.usual_name_edit,
            "first_names": self.first_names_edit,
            "birth_date": self.birth_date_edit,
            "birthplace": self.birthplace_edit,
            "commune": self.commune_edit,
            "phone": self.phone_edit,
            "information_date": self.information_date_edit,
        }

    def discard_kept_work(self) -> None:
        """ "Effacer la saisie reprise": back to an empty form; the kept typing is dropped."""
        self.keeper.saved(self.work_key)
        self.work_key = f"{WORK_PREFIX}{new_id()}"
        for edit in self._text_edits().values():
            edit.clear()
        self.information_date_edit.setText(format_date(self.context.today()))
        self.sex_group.setExclusive(False)
        for button in self.sex_buttons.values():
            button.setChecked(False)
        self.sex_group.setExclusive(True)
        self.known_check.setChecked(False)
        self.parents.remove_all()
        self.keeper.start()
        self.discard_button.hide()
        self._show_message(self.tr("Saisie reprise effacée."))
        self.birth_name_edit.setFocus()

    # -- the form --------------------------------------------------------------------------

    def current_form(self) -> PersonForm:
        """What the form holds, as typed: the core parses and checks it."""
        sex = next((code for code, b in self.sex_buttons.items() if b.isChecked()), "")
        return PersonForm(
            birth_name=self.birth_name_edit.text(),
            usual_name=self.usual_name_edit.text(),
            first_names=self.first_names_edit.text(),
            birth_date=self.birth_date_edit.text(),
            sex=sex,
            birthplace=self.birthplace_edit.text(),
            commune=self.commune_edit.text(),
            phone=self.phone_edit.text(),
            known_to_cms=self.known_check.isChecked(),
            information_date=self.information_date_edit.text(),
            parents=self.parents.choices(),
        )

    def error_text(self, key: str) -> str:
        """The message shown under a field ("" when none), for tests and help."""
        return self.errors.text(key)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #555;")
        self.message_label.setText(text)

    # -- saving ----------------------------------------------------------------------------

    def _on_save(self) -> None:
        if not self._busy:
            self._submit(self.current_form(), allow_duplicates=False)

    def _submit(self, form: PersonForm, *, allow_duplicates: bool) -> None:
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self._pending_form = form
        self._set_busy(True)
        self._show_message(self.tr("Enregistrement…"))
        self.context.runner.submit(
            lambda: register_person(store, form, ref, today, allow_duplicates=allow_duplicates),
            self._on_registered,
            self._on_failed,
        )

    def _on_registered(self, done: RegisteredPerson) -> None:
        self._set_busy(False)
        self.keeper.saved(self.work_key)  # written: the kept typing is no longer needed
        self.keeper.pause()
        self.registered_id, self.registered_name = done.id, done.name
        self.person_registered.emit(done.id)
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            # "06 12 34 56 78" in a message must not break across lines.
            errors = {k: _DIGIT_SPACE_RE.sub("\\1\u00a0", v) for k, v in exc.errors.items()}
            labels, others = self.errors.show(errors)
            summary = self.tr("Rien n'a été enregistré : corrigez les champs signalés en rouge.")
            self._show_message("\n".join([summary, *others]), error=True)
            if labels:
                content = self.scroll.widget()
                first = min(labels, key=lambda w: w.mapTo(content, w.rect().topLeft()).y())
                self.scroll.ensureWidgetVisible(first, 50, 80)
        elif isinstance(exc, DuplicatesFoundError):
            self.errors.clear()
            self._show_message(self.tr("Une personne semblable existe déjà : que faire ?"))
            self.duplicates_dialog = DuplicatesDialog(exc.hits, self, typed=self._typed_summary())
            self.duplicates_dialog.finished.connect(self._on_duplicates_answered)
            self.duplicates_dialog.open()
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def _typed_summary(self) -> str:
        """ "DUPRÉ Hélène, née le 12/03/1980": the person being registered, to compare."""
        form = self._pending_form or self.current_form()
        name = f"{form.birth_name.strip().upper()} {form.first_names.strip()}".strip()
        born = {"F": "née", "M": "né"}.get(form.sex, "né·e")
        return f"{name}, {born} le {form.birth_date.strip()}"

    def _on_duplicates_answered(self, _result: int) -> None:
        dialog, self.duplicates_dialog = self.duplicates_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.create_anyway and self._pending_form is not None:
            self._submit(self._pending_form, allow_duplicates=True)
        elif dialog.chosen_id:  # the person was already registered: nothing to keep
            self.existing_id = dialog.chosen_id
            self.keeper.saved(self.work_key)
            self.keeper.pause()
            self.accept()
        else:
            self._show_message(self.tr("Rien n'a été enregistré. Vérifiez le formulaire."))

    def reject(self) -> None:
        """Annuler, Échap: typing is never dropped without asking; kept by default."""
        if self._busy:  # a save under way finishes first: its answer decides
            return
        if self.keeper.has_changes():
            choice = self.ask_about_typing()
            if choice == "continue":
                return
            if choice == "drop":
                self.keeper.saved(self.work_key)
            else:
                self.keeper.flush()
        self.keeper.pause()
        super().reject()

    def ask_about_typing(self) -> str:
        """ "keep", "drop" or "continue" (tests replace it)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Saisie non enregistrée"))
        box.setText(
            self.tr(
                "Cette personne n'est pas enregistrée. Garder la saisie sur ce poste pour la "
                "reprendre plus tard (depuis « Aujourd'hui » ou « Nouvelle personne ») ?"
            )
        )
        keep = box.addButton(self.tr("Garder la saisie"), QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton(self.tr("Effacer la saisie"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Continuer la saisie"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "keep" if clicked is keep else "drop" if clicked is drop else "continue"
