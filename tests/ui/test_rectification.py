"""Correcting a person's identity from her file, and deleting it at her request, as a user
would: keyboard in the form, a confirmation naming the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.factories import add_person, new_store
from tests.ui.helpers import open_person_file
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext


@pytest.fixture
def store(data_dir: Path) -> Iterator[LocalStore]:
    store = new_store(data_dir, "croux", "Vercors-et-Diois-2026", "C. Roux", ["supervisor"])
    yield store
    store.close()


@pytest.fixture
def context(store: LocalStore) -> Iterator[AppContext]:
    context = AppContext(
        store=store, runner=TaskRunner(), reference=reference(), today=lambda: dt.date(2026, 12, 6)
    )
    yield context
    context.runner.wait_for_done()


def _retype(qtbot: QtBot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_identity_is_corrected_with_the_keyboard(
    qtbot: QtBot, store: LocalStore, context: AppContext
):
    person_id = add_person(store, birth_name="Achar", first_names="Josianne")
    with store.session() as session:
        for entry in session.exec(select(OutboxEntry)).all():
            session.delete(entry)  # as if already sent: only the correction waits
    screen = open_person_file(qtbot, context, person_id)
    assert screen.rights.correct_button.isVisible()
    screen.rights.correct_button.click()
    qtbot.waitUntil(lambda: screen.rights.dialog is not None)
    dialog = screen.rights.dialog
    assert dialog.edits["birth_name"].text() == "Achar"
    assert dialog.edits["birth_date"].text() == "01/06/1950"
    # A wrong date is refused in French under its field, nothing written.
    _retype(qtbot, dialog.edits["birth_date"], "31/02/1950")
    qtbot.keyClick(dialog.edits["birth_date"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.text("birth_date") != "")
    assert dialog.isVisible()
    _retype(qtbot, dialog.edits["birth_date"], "01/07/1950")
    _retype(qtbot, dialog.edits["birth_name"], "Achard")
    _retype(qtbot, dialog.edits["first_names"], "Josiane")
    _retype(qtbot, dialog.edits["phone"], "0612345678")
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        qtbot.keyClick(dialog.edits["phone"], Qt.Key.Key_Return)
    assert dialog.changed == ["birth_name", "first_names", "birth_date", "phone"]
    assert screen.name_label.text().upper().startswith("ACHARD") or "Achard" in (
        screen.name_label.text()
    )
    with store.session() as session:
        person = session.get(Beneficiary, person_id)
        assert person.birth_name == "Achard" and person.birth_date == dt.date(1950, 7, 1)
        assert person.phone == "06 12 34 56 78"
        entries = session.exec(select(OutboxEntry)).all()
        assert [e.record_id for e in entries] == [person_id]  # one synced change


def test_supervisor_deletes_on_request_after_a_confirmation_naming_her(
    qtbot: QtBot, store: LocalStore, context: AppContext
):
    person_id = add_person(store, birth_name="Achard", first_names="Josiane")
    screen = open_person_file(qtbot, context, person_id)
    box = screen.rights.ask_deletion()
    assert box is not None and screen.rights.person_name in box.text()
    assert "Achard" in box.text().title() or "ACHARD" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()  # no: nothing happens
    context.runner.wait_for_done()
    with store.session() as session:
        assert not session.get(Beneficiary, person_id).deleted
    box = screen.rights.ask_deletion()
    with qtbot.waitSignal(screen.rights.deleted, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    with store.session() as session:
        assert session.get(Beneficiary, person_id).deleted


def test_the_supervisor_sees_and_exports_the_upcoming_purge(
    qtbot: QtBot, store: LocalStore, context: AppContext, tmp_path: Path
):
    from van_app.ui.dialogs.upcoming_purge import UpcomingPurgeDialog

    old = add_person(store, birth_name="Zébulonne", first_names="Quentine")
    add_person(store, birth_name="Bernard", first_names="Paule")
    with store.session() as session:  # registered 24 months ago, never seen since
        session.get(Beneficiary, old).created_at = dt.datetime(2024, 12, 20, tzinfo=dt.UTC)
    dialog = UpcomingPurgeDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled())
    assert [r.person_id for r in dialog.model.rows] == [old]
    assert dialog.model.data(dialog.model.index(0, 3)) == "21/12/2026"
    target = tmp_path / "purge.csv"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: target.exists())
    written = target.read_text(encoding="utf-8-sig").splitlines()
    assert written[0].startswith("Nom;Date de naissance;Dernier contact")
    assert "Zébulonne" in written[1].title() or "ZÉBULONNE" in written[1]
    assert len(written) == 2
