"""A social worker's and a nurse's half-day in the van, through the real main window.

Login, the stop of the day, search, registration, a consultation recorded and signed, a
follow-up closed, the lock with a form in progress, the questionnaire handed to a visitor,
and at the end what was stored and what each role can and cannot see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.factories import add_nurse, add_person, add_stop, opened_as
from tests.ui.test_pmi_screen import retype
from tests.ui.test_social_screens import (
    accept_message_box,
    choose_by_keyboard,
    click_item,
    type_text,
)
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
)
from van_app.ui.main_window import MainWindow
from van_app.ui.session import SessionWidget

LEFT = Qt.MouseButton.LeftButton
SOCIAL_PASSWORD = "Soleil-du-Diois-2026"
NURSE_PASSWORD = "Petite-Enfance-2026"
TODAY = dt.date.today()
SOCIAL_NOTE = "Dossier FSL énergie préparé avec la personne."
PMI_NOTE = "Enfant éveillé, prise de poids régulière."


@pytest.fixture
def van(social_store: LocalStore, data_dir: Path) -> Iterator[Path]:
    """The van's laptop: both professionals set up, today's stop planned, a family known."""
    add_nurse(social_store, NURSE_PASSWORD)
    add_stop(social_store, TODAY)
    add_person(
        social_store,
        birth_name="Dupré",
        first_names="Hélène",
        birth_date=dt.date(1990, 3, 12),
        commune_insee="26167",
    )
    social_store.close()
    yield data_dir


def stored(data_dir: Path, username: str, password: str, model):  # type: ignore[no-untyped-def]
    with opened_as(data_dir, username, password) as store, store.session() as session:
        return list(session.exec(select(model)).all())


def log_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> SessionWidget:
    login = window.login_screen
    qtbot.waitUntil(lambda: login.user_combo.count() == 2)
    login.user_combo.lineEdit().selectAll()
    qtbot.keyClicks(login.user_combo.lineEdit(), username)
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(login.password_edit, password)
        qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    assert window.session_widget is not None
    return window.session_widget


def unlock(qtbot: QtBot, window: MainWindow, password: str) -> None:
    with qtbot.waitSignal(window.session_unlocked):
        qtbot.keyClicks(window.login_screen.password_edit, password)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)


def nav(qtbot: QtBot, session: SessionWidget, title: str) -> None:
    items = [session.navigation.item(i) for i in range(session.navigation.count())]
    [item] = [i for i in items if i.text() == title]
    rect = session.navigation.visualItemRect(item)
    qtbot.mouseClick(session.navigation.viewport(), LEFT, pos=rect.center())


def find_and_open(qtbot: QtBot, session: SessionWidget, typed: str, name: str) -> None:
    people = session.people_screen
    assert session.stack.currentWidget() is people
    with qtbot.waitSignal(people.results_shown, timeout=5000):
        type_text(qtbot, people.search_edit, typed)
    qtbot.waitUntil(lambda: people.table.model().rowCount() >= 1)
    assert people.table.model().index(0, 0).data() == name
    with qtbot.waitSignal(session.person_file_screen.loaded):
        qtbot.keyClick(people.search_edit, Qt.Key.Key_Down)
        qtbot.keyClick(people.table, Qt.Key.Key_Return)
    assert session.stack.currentWidget() is session.person_file_screen


def visible_text(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def answer_questionnaire(qtbot: QtBot, window: MainWindow, session: SessionWidget) -> None:
    """Turn the laptop to the visitor (once confirmed): nothing else is reachable until the
    password."""
    accept_message_box(qtbot, "Ouvrir le questionnaire")
    nav(qtbot, session, "Avis des usagers")
    screen = session.satisfaction_screen
    assert session.in_visitor_mode()
    assert not session.navigation.isVisible() and not session.top_bar.isVisible()
    qtbot.mouseClick(screen.answer_buttons["service_rendered"][4], LEFT)
    qtbot.mouseClick(screen.answer_buttons["reception"][3], LEFT)
    qtbot.mouseClick(screen.answer_buttons["waiting_time"][3], LEFT)
    with qtbot.waitSignal(screen.answer_saved):
        qtbot.mouseClick(screen.validate_button, LEFT)
    assert screen.pages.currentWidget() is screen.thanks_page
    with qtbot.waitSignal(window.session_locked):
        qtbot.mouseClick(screen.handback_button, LEFT)
    assert window.pages.currentWidget() is window.login_screen


def test_a_social_workers_half_day(qtbot: QtBot, van: Path) -> None:
    window = MainWindow(van)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    session = log_in(qtbot, window, "amartin", SOCIAL_PASSWORD)
    titles = [session.navigation.item(i).text() for i in range(session.navigation.count())]
    assert titles == ["Aujourd'hui", "Personnes", "Mes suivis", "Avis des usagers"]
    today = session.today_screen
    qtbot.waitUntil(lambda: today.stop_title.text() == "Arrêt du jour : Luc-en-Diois")

    # Someone known comes in: found without accents, her file opened with the keyboard.
    qtbot.mouseClick(today.receive_button, LEFT)
    find_and_open(qtbot, session, "helene", "DUPRÉ Hélène")
    file_screen = session.person_file_screen
    assert file_screen.new_social_button.isVisible()
    assert not file_screen.new_pmi_button.isVisible()

    # A social consultation, recorded and signed.
    social = session.social_screen
    with qtbot.waitSignal(social.loaded):
        qtbot.mouseClick(file_screen.new_social_button, LEFT)
    assert session.stack.currentWidget() is social
    choose_by_keyboard(qtbot, social.arrival_combo, "town_hall_poster")
    click_item(qtbot, social.demand_list, "energy")
    click_item(qtbot, social.actions_list, "file_preparation")
    choose_by_keyboard(qtbot, social.outcome_combo, "follow_up_opened")
    qtbot.mouseClick(social.follow_ups.add_button, LEFT)
    choose_by_keyboard(qtbot, social.follow_ups.rows()[0].demand_combo, "energy")
    type_text(qtbot, social.note_edit, SOCIAL_NOTE)
    accept_message_box(qtbot, "Signer")
    with qtbot.waitSignal(social.consultation_signed):
        qtbot.mouseClick(social.sign_button, LEFT)

    # Back to Today: she is listed; Enter on her line reopens the signed consultation.
    nav(qtbot, session, "Aujourd'hui")
    qtbot.waitUntil(lambda: today.seen_model.rowCount() == 1)
    assert "modification" in today.sync_label.text()
    today.seen_table.setFocus()
    today.seen_table.setCurrentIndex(today.seen_model.index(0, 0))
    with qtbot.waitSignal(social.loaded):
        qtbot.keyClick(today.seen_table, Qt.Key.Key_Return)
    assert session.stack.currentWidget() is social and social.note_edit.isReadOnly()

    # Someone new: registered from the search, the file opens on the new person.
    nav(qtbot, session, "Personnes")
    people = session.people_screen
    with qtbot.waitSignal(people.results_shown, timeout=5000):
        type_text(qtbot, people.search_edit, "Faure Marcel")
    qtbot.mouseClick(people.new_button, LEFT)
    dialog = people.register_dialog
    assert dialog is not None and dialog.birth_name_edit.text() == "Faure"
    qtbot.keyClicks(dialog.birth_date_edit, "04/07/1948")
    qtbot.mouseClick(dialog.sex_buttons["M"], LEFT)
    with qtbot.waitSignal(file_screen.loaded):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert "FAURE Marcel" in visible_text(file_screen)

    # A consultation started, then the laptop is locked: the form survives the unlock.
    with qtbot.waitSignal(social.loaded):
        qtbot.mouseClick(file_screen.new_social_button, LEFT)
    type_text(qtbot, social.note_edit, "Demande d'APA à préparer")
    with qtbot.waitSignal(window.session_locked):
        qtbot.mouseClick(session.lock_button, LEFT)
    assert window.pages.currentWidget() is window.login_screen
    unlock(qtbot, window, SOCIAL_PASSWORD)
    assert session.stack.currentWidget() is social
    assert social.note_edit.toPlainText() == "Demande d'APA à préparer"

    # The follow-up opened this morning is closed: the problem was solved.
    nav(qtbot, session, "Mes suivis")
    follow_ups = session.follow_ups_screen
    qtbot.waitUntil(lambda: follow_ups.proxy.rowCount() == 1)
    rect = follow_ups.table.visualRect(follow_ups.proxy.index(0, 0))
    qtbot.mouseClick(follow_ups.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseClick(follow_ups.close_button, LEFT)
    choose_by_keyboard(qtbot, follow_ups.outcome_combo, "resolved")
    with qtbot.waitSignal(follow_ups.follow_up_closed):
        qtbot.mouseClick(follow_ups.confirm_button, LEFT)

    # The questionnaire, handed to a visitor; only the password brings the session back.
    answer_questionnaire(qtbot, window, session)
    unlock(qtbot, window, SOCIAL_PASSWORD)
    assert not session.in_visitor_mode() and session.navigation.isVisible()
    assert session.stack.currentWidget() is session.today_screen
    window.logout()
    window.close()

    [consultation] = stored(van, "amartin", SOCIAL_PASSWORD, SocialConsultation)
    assert consultation.status == "signed" and consultation.note == SOCIAL_NOTE
    assert consultation.demand_types == ["energy"] and consultation.stop_id is not None
    [follow_up] = stored(van, "amartin", SOCIAL_PASSWORD, FollowUp)
    assert (follow_up.outcome, follow_up.closed_on) == ("resolved", TODAY)
    [answer] = stored(van, "amartin", SOCIAL_PASSWORD, SatisfactionAnswer)
    assert (answer.service_rendered, answer.reception, answer.waiting_time) == (4, 3, 3)
    assert answer.stop_id == consultation.stop_id and answer.service == "social"
    names = {p.birth_name for p in stored(van, "amartin", SOCIAL_PASSWORD, Beneficiary)}
    assert names == {"Dupré", "Faure"}


def test_a_nurses_half_day_and_what_each_role_sees(qtbot: QtBot, van: Path) -> None:
    window = MainWindow(van)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()

    # The social worker saw the mother this morning: a social note the nurse must not read.
    session = log_in(qtbot, window, "amartin", SOCIAL_PASSWORD)
    qtbot.mouseClick(session.today_screen.receive_button, LEFT)
    find_and_open(qtbot, session, "dupre", "DUPRÉ Hélène")
    social = session.social_screen
    with qtbot.waitSignal(social.loaded):
        qtbot.mouseClick(session.person_file_screen.new_social_button, LEFT)
    choose_by_keyboard(qtbot, social.arrival_combo, "town_hall_poster")
    click_item(qtbot, social.demand_list, "energy")
    choose_by_keyboard(qtbot, social.outcome_combo, "resolved_on_spot")
    type_text(qtbot, social.note_edit, SOCIAL_NOTE)
    accept_message_box(qtbot, "Signer")
    with qtbot.waitSignal(social.consultation_signed):
        qtbot.mouseClick(social.sign_button, LEFT)
    window.logout()

    session = log_in(qtbot, window, "bnguyen", NURSE_PASSWORD)
    titles = [session.navigation.item(i).text() for i in range(session.navigation.count())]
    assert titles == ["Aujourd'hui", "Personnes", "Avis des usagers"]
    assert session.social_screen is None and session.follow_ups_screen is None

    # The mother's file: the social visit is listed, its content is not.
    qtbot.mouseClick(session.today_screen.receive_button, LEFT)
    find_and_open(qtbot, session, "12/03/1990", "DUPRÉ Hélène")
    file_screen = session.person_file_screen
    assert SOCIAL_NOTE not in visible_text(file_screen)
    assert not file_screen.new_social_button.isVisible()

    # Her newborn, registered from the search with the mother linked.
    nav(qtbot, session, "Personnes")
    people = session.people_screen
    with qtbot.waitSignal(people.results_shown, timeout=5000):
        type_text(qtbot, people.search_edit, "Dupré Noé")
    qtbot.mouseClick(people.new_button, LEFT)
    dialog = people.register_dialog
    born = TODAY - dt.timedelta(days=75)
    qtbot.keyClicks(dialog.birth_date_edit, born.strftime("%d/%m/%Y"))
    qtbot.mouseClick(dialog.sex_buttons["M"], LEFT)
    picker = dialog.parents.picker
    qtbot.keyClicks(picker.field, "dupre hel")
    qtbot.waitUntil(lambda: picker.search.is_current() and picker.list.count() == 1)
    rect = picker.list.visualItemRect(picker.list.item(0))
    qtbot.mouseClick(picker.list.viewport(), LEFT, pos=rect.center())
    with qtbot.waitSignal(file_screen.loaded):
        qtbot.mouseClick(dialog.save_button, LEFT)

    # The child's consultation: measures typed the French way, signed.
    pmi = session.pmi_screen
    with qtbot.waitSignal(pmi.loaded):
        qtbot.mouseClick(file_screen.new_pmi_button, LEFT)
    assert session.stack.currentWidget() is pmi
    retype(qtbot, pmi.child.weight_edit, "5,1 kg")
    retype(qtbot, pmi.child.length_edit, "57,5 cm")
    retype(qtbot, pmi.child.head_edit, "385 mm")
    assert pmi.child.chart.current_points()
    choose_by_keyboard(qtbot, pmi.child.feeding_combo, "exclusive_breastfeeding")
    type_text(qtbot, pmi.note_edit, PMI_NOTE)
    accept_message_box(qtbot, "Signer")
    with qtbot.waitSignal(pmi.consultation_signed):
        qtbot.mouseClick(pmi.sign_button, LEFT)

    # Locked and unlocked: the signed consultation is still on screen.
    with qtbot.waitSignal(window.session_locked):
        qtbot.mouseClick(session.lock_button, LEFT)
    unlock(qtbot, window, NURSE_PASSWORD)
    assert session.stack.currentWidget() is pmi and pmi.save_button.isHidden()

    answer_questionnaire(qtbot, window, session)
    unlock(qtbot, window, NURSE_PASSWORD)
    window.logout()

    # The social worker opens the child's file: the visit is there, no measure, no note.
    session = log_in(qtbot, window, "amartin", SOCIAL_PASSWORD)
    qtbot.mouseClick(session.today_screen.receive_button, LEFT)
    find_and_open(qtbot, session, "dupre noe", "DUPRÉ Noé")
    file_screen = session.person_file_screen
    for row in range(file_screen.visits_table.model().rowCount()):
        file_screen.visits_table.selectRow(row)
        text = visible_text(file_screen)
        assert PMI_NOTE not in text and "5,100" not in text and "5 100" not in text
    window.logout()
    window.close()

    [consultation] = stored(van, "bnguyen", NURSE_PASSWORD, PmiConsultation)
    assert (consultation.weight_g, consultation.length_mm, consultation.head_circumference_mm) == (
        5100,
        575,
        385,
    )
    assert consultation.status == "signed" and consultation.author == "bnguyen"
    [link] = stored(van, "bnguyen", NURSE_PASSWORD, HouseholdLink)
    assert link.relation == "mother" and link.child_id == consultation.beneficiary_id
    answers = stored(van, "bnguyen", NURSE_PASSWORD, SatisfactionAnswer)
    assert sorted(a.service for a in answers) == ["pmi"]
