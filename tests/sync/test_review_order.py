"""Review and completion states follow the order of events on the server, not laptop clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.sync.conftest import Van, add_person
from tests.sync.helpers import TODAY, record_pmi
from van_app.core import local_store
from van_app.core.models import utcnow
from van_app.core.pmi import add_pmi_addendum
from van_app.core.reference import reference
from van_app.core.review import (
    COMPLETION_PROVIDED,
    ReviewFilter,
    completion_requests_for,
    request_completion,
    review_queue,
)


def clock(offset: dt.timedelta) -> Callable[[], dt.datetime]:
    return lambda: utcnow() + offset


@pytest.mark.parametrize("nurse_behind", [True, False])
def test_an_answer_counts_whatever_the_two_laptops_clocks_say(  # type: ignore[no-untyped-def]
    enrol, monkeypatch: pytest.MonkeyPatch, nurse_behind: bool
) -> None:
    nurse, supervisor = enrol("bnguyen"), enrol("croux")
    skew = dt.timedelta(hours=2) if nurse_behind else -dt.timedelta(hours=2)
    baby = add_person(nurse, "Bonnet", "Léo", sex="M", birth_date=TODAY - dt.timedelta(days=90))
    visit = record_pmi(nurse, baby)
    assert nurse.sync().verified and supervisor.sync().verified

    def as_device(van: Van, offset: dt.timedelta, action: Callable[[], object]) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(local_store, "utcnow", clock(offset))
            action()

    as_device(supervisor, skew, lambda: request_completion(
        supervisor.store, "pmi", visit, "Préciser le prochain rendez-vous."
    ))  # fmt: skip
    assert supervisor.sync().verified and nurse.sync().verified
    with nurse.store.session() as session:
        assert [r.consultation_id for r in completion_requests_for(session, nurse.store.user)] == [
            visit
        ]
    as_device(nurse, -skew, lambda: add_pmi_addendum(nurse.store, visit, "RDV le 12/01."))
    with nurse.store.session() as session:  # answered here at once, before any sync
        assert completion_requests_for(session, nurse.store.user) == []
    assert nurse.sync().verified and supervisor.sync().verified
    with nurse.store.session() as session:
        assert completion_requests_for(session, nurse.store.user) == []
    with supervisor.store.session() as session:
        [row] = review_queue(session, supervisor.store.user, ReviewFilter(), reference())
    assert row.review_status == COMPLETION_PROVIDED
