"""The session's shortcuts: F1 help, Ctrl+F, Ctrl+N, Ctrl+1…9, Ctrl+L; and the question asked
before the laptop turns to a visitor.

The navigation list switches screens only when a row is activated (Entrée, a click or
Ctrl+digit), never when the arrows or the focus merely move its highlight; and turning to
the satisfaction questionnaire, which only the professional's password leaves, is confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from van_app.ui.dialogs.shortcuts import ShortcutsDialog
from van_app.ui.keyboard import FIND, HELP, LOCK, NEW, SYNC, add_shortcut

if TYPE_CHECKING:
    from van_app.ui.session import SessionWidget


def ask_visitor_mode(parent: QWidget) -> bool:
    """The French confirmation before the questionnaire hides the session (default: No)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.tr("Avis des usagers"))
    box.setText(parent.tr("Tourner l'ordinateur vers la personne reçue ?"))
    box.setInformativeText(
        parent.tr(
            "Le questionnaire de satisfaction cache tout le reste ; pour revenir, il faudra "
            "votre mot de passe."
        )
    )
    turn = box.addButton(parent.tr("Ouvrir le questionnaire"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(parent.tr("Annuler"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is turn


def install_session_shortcuts(session: SessionWidget) -> None:
    """The shortcuts of a logged-in session; none works while the questionnaire is shown."""
    add_shortcut(session, HELP, lambda: show_shortcuts(session))
    add_shortcut(session, FIND, lambda: _find_people(session))
    add_shortcut(session, NEW, lambda: _new(session))
    add_shortcut(session, LOCK, session.lock_requested.emit)
    add_shortcut(session, SYNC, lambda: _sync_now(session))
    for row in range(min(9, session.navigation.count())):
        add_shortcut(session, f"Ctrl+{row + 1}", lambda row=row: _go_to_row(session, row))


def show_shortcuts(session: SessionWidget) -> ShortcutsDialog | None:
    """F1: the list of shortcuts, over the current screen."""
    if session.in_visitor_mode():
        return None
    if session.shortcuts_dialog is not None and session.shortcuts_dialog.isVisible():
        session.shortcuts_dialog.reject()
        return None
    dialog = ShortcutsDialog(session)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda _result: setattr(session, "shortcuts_dialog", None))
    session.shortcuts_dialog = dialog
    dialog.open()
    return dialog


def _find_people(session: SessionWidget) -> None:
    if not session.in_visitor_mode():
        session.show_screen(session.people_screen)
        session.people_screen.focus_search()


def _new(session: SessionWidget) -> None:
    """Ctrl+N: a new person on the People screen, a new consultation from a person's file."""
    current = session.stack.currentWidget()
    if current is session.people_screen:
        session.people_screen.open_register_dialog()
    elif current is session.person_file_screen:
        screen = session.person_file_screen
        for button in (screen.new_social_button, screen.new_pmi_button):
            if button.isVisible() and button.isEnabled():
                button.click()
                return


def _sync_now(session: SessionWidget) -> None:
    """F5: what the status bar's "Synchroniser" button does, when it may be pressed."""
    from van_app.ui.sync_status import SyncStatusWidget

    status = session.window().findChild(SyncStatusWidget)
    if status is not None and status.sync_button.isVisible() and status.sync_button.isEnabled():
        status.sync_button.click()


def _go_to_row(session: SessionWidget, row: int) -> None:
    if not session.in_visitor_mode():
        session.navigation.setCurrentRow(row)
        session.choose_row(row)
