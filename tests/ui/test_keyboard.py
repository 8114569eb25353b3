"""Keyboard first: every form walked with Tab alone, tables that Tab leaves, the code list's
filter, the navigation that arrows never switch, F1 and the shortcuts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests import factories
from tests.core.test_social import PASSWORD, add_person
from tests.ui.helpers import type_text
from van_app.core.local_store import LocalStore
from van_app.core.models import SocialAddendum, SocialConsultation
from van_app.core.people_search import PersonHit
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.dialogs.duplicates import DuplicatesDialog
from van_app.ui.dialogs.shortcuts import ShortcutsDialog
from van_app.ui.session import SessionWidget
from van_app.ui.widgets.code_list import CodeListWidget

CTRL = Qt.KeyboardModifier.ControlModifier
TODAY = dt.date.today()


class Window:
    """The session in a main window with a status bar and its sync button, as in the app."""

    def __init__(self, qtbot: QtBot, store: LocalStore) -> None:
        self.runner = TaskRunner()
        self.context = AppContext(store=store, runner=self.runner, reference=reference())
        self.main = QMainWindow()
        qtbot.addWidget(self.main)
        self.session = SessionWidget(self.context)
        self.main.setCentralWidget(self.session)
        self.sync_button = QPushButton("Synchroniser")
        self.main.statusBar().addPermanentWidget(self.sync_button)
        self.main.resize(1366, 740)
        self.main.show()
        self.main.activateWindow()
        qtbot.waitExposed(self.main)
        self.qtbot = qtbot

    def focused(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None
        return widget

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
        self.qtbot.keyClick(self.focused(), key, modifiers)

    def open_file(self, person_id: str) -> None:
        screen = self.session.person_file_screen
        with self.qtbot.waitSignal(screen.loaded):
            self.session.open_person(person_id)

    def activate(self) -> None:
        self.main.activateWindow()
        self.qtbot.waitUntil(self.main.isActiveWindow)

    def new_consultation(self, form) -> None:  # type: ignore[no-untyped-def]
        """Ctrl+N on the person's file opens the form, the focus on its first field."""
        self.activate()
        self.session.person_file_screen.setFocus()
        with self.qtbot.waitSignal(form.loaded):
            self.key(Qt.Key.Key_N, CTRL)
        assert self.session.stack.currentWidget() is form

    def outside(self) -> list[QWidget]:
        """What Tab must not reach before a form's last control."""
        return [self.session.navigation, self.sync_button, self.session.top_bar]

    def tab_walk(self, container: QWidget, last: QWidget, limit: int = 80) -> list[QWidget]:
        """Tab from the focused widget until ``last``: each widget reached, all inside."""
        reached = [self.focused()]
        while reached[-1] is not last:
            assert len(reached) < limit, f"{last!r} not reached with Tab"
            self.key(Qt.Key.Key_Tab)
            widget = self.focused()
            assert container.isAncestorOf(widget), f"Tab left the form for {widget!r}"
            for other in self.outside():
                assert widget is not other and not other.isAncestorOf(widget)
            reached.append(widget)
        return reached

    def close(self) -> None:
        self.runner.wait_for_done()


@pytest.fixture
def social(qtbot: QtBot, social_store: LocalStore) -> Iterator[Window]:
    window = Window(qtbot, social_store)
    yield window
    window.close()


@pytest.fixture
def nurse(qtbot: QtBot, data_dir: Path) -> Iterator[Window]:
    store = factories.new_store(data_dir / "nurse", "bnguyen", PASSWORD, "B. Nguyen", ["pmi_nurse"])
    window = Window(qtbot, store)
    yield window
    window.close()
    store.close()


def in_order(reached: list[QWidget], expected: list[QWidget]) -> bool:
    """Whether every expected widget is reached, in that order."""
    positions = [reached.index(w) for w in expected]
    return positions == sorted(positions)


def usable(widgets: list[QWidget]) -> list[QWidget]:
    return [
        w
        for w in widgets
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]


# -- the forms, with Tab alone -----------------------------------------------------------------


