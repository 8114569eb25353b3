"""The professional's access on this laptop: change the password, re-enrol after a refused
token, take a colleague off the laptop. Errors are said next to the field, in French; the
password checks (Argon2, the network) run off the UI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import select

from van_app import config
from van_app.core.keystore import Keystore, WrongPasswordError
from van_app.core.models import StaffAccount
from van_app.core.pending import pending_changes
from van_app.sync.account_upkeep import change_password
from van_app.sync.client import DeviceNotAuthorizedError, SyncError
from van_app.sync.enrolment import token_store
from van_app.ui.context import AppContext
from van_app.ui.widgets.style import ERROR_STYLE

MIN_PASSWORD_LENGTH = 8  # as the server asks (sync_server.cli)


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(260)
    return field


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class ChangePasswordDialog(QDialog):
    """The new password opens this laptop at once; the CMS server learns it at the next sync."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Changer mon mot de passe"))
        self.current_edit = _password_field()
        self.new_edit = _password_field()
        self.confirm_edit = _password_field()
        self.current_error, self.new_error = _error_label(), _error_label()
        self.confirm_error = _error_label()
        form = QFormLayout()
        form.addRow(self.tr("Mot de passe actuel :"), self.current_edit)
        form.addRow("", self.current_error)
        form.addRow(self.tr("Nouveau mot de passe :"), self.new_edit)
        form.addRow("", self.new_error)
        form.addRow(self.tr("Nouveau, encore :"), self.confirm_edit)
        form.addRow("", self.confirm_error)
        hint = QLabel(
            self.tr(
                "Le nouveau mot de passe ouvre ce poste dès maintenant. Il sera envoyé au "
                "serveur du CMS à la prochaine synchronisation : d'ici là, l'ancien reste "
                "valable sur vos autres postes."
            )
        )
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Changer le mot de passe"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Annuler"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.current_edit.setFocus()

    def _problems(self) -> dict[QLabel, str]:
        current, new = self.current_edit.text(), self.new_edit.text()
        problems: dict[QLabel, str] = {}
        if not current:
            problems[self.current_error] = self.tr("Saisissez votre mot de passe actuel.")
        if len(new) < MIN_PASSWORD_LENGTH:
            problems[self.new_error] = self.tr("8 caractères au moins.")
        elif new == current:
            problems[self.new_error] = self.tr("Choisissez un mot de passe différent de l'actuel.")
        elif "\x00" in new or any(0xD800 <= ord(c) <= 0xDFFF for c in new):
            problems[self.new_error] = self.tr("Ce mot de passe contient un caractère invalide.")
        if self.confirm_edit.text() != new:
            problems[self.confirm_error] = self.tr("Les deux saisies diffèrent.")
        return problems

    def _submit(self) -> None:
        for label in (self.current_error, self.new_error, self.confirm_error):
            label.hide()
        problems = self._problems()
        if problems:
            for label, text in problems.items():
                label.setText(text)
                label.show()
            first = next(iter(problems))
            field = {
                self.current_error: self.current_edit,
                self.new_error: self.new_edit,
                self.confirm_error: self.confirm_edit,
            }[first]
            field.setFocus()
            field.selectAll()
            return
        store, current, new = self.context.store, self.current_edit.text(), self.new_edit.text()
        self.ok_button.setEnabled(False)
        self.context.runner.submit(
            lambda: change_password(store, current, new), lambda _r: self.accept(), self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, WrongPasswordError):
            self.current_error.setText(self.tr("Ce n'est pas votre mot de passe actuel."))
        else:
            self.current_error.setText(
                self.tr("Le mot de passe n'a pas pu être changé : rien n'a été modifié.")
            )
        self.current_error.show()
        self.current_edit.setFocus()
        self.current_edit.selectAll()


