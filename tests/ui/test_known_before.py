"""Correcting "known to the CMS before her first contact" in a person's file, as a user would.

Data: the fixed data set of tests/core/activity_data.py. P8 (a child first met at a PMI
consultation) was registered as not known; her family was in fact known to the CMS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.core.activity_data import AFTER_Q4, Q4_END, Q4_START, ActivityData, build_activity_data
from tests.factories import new_store
from tests.ui.helpers import LEFT, open_person_file
from van_app.core.indicators import ActivityFilter, activity_report
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext


@pytest.fixture(params=[("croux", "supervisor"), ("bnguyen", "pmi_nurse")])
def store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[LocalStore]:
    username, role = request.param
    store = new_store(data_dir, username, "Vercors-et-Diois-2026", username, [role])
    yield store
    store.close()


@pytest.fixture
def data(store: LocalStore) -> ActivityData:
    return build_activity_data(store)


@pytest.fixture
def context(store: LocalStore) -> Iterator[AppContext]:
    context = AppContext(
        store=store, runner=TaskRunner(), reference=reference(), today=lambda: dt.date(2026, 12, 6)
    )
    yield context
    context.runner.wait_for_done()


def _unknown_in_q4(store: LocalStore) -> tuple[int, int]:
    with store.session() as session:
        key = activity_report(
            session, store.user.roles, ActivityFilter(Q4_START, Q4_END), reference(), AFTER_Q4
        ).key
    return key.unknown_before, key.first_met


def test_the_flag_is_shown_and_corrected_in_the_file(
    qtbot: QtBot, store: LocalStore, data: ActivityData, context: AppContext
):
    assert _unknown_in_q4(store) == (5, 7)
    screen = open_person_file(qtbot, context, data["P8"])
    known = screen.known_before
    assert known.check.isVisible() and known.check.isEnabled()
    assert not known.check.isChecked()
    assert known.check.text() == "Connu·e du CMS avant son premier contact avec le camion"
    assert not known.save_button.isEnabled()  # nothing to correct yet
    # The identity entries do not repeat it.
    assert all(
        "premier contact" not in label.text()
        for label in screen.identity.findChildren(type(screen.name_label))
    )

    qtbot.mouseClick(known.check, LEFT)
    assert known.save_button.isEnabled()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):  # the file reloads once written
        qtbot.mouseClick(known.save_button, LEFT)
    assert known.status_label.text().startswith("Correction enregistrée")
    assert known.check.isChecked() and not known.save_button.isEnabled()

    with store.session() as session:
        person = session.get(Beneficiary, data["P8"])
        assert person is not None and person.known_to_cms is True
        assert person.device == store.device_id  # stamped: who and where, for the server
        entry = session.exec(select(OutboxEntry).where(OutboxEntry.record_id == data["P8"])).one()
        assert "known_to_cms" in entry.changed_fields  # leaves at the next sync
    assert _unknown_in_q4(store) == (4, 7)


def test_a_duplicate_opens_and_corrects_the_kept_person(
    qtbot: QtBot, store: LocalStore, data: ActivityData, context: AppContext
):
    screen = open_person_file(qtbot, context, data["P3b"])  # merged into P3, who says "not known"
    assert not screen.known_before.check.isChecked()
    qtbot.mouseClick(screen.known_before.check, LEFT)
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(screen.known_before.save_button, LEFT)
    with store.session() as session:
        assert session.get(Beneficiary, data["P3"]).known_to_cms is True  # type: ignore[union-attr]
    assert _unknown_in_q4(store) == (4, 7)