def test_the_social_form_is_walked_in_reading_order_rows_included(social: Window) -> None:
    form = social.session.social_screen
    social.open_file(add_person(social.context.store))
    social.new_consultation(form)
    assert social.focused() is form.date_edit, "the focus starts on the first field"
    assert form.scroll.verticalScrollBar().value() == 0

    # New rows take their place: after "Issue", before the note, never after "Signer".
    form.demand_list.set_checked("energy", True)
    for rows in (form.orientations, form.follow_ups):
        rows.add_button.setFocus()
        social.key(Qt.Key.Key_Space)
        assert social.focused() is rows.rows()[-1].tab_widgets()[0]
    form.date_edit.setFocus()
    reached = social.tab_walk(form, form.sign_button)
    expected = usable(
        [
            form.date_edit,
            form.duration_spin,
            form.arrival_combo,
            form.known_check,
            form.demand_list.filter_edit,
            form.actions_list.filter_edit,
            form.outcome_combo,
            *form.orientations.tab_widgets(),
            *form.follow_ups.tab_widgets(),
            form.note_edit,
            form.save_button,
            form.sign_button,
        ]
    )
    assert in_order(reached, expected)
    assert reached.index(form.follow_ups.rows()[0].due_edit) < reached.index(form.note_edit)

    # "Retirer" keeps the focus in the form: three Tabs later, still there.
    row = form.orientations.rows()[0]
    row.remove_button.setFocus()
    social.key(Qt.Key.Key_Space)
    social.qtbot.waitUntil(lambda: not form.orientations.rows())
    assert social.focused() is form.orientations.add_button
    for _ in range(3):
        social.key(Qt.Key.Key_Tab)
        assert form.isAncestorOf(social.focused())
    assert social.session.stack.currentWidget() is form


def test_the_child_form_is_walked_from_the_first_measure(nurse: Window) -> None:
    form = nurse.session.pmi_screen
    store = nurse.context.store
    baby = factories.add_person(
        store, birth_name="Bonnet", first_names="Léo", birth_date=TODAY - dt.timedelta(days=125)
    )
    nurse.open_file(baby)
    nurse.new_consultation(form)
    child = form.child
    assert nurse.focused() is child.weight_edit.edit
    reached = nurse.tab_walk(form, form.sign_button)
    expected = usable(
        [
            child.weight_edit.edit,
            child.length_edit.edit,
            child.head_edit.edit,
            child.feeding_combo,
            child.development.codes.list,
            child.vaccinations.table,
            form.advice_list.filter_edit,
            form.partner_combo,
            form.next_appointment.check,
            form.duration_spin,
            form.note_edit,
            form.save_button,
            form.sign_button,
        ]
    )
    assert in_order(reached, expected)
    # Tab leaves the vaccination table at once: the arrows move inside it.
    assert not child.vaccinations.table.tabKeyNavigation()
    position = reached.index(child.vaccinations.table)
    assert reached[position + 1] is form.advice_list.filter_edit


def test_the_prenatal_form_is_walked_from_the_first_field(nurse: Window) -> None:
    form = nurse.session.pmi_screen
    mother = factories.add_person(
        nurse.context.store, birth_name="Roux", first_names="Anaïs", birth_date=dt.date(1995, 2, 1)
    )
    nurse.open_file(mother)
    nurse.new_consultation(form)
    prenatal = form.prenatal
    assert nurse.focused() is prenatal.weeks_spin
    reached = nurse.tab_walk(form, form.sign_button)
    expected = usable(
        [
            prenatal.weeks_spin,
            prenatal.term_edit.check,
            prenatal.weight_edit.edit,
            prenatal.systolic_spin,
            prenatal.diastolic_spin,
            prenatal.interview_combo,
            form.advice_list.filter_edit,
            form.partner_combo,
            form.note_edit,
            form.sign_button,
        ]
    )
    assert in_order(reached, expected)


def test_an_addendum_is_typed_and_added_with_the_keyboard(social: Window) -> None:
    form = social.session.social_screen
    store = social.context.store
    social.open_file(add_person(store))
    social.new_consultation(form)
    form.confirm_signature = lambda _parent: True
    form.demand_list.set_checked("energy", True)
    form.arrival_combo.setCurrentIndex(1)
    form.outcome_combo.setCurrentIndex(form.outcome_combo.findData("resolved_on_spot"))
    with social.qtbot.waitSignal(form.consultation_signed):
        social.key(Qt.Key.Key_Return, CTRL)
    # Signed: the only field left is the addendum, and Tab goes from it to its button.
    with social.qtbot.waitSignal(form.loaded):
        form.load(form.data.person.beneficiary_id, form.data.form.consultation_id)
    assert social.focused() is form.addenda.edit
    social.tab_walk(form, form.addenda.button)
    form.addenda.edit.setFocus()
    type_text(social.qtbot, form.addenda.edit, "Dossier transmis.")
    with social.qtbot.waitSignal(form.addendum_added):
        social.key(Qt.Key.Key_Return, CTRL)
    with store.session() as session:
        assert len(session.exec(select(SocialAddendum)).all()) == 1


