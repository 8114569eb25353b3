"""The supervisor settles sync conflicts and merges duplicates, through the real widgets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.core.test_conflicts import (  # noqa: F401  (supervisor_store is a fixture)
    get,
    outbox,
    pulled_conflict,
    pulled_person,
    supervisor_store,
)
from tests.core.test_merge_people import pmi_visit, social_visit
from tests.ui.helpers import accept_message_box
from tests.ui.test_people_screens import (
    file_screen,
    make_context,
    people_screen,
    search,
    shown_names,
)
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation, SyncConflict
from van_app.ui.context import AppContext
from van_app.ui.dialogs.merge_people import MergePeopleDialog
from van_app.ui.models.conflicts import ConflictsTableModel, DuplicatePairsTableModel
from van_app.ui.screens.conflicts import ConflictsScreen

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def context(supervisor_store: LocalStore) -> Iterator[AppContext]:  # noqa: F811
    context = make_context(supervisor_store)
    yield context
    context.runner.wait_for_done()


def shown_screen(qtbot: QtBot, context: AppContext) -> ConflictsScreen:
    screen = ConflictsScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    with qtbot.waitSignal(screen.loaded):
        screen.show()
    return screen


def click_radio(qtbot: QtBot, radio: QRadioButton) -> None:
    """Click on the radio's circle, as a hand does (its far right end is not clickable)."""
    qtbot.mouseClick(radio, LEFT, pos=QPoint(8, radio.height() // 2))


def cells(model: ConflictsTableModel | DuplicatePairsTableModel, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_choosing_the_other_value_writes_it_and_queues_both_changes(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(
        supervisor_store, "beneficiary", person, "birth_date", "1995-05-05", "1995-05-06"
    )
    screen = shown_screen(qtbot, context)

    assert screen.tabs.tabText(0) == "Conflits de synchronisation (1)"
    row = cells(screen.conflicts_model, 0)
    assert row[:3] == ["ROUX Camille, née le 05/05/1995", "Date de naissance", "05/05/1995"]
    assert row[3].startswith("Agnès Martin, le 12/11/2026 à ")
    assert row[4] == "06/05/1995" and row[5].startswith("Binh Nguyen, le 12/11/2026 à ")
    assert "« 06/05/1995 »" in screen.conflict_detail.text()

    with (
        qtbot.waitSignal(screen.conflict_settled),
        qtbot.waitSignal(context.events.records_changed),
    ):
        qtbot.mouseClick(screen.other_button, LEFT)
    qtbot.waitUntil(lambda: screen.conflicts_model.rowCount() == 0)

    assert get(supervisor_store, Beneficiary, person).birth_date == dt.date(1995, 5, 6)
    assert get(supervisor_store, SyncConflict, conflict).deleted is True
    queued = outbox(supervisor_store)
    assert "birth_date" in queued[person] and "deleted" in queued[conflict]
    assert screen.conflicts_empty.isVisible() and screen.conflicts_table.isHidden()
    assert "Aucun conflit à régler" in screen.conflicts_empty.text()
    assert "06/05/1995" in screen.message_label.text()


def test_keeping_the_retained_value_leaves_the_record_alone(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(supervisor_store, "beneficiary", person, "sex", "F", "M")
    screen = shown_screen(qtbot, context)
    assert cells(screen.conflicts_model, 0)[2::2] == ["Femme", "Homme"]

    with qtbot.waitSignal(screen.conflict_settled):
        qtbot.mouseClick(screen.keep_button, LEFT)

    assert get(supervisor_store, Beneficiary, person).sex == "F"
    assert set(outbox(supervisor_store)) == {conflict}


def test_merging_two_records_through_the_dialog_keeps_every_visit(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    first = pulled_person(supervisor_store, "amartin", phone="06 11 22 33 44")
    second = pulled_person(supervisor_store, "bnguyen", first_names="Camile", commune_insee="26167")
    visits = [social_visit(supervisor_store, first), social_visit(supervisor_store, second)]
    visits.append(pmi_visit(supervisor_store, second))
    screen = shown_screen(qtbot, context)
    screen.tabs.setCurrentIndex(1)
    assert screen.tabs.tabText(1) == "Doublons probables (1)"
    pair = cells(screen.duplicates_model, 0)
    assert pair[0] == "ROUX Camille, née le 05/05/1995" and pair[1] == "1"
    assert pair[3] == "ROUX Camile, née le 05/05/1995" and pair[4] == "2"

    qtbot.mouseClick(screen.compare_button, LEFT)
    dialog = screen.merge_dialog
    assert isinstance(dialog, MergePeopleDialog)
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled())
    qtbot.waitUntil(lambda: dialog.value_radios["commune_insee"]["b"].isVisible())
    assert set(dialog.value_radios) == {"first_names", "commune_insee"}
    assert dialog.value_radios["commune_insee"]["b"].text() == "Luc-en-Diois"
    click_radio(qtbot, dialog.value_radios["commune_insee"]["b"])  # she moved

    qtbot.mouseClick(dialog.merge_button, LEFT)
    assert dialog.confirm_box.isVisible()
    assert "Toutes les visites sont conservées (3 en tout)" in dialog.confirm_label.text()
    with (
        qtbot.waitSignal(screen.people_merged) as merged,
        qtbot.waitSignal(context.events.records_changed),
    ):
        qtbot.mouseClick(dialog.confirm_button, LEFT)
    assert merged.args == [first]
    qtbot.waitUntil(lambda: screen.duplicates_model.rowCount() == 0)
    assert screen.duplicates_empty.isVisible()

    kept = get(supervisor_store, Beneficiary, first)
    assert (kept.first_names, kept.commune_insee) == ("Camille", "26167")
    assert get(supervisor_store, Beneficiary, second).merged_into_id == first
    assert get(supervisor_store, SocialConsultation, visits[1]).beneficiary_id == second

    opened = file_screen(qtbot, context, second)  # a list elsewhere still holds this id
    assert opened.name_label.text() == "ROUX Camille"
    shown = {opened.visits_model.visit_at(r).id for r in range(opened.visits_model.rowCount())}
    assert shown == set(visits)

    people = people_screen(qtbot, context)
    search(qtbot, people, "roux cam")
    assert shown_names(people) == ["ROUX Camille"]


def test_a_refused_merge_says_why_in_the_dialog(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    first = pulled_person(supervisor_store, "amartin")
    second = pulled_person(supervisor_store, "bnguyen", first_names="Camile")
    dialog = MergePeopleDialog(context, first, second)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded):
        dialog.show()
    with supervisor_store.session() as session:  # merged meanwhile, from another window
        session.get(Beneficiary, second).merged_into_id = first

    qtbot.mouseClick(dialog.merge_button, LEFT)
    qtbot.mouseClick(dialog.confirm_button, LEFT)
    qtbot.waitUntil(dialog.error_label.isVisible)

    assert "déjà été fusionnée" in dialog.error_label.text()
    assert dialog.result is None and dialog.isVisible()


def test_nothing_to_settle_is_said_plainly(qtbot: QtBot, context: AppContext) -> None:
    screen = shown_screen(qtbot, context)

    assert screen.conflicts_empty.isVisible() and not screen.keep_button.isVisible()
    screen.tabs.setCurrentIndex(1)
    assert screen.duplicates_empty.isVisible()
    assert "Aucun doublon probable" in screen.duplicates_empty.text()
    assert screen.tabs.tabText(0) == "Conflits de synchronisation"


def test_a_social_worker_is_told_the_screen_is_not_hers(
    qtbot: QtBot, social_store: LocalStore
) -> None:
    context = make_context(social_store)
    screen = shown_screen(qtbot, context)
    context.runner.wait_for_done()

    assert "responsable du CMS" in screen.message_label.text()


def test_values_not_chosen_by_hand_follow_the_record_kept(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    first = pulled_person(supervisor_store, "amartin", phone="06 11 22 33 44")
    second = pulled_person(
        supervisor_store, "bnguyen", first_names="Camile", commune_insee="26167", phone=None
    )
    dialog = MergePeopleDialog(context, first, second)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded):
        dialog.show()
    qtbot.waitUntil(dialog.keep_radios["b"].isVisible)
    assert set(dialog.value_radios) == {"first_names", "commune_insee", "phone"}

    click_radio(qtbot, dialog.value_radios["first_names"]["a"])  # "Camille", on purpose
    click_radio(qtbot, dialog.keep_radios["b"])

    assert dialog.keep_side() == "b"
    assert dialog.value_radios["commune_insee"]["b"].isChecked()
    assert dialog.choices() == {"first_names": "other", "commune_insee": "keep", "phone": "keep"}


def test_duplicates_found_meanwhile_appear_when_their_tab_is_opened(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    screen = shown_screen(qtbot, context)
    assert screen.duplicates_model.rowCount() == 0
    pulled_person(supervisor_store, "amartin")
    pulled_person(supervisor_store, "bnguyen", first_names="Camile")
    with qtbot.waitSignal(screen.loaded):
        context.events.records_changed.emit()  # a sync brought them; conflicts tab still open
    assert screen.duplicates_model.rowCount() == 0  # the register is not read for nothing

    with qtbot.waitSignal(screen.loaded):
        screen.tabs.setCurrentIndex(1)

    assert screen.duplicates_model.rowCount() == 1
    assert screen.tabs.tabText(1) == "Doublons probables (1)"


def test_twins_declared_two_people_leave_the_list_for_good(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    first = pulled_person(supervisor_store, "amartin")
    twin = pulled_person(supervisor_store, "bnguyen", first_names="Camilla")
    before = outbox(supervisor_store)
    screen = shown_screen(qtbot, context)  # the first showing looks for duplicates too
    screen.tabs.setCurrentIndex(1)
    assert screen.duplicates_model.rowCount() == 1
    assert screen.distinct_button.isVisible() and screen.distinct_button.isEnabled()

    accept_message_box(qtbot, "Ce sont deux personnes différentes")
    with qtbot.waitSignal(screen.pair_dismissed) as dismissed:
        qtbot.mouseClick(screen.distinct_button, LEFT)
    assert set(dismissed.args) == {first, twin}
    qtbot.waitUntil(lambda: screen.duplicates_model.rowCount() == 0)

    assert screen.duplicates_empty.isVisible() and not screen.distinct_button.isVisible()
    assert "ne seront plus proposées" in screen.message_label.text()
    assert outbox(supervisor_store) == before  # nothing synced: this device only
    again = shown_screen(qtbot, context)  # opened again later: still not proposed
    assert again.tabs.tabText(1) == "Doublons probables"
    assert again.duplicates_model.rowCount() == 0


def test_the_comparison_can_conclude_to_two_people(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    pulled_person(supervisor_store, "amartin")
    pulled_person(supervisor_store, "bnguyen", first_names="Camilla")
    screen = shown_screen(qtbot, context)
    screen.tabs.setCurrentIndex(1)
    dialog = screen.open_merge_dialog()
    assert isinstance(dialog, MergePeopleDialog)
    qtbot.waitUntil(dialog.distinct_button.isEnabled)

    accept_message_box(qtbot, "Ce sont deux personnes différentes")
    with qtbot.waitSignal(screen.pair_dismissed):
        qtbot.mouseClick(dialog.distinct_button, LEFT)
    qtbot.waitUntil(lambda: screen.duplicates_model.rowCount() == 0)

    assert dialog.result is None  # nothing merged
    with supervisor_store.session() as session:
        assert session.exec(select(Beneficiary.merged_into_id)).all() == [None, None]
