"""The screens of a logged-in professional: navigation on the left, a screen on the right."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from van_app.core.confidentiality import ROLE_LABELS, Role
from van_app.ui.context import AppContext
from van_app.ui.screens.today import TodayScreen


class SessionWidget(QWidget):
    """Everything a logged-in professional sees: navigation on the left, a screen on the right."""

    logout_requested = Signal()
    lock_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        user = context.store.user
        roles = ", ".join(ROLE_LABELS.get(Role(r), r) for r in user.roles)
        self.user_label = QLabel(f"<b>{user.display_name}</b> — {roles}")
        self.lock_button = QPushButton(self.tr("Verrouiller"))
        self.lock_button.setToolTip(self.tr("Verrouiller le poste sans perdre la saisie en cours"))
        self.lock_button.clicked.connect(self.lock_requested)
        self.logout_button = QPushButton(self.tr("Se déconnecter"))
        self.logout_button.clicked.connect(self.logout_requested)

        top = QHBoxLayout()
        top.addWidget(self.user_label, 1)
        top.addWidget(self.lock_button)
        top.addWidget(self.logout_button)

        self.navigation = QListWidget()
        self.navigation.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.today_screen = TodayScreen(context)
        self._add_screen(self.tr("Aujourd'hui"), self.today_screen)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.navigation.setCurrentRow(0)

        body = QHBoxLayout()
        body.addWidget(self.navigation)
        body.addWidget(self.stack, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    def _add_screen(self, title: str, screen: QWidget) -> None:
        self.navigation.addItem(title)
        self.stack.addWidget(screen)
