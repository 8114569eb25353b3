"""Nothing typed is lost: a form left any way comes back as it was typed, valid or not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests import factories
from tests.core.test_social import TODAY
from tests.ui.helpers import type_text
from tests.ui.test_pmi_screen import nurse_store  # noqa: F401  (fixture)
from tests.ui.test_social_screens import context, open_form  # noqa: F401  (fixture)
from van_app.core.local_store import LocalStore
from van_app.core.models import SocialConsultation
from van_app.core.work_in_progress import WorkInProgress
from van_app.ui.context import AppContext
from van_app.ui.main_window import MainWindow

NOTE = "Dossier FSL à compléter :\nfacture d'énergie manquante."
PASSWORD = "Soleil-du-Diois-2026"


def kept_rows(store: LocalStore) -> list[WorkInProgress]:
    with store.read_session() as session:
        return list(session.exec(select(WorkInProgress)).all())


def wait_kept(qtbot: QtBot, store: LocalStore, text: str) -> None:
    """Within two seconds of the last keystroke, what was typed is in the store."""
    qtbot.waitUntil(lambda: any(text in str(row.payload) for row in kept_rows(store)), timeout=2500)


def test_a_half_filled_form_left_for_another_person_comes_back(
    qtbot: QtBot,
    context: AppContext,  # noqa: F811
) -> None:
    store = context.store
    first = factories.add_person(store)
    second = factories.add_person(store, birth_name="Martin", first_names="Paul")
    screen = open_form(qtbot, context, first)
    screen.note_edit.setFocus()
    type_text(qtbot, screen.note_edit, NOTE)
    screen.demand_list.set_checked_codes(["energy"])
    qtbot.mouseClick(screen.orientations.add_button, Qt.MouseButton.LeftButton)
    wait_kept(qtbot, store, "facture")

    with qtbot.waitSignal(screen.loaded):  # she opens someone else's consultation
        screen.load(second)
    assert screen.note_edit.toPlainText() == ""
    with qtbot.waitSignal(screen.work_restored, timeout=5000):
        screen.load(first)
    assert screen.note_edit.toPlainText() == NOTE
    assert screen.demand_list.checked_codes() == ["energy"]
    assert len(screen.orientations.rows()) == 1  # an empty row, as it was left
    screen.orientations.rows()[0].remove_button.click()
    assert "Saisie reprise" in screen.message_label.text()
    with store.read_session() as session:  # nothing was saved behind her back
        assert session.exec(select(SocialConsultation)).all() == []

    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kept_rows(store) == [], timeout=3000)  # saved: nothing left kept


def app_with_a_new_consultation(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> tuple[MainWindow, Any]:
    """The real app, logged in, a new social consultation open for a registered person."""
    person = factories.add_person(social_store)
    social_store.close()
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    login(qtbot, window)
    session = window.session_widget
    assert session is not None and session.social_screen is not None
    form = session.social_screen
    with qtbot.waitSignal(form.loaded):
        session.open_consultation("social", person, "")
    return window, form


def test_what_is_typed_survives_logout_and_login(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    window, form = app_with_a_new_consultation(qtbot, social_store, data_dir)
    form.note_edit.setFocus()
    type_text(qtbot, form.note_edit, "Demande de logement")
    window.logout()  # at once, before the poll: leaving keeps it

    login(qtbot, window)
    session = window.session_widget
    assert session is not None and session.social_screen is not None
    today = session.today_screen  # Today says where the unsaved typing waits
    qtbot.waitUntil(lambda: len(today.kept_buttons) == 1)
    assert today.kept_box.isVisible()
    with qtbot.waitSignal(session.social_screen.work_restored, timeout=5000):
        qtbot.mouseClick(today.kept_buttons[0], Qt.MouseButton.LeftButton)
    assert session.social_screen.note_edit.toPlainText() == "Demande de logement"
    window.logout()


def login(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.login_screen.user_combo.count() >= 1)
    with qtbot.waitSignal(window.session_opened, timeout=10_000):
        window.login_screen.password_edit.setText(PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)


def test_a_measure_not_yet_a_number_comes_back_as_typed(
    qtbot: QtBot,
    nurse_store: LocalStore,  # noqa: F811
) -> None:
    from van_app.core.reference import reference
    from van_app.tasks import TaskRunner
    from van_app.ui.screens.pmi_consultation import PmiConsultationScreen

    baby = factories.add_person(
        nurse_store,
        birth_name="Bonnet",
        first_names="Léo",
        birth_date=TODAY - dt.timedelta(days=90),
        sex="M",
    )
    runner = TaskRunner()
    nurse_context = AppContext(nurse_store, runner, reference(), today=lambda: TODAY)
    screen = PmiConsultationScreen(nurse_context)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(baby)
    weight = screen.child.weight_edit.edit
    weight.setFocus()
    type_text(qtbot, weight, "6,3x")
    wait_kept(qtbot, nurse_store, "6,3x")
    with qtbot.waitSignal(screen.work_restored, timeout=5000):
        screen.load(baby)
    assert screen.child.weight_edit.edit.text() == "6,3x"
    runner.wait_for_done()


def test_typing_killed_with_sigkill_comes_back_after_restart(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    import os
    import subprocess
    import sys

    person = factories.add_person(social_store)
    social_store.close()
    text = "Coupure de courant pendant la saisie"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.typing_app", str(data_dir), PASSWORD, person, text],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"typed"
    finally:
        process.kill()  # SIGKILL: no cleanup, no last save
        process.wait(timeout=10)

    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    login(qtbot, window)
    session = window.session_widget
    assert session is not None and session.social_screen is not None
    with qtbot.waitSignal(session.social_screen.work_restored, timeout=5000):
        session.open_consultation("social", person, "")
    assert session.social_screen.note_edit.toPlainText() == text
    window.logout()
