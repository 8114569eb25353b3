"""Helpers shared by the UI tests: typing, combos, message boxes, the faked save dialog,
a context over a store, and counting stored rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import func, select

from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.screens.person_file import PersonFileScreen

LEFT = Qt.MouseButton.LeftButton


def running_context(store: LocalStore, today: dt.date) -> Iterator[AppContext]:
    """For a fixture (``yield from``): the context, then the background tasks finished."""
    runner = TaskRunner()
    yield AppContext(store=store, runner=runner, reference=reference(), today=lambda: today)
    runner.wait_for_done()


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key; accented letters arrive as a French keyboard sends them.

    QTest only knows ASCII keys, so the others are sent as key events carrying their text.
    """
    for char in text:
        if char == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
            continue
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def choose(qtbot: QtBot, combo: QComboBox, data: object) -> None:
    """Arrow through a combo from its top until ``data`` is chosen, as with the keyboard."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{data!r} not reachable")


def accept_message_box(qtbot: QtBot, button_text: str) -> None:
    """Click ``button_text`` in the message box about to open (the real one, not a stub)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        button = next(b for b in box.buttons() if b.text() == button_text)
        qtbot.mouseClick(button, LEFT)

    QTimer.singleShot(0, click)


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The machine's save dialog (the edge of the machine) answers ``path``; the default
    names it was offered are kept in the list returned."""
    offered: list[str] = []

    def chooser(parent, caption, directory, filters):  # type: ignore[no-untyped-def]
        offered.append(directory)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(chooser))
    return offered


def count_rows(store: LocalStore, model, **where: str) -> int:  # type: ignore[no-untyped-def]
    """How many rows of ``model`` are stored (tombstones included), ``where`` fields equal."""
    with store.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


def open_person_file(qtbot: QtBot, context: AppContext, person_id: str) -> PersonFileScreen:
    """The person's file screen, shown at the laptop's size and loaded."""
    screen = PersonFileScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1100, 720)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(person_id)
    return screen
