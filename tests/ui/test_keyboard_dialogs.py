"""Keyboard first in the dialogs: each starts on its first field and Tab goes through it in
reading order, never out of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests import factories
from tests.core.test_social import PASSWORD, add_person
from tests.ui.test_keyboard import Window, in_order
from van_app.core.local_store import LocalStore
from van_app.core.people_search import PersonHit
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.dialogs.duplicates import DuplicatesDialog
from van_app.ui.dialogs.register_person import RegisterPersonDialog
from van_app.ui.dialogs.shortcuts import ShortcutsDialog


@pytest.fixture
def social(qtbot: QtBot, social_store: LocalStore) -> Iterator[Window]:
    window = Window(qtbot, social_store)
    yield window
    window.close()


def test_the_registration_dialog_is_walked_from_the_birth_name(
    qtbot: QtBot, social: Window
) -> None:
    dialog = RegisterPersonDialog(social.context, "dupre helene", parent=social.session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.birth_name_edit)
    reached = social.tab_walk(dialog, dialog.save_button)
    expected = [
        dialog.birth_name_edit,
        dialog.usual_name_edit,
        dialog.first_names_edit,
        dialog.birth_date_edit,
        dialog.birthplace_edit,
        dialog.phone_edit,
        dialog.known_check,
        dialog.information_date_edit,
        dialog.cancel_button,
        dialog.save_button,
    ]
    assert in_order(reached, expected)
    dialog.reject()


def reading_order(widgets: list[QWidget], window: QWidget) -> list[str]:
    """The pairs of successive Tab stops that go back up the page (the same line: leftwards)."""
    backwards = []
    for first, second in pairwise(widgets):
        a = first.mapTo(window, first.rect().topLeft())
        b = second.mapTo(window, second.rect().topLeft())
        same_line = abs(a.y() - b.y()) <= 12
        if (same_line and b.x() < a.x()) or (not same_line and b.y() < a.y()):
            backwards.append(f"{type(first).__name__} -> {type(second).__name__}")
    return backwards


def tab_cycle(qtbot: QtBot, dialog: QWidget) -> list[QWidget]:
    """Every Tab stop of a dialog once, from where the focus starts."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    start = QApplication.focusWidget()
    assert start is not None and dialog.isAncestorOf(start), "the focus starts in the dialog"
    reached = [start]
    for _ in range(60):
        qtbot.keyClick(reached[-1], Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        assert widget is not None and dialog.isAncestorOf(widget)
        if widget is start:
            return reached
        reached.append(widget)
    raise AssertionError("Tab never came back to the first field")


def test_the_main_dialogs_start_on_their_first_field_and_tab_in_reading_order(
    qtbot: QtBot, social: Window, data_dir: Path
) -> None:
    from van_app.ui.dialogs.access_export import AccessExportDialog
    from van_app.ui.dialogs.link_person import LinkPersonDialog

    person = add_person(social.context.store)
    hit = PersonHit(person, "ACHARD Josiane", dt.date(1950, 6, 1), "Die", "76 ans", "F")
    dialogs = [
        RegisterPersonDialog(social.context, "", parent=social.session),
        LinkPersonDialog(social.context, person, "ACHARD Josiane", "F", social.session),
        AccessExportDialog(social.context, person, social.session),
        DuplicatesDialog([hit], social.session, typed="ACHARD Josiane"),
        ShortcutsDialog(social.session),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        reached = tab_cycle(qtbot, dialog)
        first = reached[0]
        if dialog.findChildren(QLineEdit):
            assert not isinstance(first, QPushButton), f"{type(dialog).__name__} starts on a button"
        # The cycle, from its top-left stop (a dialog of buttons starts on its default one).
        corner = [w.mapTo(dialog, w.rect().topLeft()) for w in reached]
        top = min(range(len(reached)), key=lambda i: (corner[i].y() // 13, corner[i].x()))
        assert reading_order(reached[top:] + reached[:top], dialog) == [], type(dialog).__name__
        dialog.reject()


def test_the_tour_stop_dialog_starts_on_its_first_field(qtbot: QtBot, data_dir: Path) -> None:
    from van_app.ui.dialogs.tour_stop import TourStopDialog

    store = factories.new_store(data_dir / "cms", "croux", PASSWORD, "C. Roux", ["supervisor"])
    runner = TaskRunner()
    try:
        context = AppContext(store=store, runner=runner, reference=reference())
        dialog = TourStopDialog(context)
        qtbot.addWidget(dialog)
        reached = tab_cycle(qtbot, dialog)
        assert not isinstance(reached[0], QPushButton)
        corner = [w.mapTo(dialog, w.rect().topLeft()) for w in reached]
        top = min(range(len(reached)), key=lambda i: (corner[i].y() // 13, corner[i].x()))
        assert reading_order(reached[top:] + reached[:top], dialog) == []
        dialog.reject()
    finally:
        runner.wait_for_done()
        store.close()