class ReenrolDialog(QDialog):
    """The server refused this laptop's token: the professional's server password gets a new
    one; what waits on the laptop then leaves once."""

    def __init__(
        self,
        username: str,
        reenrol: Callable[[str, Callable[[], None], Callable[[Exception], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._reenrol = reenrol
        self.setWindowTitle(self.tr("Réinscrire ce poste"))
        explanation = QLabel(
            self.tr(
                "Le serveur du CMS ne reconnaît plus ce poste (jeton révoqué, serveur restauré "
                "ou déplacé). Saisissez le mot de passe du CMS de %1 : le poste sera inscrit "
                "de nouveau, puis tout ce qui attend ici sera envoyé, une seule fois."
            ).replace("%1", username)
        )
        explanation.setWordWrap(True)
        self.password_edit = _password_field()
        self.error_label = _error_label()
        form = QFormLayout()
        form.addRow(self.tr("Mot de passe :"), self.password_edit)
        form.addRow("", self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Réinscrire"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Annuler"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.password_edit.setFocus()

    def _submit(self) -> None:
        if not self.password_edit.text():
            self._say(self.tr("Saisissez votre mot de passe du CMS."))
            return
        self.ok_button.setEnabled(False)
        self.error_label.hide()
        self._reenrol(self.password_edit.text(), self.accept, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, DeviceNotAuthorizedError) and exc.wrong_password:
            self._say(self.tr("Mot de passe refusé par le CMS. Vérifiez la saisie."))
        elif isinstance(exc, SyncError):
            self._say(str(exc))
        else:
            self._say(self.tr("La réinscription a échoué : réessayez plus tard."))

    def _say(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.password_edit.setFocus()
        self.password_edit.selectAll()


class LaptopProfessionalsDialog(QDialog):
    """Who can log in on this laptop; a colleague who left can be taken off it, never with
    changes of theirs still waiting to leave."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Professionnels de ce poste"))
        intro = QLabel(
            self.tr(
                "Chacun se connecte ici avec son propre mot de passe. Un nouveau professionnel "
                "s'ajoute depuis l'écran de connexion, avec le réseau, une fois."
            )
        )
        intro.setWordWrap(True)
        self.people_list = QListWidget()
        self.people_list.setTabKeyNavigation(False)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.remove_button = QPushButton(self.tr("Retirer de ce poste…"))
        self.remove_button.clicked.connect(self._remove_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Fermer"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.people_list)
        layout.addWidget(self.message_label)
        layout.addWidget(self.remove_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(close)
        self.setMinimumSize(520, 360)
        self.reload()

    def reload(self) -> None:
        store = self.context.store

        def load() -> list[tuple[str, str, int]]:
            usernames = Keystore(store.data_dir / config.KEYS_FILE).usernames()
            with store.read_session() as session:
                names = {
                    account.username: account.display_name
                    for account in session.exec(select(StaffAccount)).all()
                }
                return [
                    (name, names.get(name, name), pending_changes(session, name).mine)
                    for name in usernames
                ]

        self.context.runner.submit(load, self._show)

    def _show(self, rows: list[tuple[str, str, int]]) -> None:
        self.people_list.clear()
        me = self.context.store.user.username
        for username, display_name, waiting in rows:
            text = f"{display_name} ({username})"
            if username == me:
                text += self.tr(" — vous")
            elif waiting:
                text += self.tr(" — %1 modification(s) en attente").replace("%1", str(waiting))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (username, display_name, waiting))
            self.people_list.addItem(item)
        self.people_list.setCurrentRow(0)
        self.people_list.setFocus()

    def _remove_selected(self) -> None:
        item = self.people_list.currentItem()
        if item is None:
            return
        username, display_name, waiting = item.data(Qt.ItemDataRole.UserRole)
        if username == self.context.store.user.username:
            self.message_label.setText(
                self.tr("Vous ne pouvez pas vous retirer vous-même : demandez à un collègue.")
            )
            return
        if waiting:
            self.message_label.setText(
                self.tr(
                    "%1 a encore %2 modification(s) en attente sur ce poste : elles partiront à "
                    "sa prochaine connexion. Retirez ce compte ensuite."
                )
                .replace("%1", display_name)
                .replace("%2", str(waiting))
            )
            return
        answer = QMessageBox.question(
            self,
            self.tr("Retirer de ce poste"),
            self.tr(
                "Retirer %1 de ce poste ? Son mot de passe n'ouvrira plus ce poste ; ses fiches "
                "déjà envoyées restent au CMS."
            ).replace("%1", display_name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        store = self.context.store

        def removed(_result: object) -> None:
            self.message_label.setText(
                self.tr("%1 est retiré de ce poste.").replace("%1", display_name)
            )
            self.reload()

        url = self.context.server_url

        def remove() -> None:
            store.remove_professional(username)
            if url:  # their token leaves the keyring with them
                token_store(store).set(url, username, None)

        self.context.runner.submit(
            remove,
            removed,
            lambda exc: self.message_label.setText(
                self.tr("Ce compte n'a pas pu être retiré : rien n'a été modifié.")
            ),
        )