def test_closing_a_follow_up_is_walked_and_confirmed_with_the_keyboard(social: Window) -> None:
    from tests.core.test_follow_ups import add_follow_up

    store = social.context.store
    add_follow_up(store, add_person(store), 10)
    screen = social.session.follow_ups_screen
    with social.qtbot.waitSignal(screen.loaded):
        social.session.show_screen(screen)
    assert not screen.table.tabKeyNavigation()
    screen.table.setFocus()
    screen.table.selectRow(0)
    social.key(Qt.Key.Key_Tab)
    assert social.focused() is screen.close_button, "Tab leaves the table"
    social.key(Qt.Key.Key_Space)
    assert social.focused() is screen.outcome_combo
    reached = social.tab_walk(screen, screen.confirm_button)
    assert in_order(
        reached,
        [
            screen.outcome_combo,
            screen.closed_on_edit,
            screen.note_edit,
            screen.cancel_button,
            screen.confirm_button,
        ],
    )
    screen.outcome_combo.setFocus()
    social.key(Qt.Key.Key_Down)
    with social.qtbot.waitSignal(screen.follow_up_closed):
        social.key(Qt.Key.Key_Return, CTRL)


# -- tables --------------------------------------------------------------------------------------


def test_tab_leaves_every_table(qtbot: QtBot, social: Window, data_dir: Path) -> None:
    session = social.session
    assert not session.today_screen.seen_table.tabKeyNavigation()
    assert not session.follow_ups_screen.table.tabKeyNavigation()
    hit = PersonHit("id", "DUPRÉ Hélène", dt.date(1980, 3, 12), "Die", "46 ans", "F")
    dialog = DuplicatesDialog([hit, hit], session, typed="DUPRÉ Hélène")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.table.setFocus()
    assert not dialog.table.tabKeyNavigation()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert not dialog.table.hasFocus()
    assert any(b.hasFocus() for b in (dialog.back_button, dialog.create_button, dialog.open_button))
    dialog.reject()

    from van_app.ui.screens.activity import ActivityScreen

    store = factories.new_store(data_dir / "cms", "croux", PASSWORD, "C. Roux", ["supervisor"])
    runner = TaskRunner()
    try:
        activity = ActivityScreen(AppContext(store=store, runner=runner, reference=reference()))
        qtbot.addWidget(activity)
        assert not activity.commune_table.tabKeyNavigation()
        assert not activity.stop_table.tabKeyNavigation()
    finally:
        runner.wait_for_done()
        store.close()


# -- the code list's filter ----------------------------------------------------------------------


def test_space_and_enter_never_tick_a_hidden_item(qtbot: QtBot) -> None:
    codes = CodeListWidget(reference().actions, filterable=True)
    qtbot.addWidget(codes)
    codes.show()
    qtbot.waitExposed(codes)
    codes.activateWindow()
    qtbot.waitUntil(codes.isActiveWindow)
    codes.list.setCurrentRow(0)  # "Information sur les droits…", soon hidden
    codes.filter_edit.setFocus()
    qtbot.keyClicks(codes.filter_edit, "constit")
    assert codes.item_for("information").isHidden()
    qtbot.keyClick(codes.filter_edit, Qt.Key.Key_Down)
    assert codes.list.hasFocus()
    qtbot.keyClick(codes.list, Qt.Key.Key_Space)
    assert codes.checked_codes() == ["file_preparation"]
    qtbot.keyClick(codes.list, Qt.Key.Key_Space)
    assert codes.checked_codes() == []

    # Letters then Entrée tick the first row shown, and the filter empties for the next one.
    codes.filter_edit.clear()
    codes.filter_edit.setFocus()
    qtbot.keyClicks(codes.filter_edit, "constit")
    qtbot.keyClick(codes.filter_edit, Qt.Key.Key_Return)
    assert codes.checked_codes() == ["file_preparation"]
    assert codes.filter_edit.text() == ""
    qtbot.keyClicks(codes.filter_edit, "zzz")  # nothing shown: Entrée ticks nothing
    qtbot.keyClick(codes.filter_edit, Qt.Key.Key_Return)
    assert codes.checked_codes() == ["file_preparation"]


# -- the navigation ------------------------------------------------------------------------------


