"""Login screen: choose or type the user, type the password; checked offline."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.ui.widgets.style import ERROR_STYLE, TITLE_STYLE


class LoginScreen(QWidget):
    """Asks who is there. The password is checked by unwrapping the database key."""

    login_requested = Signal(str, str)
    close_session_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LoginScreen")

        title = QLabel(self.tr("Drôme Proximité"))
        title.setStyleSheet(TITLE_STYLE)
        subtitle = QLabel(self.tr("Service médico-social itinérant — Département de la Drôme"))
        subtitle.setWordWrap(True)

        self.user_combo = QComboBox()
        self.user_combo.setEditable(True)
        self.user_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.user_combo.lineEdit().setPlaceholderText(self.tr("identifiant"))
        self.user_combo.setMinimumWidth(260)

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("mot de passe"))
        self.password_edit.returnPressed.connect(self._on_submit)

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.login_button = QPushButton(self.tr("Se connecter"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self._on_submit)

        self.close_session_button = QPushButton(self.tr("Changer d'utilisateur"))
        self.close_session_button.setToolTip(
            self.tr("Ferme la session verrouillée : la saisie non enregistrée sera perdue.")
        )
        self.close_session_button.clicked.connect(self.close_session_requested)
        self.close_session_button.hide()

        # A new laptop: the first login goes online to the CMS server, which enrols it.
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://…")
        self.server_label = QLabel(self.tr("Serveur du CMS :"))

        form = QFormLayout()
        form.addRow(self.tr("Utilisateur :"), self.user_combo)
        form.addRow(self.tr("Mot de passe :"), self.password_edit)
        form.addRow(self.server_label, self.server_edit)
        form.addRow("", self.error_label)
        self.set_first_setup(False)

        self.hint_label = QLabel(self._offline_hint())
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: #555;")

        card = QFrame()
        card.setObjectName("LoginCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setFixedWidth(540)  # a fixed width keeps the wrapped labels from squeezing the fields
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(32, 28, 32, 28)
        card_layout.setSpacing(12)
        card_layout.addWidget(title)
        card_layout.addWidget(subtitle)
        card_layout.addSpacing(8)
        card_layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_session_button)
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        card_layout.addLayout(buttons)
        card_layout.addWidget(self.hint_label)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def _offline_hint(self) -> str:
        return self.tr(
            "Le mot de passe est vérifié sur ce poste : aucune connexion n'est nécessaire.\n"
            "Nouveau sur ce poste ? Saisissez votre identifiant et votre mot de passe du CMS, "
            "avec le réseau, une fois."
        )

    def set_usernames(self, usernames: list[str], selected: str = "") -> None:
        self.user_combo.clear()
        self.user_combo.addItems(usernames)
        self.user_combo.setCurrentText(selected or (usernames[0] if usernames else ""))
        self.password_edit.setFocus()

    def lock_to(self, username: str) -> None:
        """Locked session: only the same user can come back to the form in progress."""
        self.set_usernames([username], username)
        self.user_combo.setEnabled(False)
        self.close_session_button.show()
        self.hint_label.setText(
            self.tr("Session verrouillée. Saisissez à nouveau votre mot de passe pour reprendre.")
        )

    def unlock_choice(self) -> None:
        self.user_combo.setEnabled(True)
        self.close_session_button.hide()
        self.hint_label.setText(self._offline_hint())

    def set_first_setup(self, first: bool, server_url: str = "") -> None:
        """No one is set up here yet: the first login enrols the laptop with the CMS server."""
        self.server_label.setVisible(first)
        self.server_edit.setVisible(first)
        if server_url and not self.server_edit.text():
            self.server_edit.setText(server_url)
        if first:
            self.hint_label.setText(
                self.tr(
                    "Première connexion sur ce poste : le réseau est nécessaire une fois, pour "
                    "l'inscrire auprès du CMS. Ensuite, tout fonctionne sans connexion."
                )
            )

    def server_url(self) -> str:
        return self.server_edit.text().strip()

    def set_busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        self.login_button.setText(self.tr("Ouverture…") if busy else self.tr("Se connecter"))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def clear(self) -> None:
        self.password_edit.clear()
        self.error_label.hide()

    def _on_submit(self) -> None:
        username = self.user_combo.currentText().strip()
        password = self.password_edit.text()
        if not username:
            self.show_error(self.tr("Indiquez votre identifiant."))
            return
        if not password:
            self.show_error(self.tr("Saisissez votre mot de passe."))
            return
        self.error_label.hide()
        self.login_requested.emit(username, password)
