"""A visitor rates three things with big buttons, validates, sees "Merci !", leaves no trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.factories import add_stop, new_store
from van_app.core.local_store import LocalStore
from van_app.core.models import SatisfactionAnswer
from van_app.core.reference import reference
from van_app.core.satisfaction import QUESTIONS
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.screens.satisfaction import SatisfactionScreen

LEFT = Qt.MouseButton.LeftButton


def _stored(store: LocalStore) -> list[SatisfactionAnswer]:
    with store.session() as session:
        return list(session.exec(select(SatisfactionAnswer)).all())


def _open(qtbot: QtBot, store: LocalStore) -> tuple[SatisfactionScreen, AppContext]:
    context = AppContext(store=store, runner=TaskRunner(), reference=reference())
    screen = SatisfactionScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1100, 720)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.count_label.text() != "")
    return screen, context


@pytest.fixture
def opened(
    qtbot: QtBot, social_store: LocalStore
) -> Iterator[tuple[SatisfactionScreen, AppContext]]:
    screen, context = _open(qtbot, social_store)
    yield screen, context
    context.runner.wait_for_done()


def _is_blank(screen: SatisfactionScreen) -> bool:
    buttons = [b for row in screen.answer_buttons.values() for b in row.values()]
    return (
        screen.answers() == {}
        and not any(b.isChecked() for b in buttons)
        and not screen.validate_button.isEnabled()
    )


def test_click_three_answers_validate_thanks_then_a_clean_form(
    qtbot: QtBot, social_store: LocalStore, opened: tuple[SatisfactionScreen, AppContext]
) -> None:
    stop_id = add_stop(social_store, dt.date.today())
    screen, context = opened
    assert screen.title_label.text() == "Votre avis nous aide à améliorer ce service"
    assert [screen.answer_buttons["reception"][v].text() for v in (1, 2, 3, 4)] == [
        "Mauvais",
        "Moyen",
        "Bien",
        "Excellent",
    ]
    assert "Réponse anonyme" in screen.anonymity_label.text()
    assert screen.answer_buttons["service_rendered"][1].font().pixelSize() >= 18
    assert not screen.validate_button.isEnabled()

    qtbot.mouseClick(screen.answer_buttons["service_rendered"][3], LEFT)
    qtbot.mouseClick(screen.answer_buttons["reception"][1], LEFT)
    qtbot.mouseClick(screen.answer_buttons["reception"][4], LEFT)  # changed their mind
    assert not screen.validate_button.isEnabled()  # the third question is still open
    assert screen.hint_label.isVisible()
    qtbot.mouseClick(screen.answer_buttons["waiting_time"][1], LEFT)
    assert screen.answers() == {"service_rendered": 3, "reception": 4, "waiting_time": 1}
    assert screen.validate_button.isEnabled()

    with qtbot.waitSignals([screen.answer_saved, context.events.records_changed]):
        qtbot.mouseClick(screen.validate_button, LEFT)

    assert screen.pages.currentWidget() is screen.thanks_page
    assert screen.thanks_label.text() == "Merci !"
    assert _is_blank(screen)  # nothing of the answer stays behind the "Merci !" page
    assert screen.reset_timer.isActive()
    [row] = _stored(social_store)
    assert (row.service_rendered, row.reception, row.waiting_time) == (3, 4, 1)
    assert row.stop_id == stop_id
    assert row.service == "social"
    assert row.answered_on == dt.date.today()
    assert row.created_at == dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.UTC)
    qtbot.waitUntil(lambda: screen.count_label.text() == "Avis du jour : 1")

    qtbot.mouseClick(screen.new_answer_button, LEFT)
    assert screen.pages.currentWidget() is screen.form_page
    assert _is_blank(screen)
    assert not screen.reset_timer.isActive()


def test_thanks_page_resets_itself_for_the_next_visitor(
    qtbot: QtBot, social_store: LocalStore, opened: tuple[SatisfactionScreen, AppContext]
) -> None:
    screen, _context = opened
    screen.reset_timer.setInterval(10)
    for question in QUESTIONS:
        screen.select(question, 2)
    with qtbot.waitSignal(screen.answer_saved):
        qtbot.mouseClick(screen.validate_button, LEFT)
    assert screen.pages.currentWidget() is screen.thanks_page
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.form_page)
    assert _is_blank(screen)
    [row] = _stored(social_store)
    assert row.stop_id is None  # no stop planned today: hors tournée


def test_keyboard_only_tab_space_digits_and_enter(
    qtbot: QtBot, social_store: LocalStore, opened: tuple[SatisfactionScreen, AppContext]
) -> None:
    screen, _context = opened
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.hasFocus())
    qtbot.keyClick(screen, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: screen.focusWidget() is screen.answer_buttons["service_rendered"][1])
    # Like radio buttons: arrows move within a question, Space or Enter chooses, Tab goes on.
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Right)
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Space)
    assert screen.answers() == {"service_rendered": 2}
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
    assert screen.focusWidget() is screen.answer_buttons["reception"][1]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Right)
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Return)
    assert screen.answers() == {"service_rendered": 2, "reception": 2}
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Backtab)
    assert screen.focusWidget() is screen.answer_buttons["service_rendered"][2]

    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_4)  # the question in focus: changed to 4
    assert screen.answers() == {"service_rendered": 4, "reception": 2}
    assert screen.focusWidget() is screen.answer_buttons["reception"][2]  # its current answer
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_3)
    assert screen.focusWidget() is screen.answer_buttons["waiting_time"][1]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_1)
    assert screen.answers() == {"service_rendered": 4, "reception": 3, "waiting_time": 1}
    assert screen.focusWidget() is screen.validate_button

    with qtbot.waitSignal(screen.answer_saved):
        qtbot.keyClick(screen.validate_button, Qt.Key.Key_Return)
    [row] = _stored(social_store)
    assert (row.service_rendered, row.reception, row.waiting_time) == (4, 3, 1)


def test_leaving_the_screen_forgets_a_half_filled_form(
    qtbot: QtBot, social_store: LocalStore, opened: tuple[SatisfactionScreen, AppContext]
) -> None:
    screen, _context = opened
    screen.select("service_rendered", 1)
    screen.select("reception", 2)
    screen.hide()
    screen.show()
    assert _is_blank(screen)
    assert _stored(social_store) == []


def test_a_professional_with_both_roles_chooses_the_service(qtbot: QtBot, data_dir: Path) -> None:
    store = new_store(
        data_dir, "dboth", "Soleil-du-Diois-2026", "Dominique Both", ["social_worker", "pmi_nurse"]
    )
    try:
        screen, context = _open(qtbot, store)
        assert screen.service_box.isVisible()
        qtbot.mouseClick(screen.service_buttons["pmi"], LEFT)
        for question in QUESTIONS:
            qtbot.mouseClick(screen.answer_buttons[question][4], LEFT)
        with qtbot.waitSignal(screen.answer_saved):
            qtbot.mouseClick(screen.validate_button, LEFT)
        context.runner.wait_for_done()
        [row] = _stored(store)
        assert row.service == "pmi"
    finally:
        store.close()


def test_a_supervisor_is_told_why_there_is_nothing_to_fill_in(qtbot: QtBot, data_dir: Path) -> None:
    store = new_store(data_dir, "croux", "Soleil-du-Diois-2026", "Claire Roux", ["supervisor"])
    try:
        screen, context = _open(qtbot, store)
        assert screen.no_service_label.isVisible()
        assert not screen.questions_box.isVisible()
        assert not screen.validate_button.isVisible()
        context.runner.wait_for_done()
    finally:
        store.close()
