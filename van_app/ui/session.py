"""The screens of a logged-in professional: navigation on the left, a screen on the right.

The navigation lists what the role does (a nurse has no "Mes suivis"); the person's file and
the consultation forms are reached from a person, through AppEvents, never from the list.
While the satisfaction questionnaire faces a visitor, everything else is hidden and only the
professional's password brings the session back (the handback locks the session).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from van_app.core.confidentiality import ROLE_LABELS, Role
from van_app.core.tour_planning import extend_horizon
from van_app.ui.context import AppContext
from van_app.ui.dialogs.account import ChangePasswordDialog, LaptopProfessionalsDialog
from van_app.ui.dialogs.upcoming_purge import UpcomingPurgeDialog
from van_app.ui.screens.activity import ActivityScreen
from van_app.ui.screens.conflicts import ConflictsScreen
from van_app.ui.screens.follow_ups import WORK_PREFIX as CLOSING_WORK_PREFIX
from van_app.ui.screens.follow_ups import FollowUpsScreen
from van_app.ui.screens.people import PeopleScreen
from van_app.ui.screens.person_file import PersonFileScreen
from van_app.ui.screens.pmi_consultation import PmiConsultationScreen
from van_app.ui.screens.review_queue import ReviewQueueScreen
from van_app.ui.screens.satisfaction import SatisfactionScreen
from van_app.ui.screens.social_consultation import SocialConsultationScreen
from van_app.ui.screens.today import TodayScreen
from van_app.ui.screens.tour_planning import TourPlanningScreen
from van_app.ui.session_keys import ask_visitor_mode, install_session_shortcuts
from van_app.ui.work_keeper import WorkKeeper

log = logging.getLogger(__name__)


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

        self.account_button = QPushButton(self.tr("Mon compte"))
        account_menu = QMenu(self.account_button)
        self.change_password_action = account_menu.addAction(
            self.tr("Changer mon mot de passe…"), self.ask_password_change
        )
        self.professionals_action = account_menu.addAction(
            self.tr("Professionnels de ce poste…"), self.show_laptop_professionals
        )
        self.copy_log_action = account_menu.addAction(
            self.tr("Copier le journal pour le support"), self.copy_log_for_support
        )
        if Role.SUPERVISOR.value in user.roles:  # the retention's list, to archive first
            account_menu.addAction(self.tr("Purge à venir…"), self.show_upcoming_purge)
        self.account_button.setMenu(account_menu)

        # "Where did my typing go?": said when a form is left with unsaved typing.
        self.kept_notice = QLabel()
        self.kept_notice.setWordWrap(True)
        self.kept_notice.setStyleSheet("color: #1f3a5f;")
        self._notice_timer = QTimer(self, singleShot=True, interval=15_000)
        self._notice_timer.timeout.connect(self.kept_notice.clear)
        context.events.work_kept.connect(self._say_work_kept)

        self.top_bar = QWidget()
        top = QHBoxLayout(self.top_bar)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.user_label)
        top.addWidget(self.kept_notice, 1)
        top.addWidget(self.account_button)
        top.addWidget(self.lock_button)
        top.addWidget(self.logout_button)

        self.navigation = QListWidget()
        self.navigation.setFixedWidth(190)
        self.navigation.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.stack = QStackedWidget()
        self._listed: list[QWidget] = []

        social = Role.SOCIAL_WORKER.value in user.roles
        self.today_screen = TodayScreen(context)
        self.people_screen = PeopleScreen(context)
        self.follow_ups_screen = FollowUpsScreen(context) if social else None
        self.satisfaction_screen = SatisfactionScreen(context)
        self.person_file_screen = PersonFileScreen(context)
        self.social_screen = SocialConsultationScreen(context) if social else None
        pmi = Role.PMI_NURSE.value in user.roles
        self.pmi_screen = PmiConsultationScreen(context) if pmi else None

        supervisor = Role.SUPERVISOR.value in user.roles
        self.tour_screen = TourPlanningScreen(context) if supervisor else None
        self.review_screen = ReviewQueueScreen(context) if supervisor else None
        self.conflicts_screen = ConflictsScreen(context) if supervisor else None
        self.activity_screen = ActivityScreen(context) if supervisor else None

        self._list_screen(self.tr("Aujourd'hui"), self.today_screen)
        self._list_screen(self.tr("Personnes"), self.people_screen)
        if supervisor:
            self._list_screen(self.tr("Tournée"), self.tour_screen)
            self._list_screen(self.tr("Relecture"), self.review_screen)
            self._list_screen(self.tr("Conflits et doublons"), self.conflicts_screen)
            self._list_screen(self.tr("Activité"), self.activity_screen)
        if self.follow_ups_screen is not None:
            self._list_screen(self.tr("Mes suivis"), self.follow_ups_screen)
        if self.satisfaction_screen.services:
            self._list_screen(self.tr("Avis des usagers"), self.satisfaction_screen)
        for screen in (self.person_file_screen, self.social_screen, self.pmi_screen):
            if screen is not None:
                self.stack.addWidget(screen)
        # Only an activation (Entrée, a click) switches: the arrows and the focus never do.
        self.navigation.itemActivated.connect(
            lambda item: self.choose_row(self.navigation.row(item))
        )
        self.navigation.itemClicked.connect(lambda item: self.choose_row(self.navigation.row(item)))
        self.navigation.setCurrentRow(0)
        self.confirm_visitor_mode = ask_visitor_mode
        self.shortcuts_dialog = None
        install_session_shortcuts(self)

        self.satisfaction_screen.handback_requested.connect(self._on_handback)
        context.events.person_opened.connect(self.open_person)
        context.events.consultation_requested.connect(self.open_consultation)
        context.events.people_requested.connect(lambda: self.show_screen(self.people_screen))
        context.events.work_resume_requested.connect(self._show_screen_of_work)

        if supervisor:  # the vans must always know the coming twelve months of the tour
            store, today = context.store, context.today()
            context.runner.submit(lambda: extend_horizon(store, today))

        self.body = QHBoxLayout()
        self.body.addWidget(self.navigation)
        self.body.addWidget(self.stack, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.top_bar)
        layout.addLayout(self.body, 1)

    def _list_screen(self, title: str, screen: QWidget) -> None:
        self.navigation.addItem(title)
        self.stack.addWidget(screen)
        self._listed.append(screen)

    def choose_row(self, row: int) -> None:
        """A row of the navigation was activated: show its screen (the questionnaire, which
        hides the session until the password, only once confirmed)."""
        if not 0 <= row < len(self._listed) or self.in_visitor_mode():
            return
        screen = self._listed[row]
        if screen is self.satisfaction_screen and not self.confirm_visitor_mode(self):
            self._highlight(self.stack.currentWidget())
            return
        self._on_row_changed(row)

    def _highlight(self, screen: QWidget) -> None:
        self.navigation.blockSignals(True)
        self.navigation.setCurrentRow(self._listed.index(screen) if screen in self._listed else -1)
        self.navigation.blockSignals(False)

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._listed):
            screen = self._listed[row]
            self._highlight(screen)
            self.stack.setCurrentWidget(screen)
            self._set_visitor_mode(screen is self.satisfaction_screen)

    def show_screen(self, screen: QWidget) -> None:
        """Bring ``screen`` forward; the navigation highlights it if it is listed."""
        if screen in self._listed:
            self._on_row_changed(self._listed.index(screen))
        else:
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(-1)
            self.navigation.blockSignals(False)
            self.stack.setCurrentWidget(screen)

    def open_person(self, person_id: str) -> None:
        self.show_screen(self.person_file_screen)
        self.person_file_screen.load(person_id)

    def open_consultation(self, kind: str, person_id: str, consultation_id: str) -> None:
        screen = self.social_screen if kind == "social" else self.pmi_screen
        if screen is None:  # not this role's service: the file shows what may be read
            self.open_person(person_id)
            return
        self.show_screen(screen)
        screen.load(person_id, consultation_id)

    # -- the questionnaire facing a visitor ---------------------------------------------------

    def _set_visitor_mode(self, on: bool) -> None:
        self.navigation.setVisible(not on)
        self.top_bar.setVisible(not on)

    def _on_handback(self) -> None:
        """The professional takes the laptop back: lock first, so the visitor sees nothing."""
        self.lock_requested.emit()
        self._on_row_changed(0)

    def _show_screen_of_work(self, key: str) -> None:
        """A follow-up's closing comes back in "Mes suivis" (a registration: its screen asks
        for the search through people_requested)."""
        if key.startswith(CLOSING_WORK_PREFIX) and self.follow_ups_screen is not None:
            self.show_screen(self.follow_ups_screen)

    def _say_work_kept(self, title: str) -> None:
        self.kept_notice.setText(
            self.tr(
                "%1 : saisie gardée sur ce poste (non enregistrée). Rouvrez-la, ou reprenez-la "
                "depuis « Aujourd'hui »."
            ).replace("%1", title)
        )
        self._notice_timer.start()

    def ask_password_change(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: QMessageBox.information(
                self,
                self.tr("Mot de passe changé"),
                self.tr(
                    "Votre nouveau mot de passe ouvre ce poste. Il sera envoyé au serveur du "
                    "CMS à la prochaine synchronisation."
                ),
            )
        )
        dialog.open()
        return dialog

    def show_laptop_professionals(self) -> LaptopProfessionalsDialog:
        dialog = LaptopProfessionalsDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_upcoming_purge(self) -> UpcomingPurgeDialog:
        dialog = UpcomingPurgeDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def copy_log_for_support(self) -> None:
        """The last lines of the app's log (no personal data) to the clipboard, to paste in
        a message to the CMS support; the file is read off the UI thread."""
        from van_app.core.app_log import SUPPORT_LINES, support_excerpt

        data_dir = self.context.store.data_dir

        def copied(text: str) -> None:
            QGuiApplication.clipboard().setText(text)
            self.kept_notice.setText(
                self.tr(
                    "Journal copié (%1 dernières lignes, sans données personnelles) : "
                    "collez-le dans votre message au support du CMS."
                ).replace("%1", str(SUPPORT_LINES))
            )
            self._notice_timer.start()

        def failed(exc: Exception) -> None:
            log.error("support log excerpt failed (%s)", type(exc).__name__)
            self.kept_notice.setText(self.tr("Le journal n'a pas pu être lu."))
            self._notice_timer.start()

        self.context.runner.submit(lambda: support_excerpt(data_dir), copied, failed)

    def keep_work_now(self) -> None:
        """Logout or closing: every form keeps what was typed before the store closes."""
        for form in (self.social_screen, self.pmi_screen):
            if form is not None:
                form.keep_work_now()
        WorkKeeper.flush_all(self.context)  # the dialogs and the follow-up closing too

    def in_visitor_mode(self) -> bool:
        return self.stack.currentWidget() is self.satisfaction_screen