def test_arrows_in_the_navigation_never_switch_nor_open_the_questionnaire(
    social: Window,
) -> None:
    session = social.session
    asked: list[bool] = []
    session.confirm_visitor_mode = lambda _parent: asked.append(True) or False
    nav = session.navigation
    nav.setFocus()
    for _ in range(nav.count() + 2):
        social.key(Qt.Key.Key_Down)
        assert session.stack.currentWidget() is session.today_screen
    assert not session.in_visitor_mode() and not asked
    social.key(Qt.Key.Key_Up)
    social.key(Qt.Key.Key_Up)
    assert session.stack.currentWidget() is session.today_screen

    # Entrée on "Avis des usagers" asks first; declined, nothing changes.
    nav.setCurrentRow(nav.count() - 1)
    social.key(Qt.Key.Key_Return)
    assert asked == [True] and not session.in_visitor_mode()
    assert session.stack.currentWidget() is session.today_screen

    # Entrée on another row switches; the focus arriving in the list switches nothing.
    nav.setCurrentRow(1)
    social.key(Qt.Key.Key_Return)
    assert session.stack.currentWidget() is session.people_screen
    social.open_file(add_person(social.context.store))
    nav.setCurrentRow(-1)
    nav.setFocus(Qt.FocusReason.TabFocusReason)
    assert session.stack.currentWidget() is session.person_file_screen


# -- F1 and the shortcuts ------------------------------------------------------------------------


def test_f1_lists_the_shortcuts_in_french_and_closes_with_f1_or_escape(social: Window) -> None:
    session = social.session
    social.key(Qt.Key.Key_F1)
    dialog = session.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    texts = [label.text() for label in dialog.action_labels]
    assert "Enregistrer le brouillon" in texts
    assert any(label.text() == "Ctrl+Entrée" for label in dialog.key_labels)
    social.qtbot.keyClick(dialog, Qt.Key.Key_F1)
    social.qtbot.waitUntil(lambda: session.shortcuts_dialog is None)
    social.key(Qt.Key.Key_F1)
    dialog = session.shortcuts_dialog
    assert dialog is not None
    social.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    social.qtbot.waitUntil(lambda: session.shortcuts_dialog is None)


def test_the_shortcuts_work(social: Window) -> None:
    session = social.session
    store = social.context.store
    person = add_person(store)

    social.key(Qt.Key.Key_F, CTRL)  # Ctrl+F: the search, ready to type
    assert session.stack.currentWidget() is session.people_screen
    assert social.focused() is session.people_screen.search_edit

    social.key(Qt.Key.Key_N, CTRL)  # Ctrl+N on People: a new person
    dialog = session.people_screen.register_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()

    social.key(Qt.Key.Key_1, CTRL)  # Ctrl+1: the first screen of the navigation
    assert session.stack.currentWidget() is session.today_screen

    form = session.social_screen
    social.open_file(person)
    social.new_consultation(form)  # Ctrl+N on a file: a new consultation
    form.demand_list.filter_edit.setFocus()
    type_text(social.qtbot, form.demand_list.filter_edit, "energ\n")
    assert form.demand_list.checked_codes() == ["energy"]
    with social.qtbot.waitSignal(form.consultation_saved):  # Ctrl+S: the draft
        social.key(Qt.Key.Key_S, CTRL)
    assert form.isAncestorOf(social.focused()), "the focus stays in the form"
    form.confirm_signature = lambda _parent: True
    form.arrival_combo.setCurrentIndex(1)
    form.outcome_combo.setCurrentIndex(form.outcome_combo.findData("resolved_on_spot"))
    with social.qtbot.waitSignal(form.consultation_signed):  # Ctrl+Entrée: signed
        social.key(Qt.Key.Key_Return, CTRL)
    with store.session() as db:
        [consultation] = db.exec(select(SocialConsultation)).all()
        assert consultation.status == "signed"

    locked: list[bool] = []
    session.lock_requested.connect(lambda: locked.append(True))
    social.key(Qt.Key.Key_L, CTRL)
    assert locked == [True]

    # F5: what the status bar's "Synchroniser" does.
    from van_app.ui.sync_status import SyncController, SyncStatusWidget

    status = SyncStatusWidget(SyncController(social.context, None, social.main))
    social.main.statusBar().addPermanentWidget(status)
    status.sync_button.setEnabled(True)
    social.qtbot.waitUntil(status.sync_button.isVisible)
    with social.qtbot.waitSignal(status.sync_button.clicked):
        social.key(Qt.Key.Key_F5)
