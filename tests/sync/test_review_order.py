"""Review and completion states follow the order of events on the server, not laptop clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.core.test_review import social_form
from tests.sync.conftest import Van, add_person
from tests.sync.helpers import TODAY, record_pmi
from van_app.core import local_store
from van_app.core.models import utcnow
from van_app.core.pmi import add_pmi_addendum
from van_app.core.reference import reference
from van_app.core.review import (
    COMPLETION_PROVIDED,
    PMI_REVIEW,
    VALIDATED,
    ReviewFilter,
    completion_requests_for,
    consultation_detail,
    request_completion,
    review_queue,
    validate,
)
from van_app.core.social import add_social_addendum, sign_social_consultation


def clock(offset: dt.timedelta) -> Callable[[], dt.datetime]:
    return lambda: utcnow() + offset


@pytest.mark.parametrize("nurse_behind", [True, False])
def test_an_answer_counts_whatever_the_two_laptops_clocks_say(  # type: ignore[no-untyped-def]
    enrol, monkeypatch: pytest.MonkeyPatch, nurse_behind: bool
) -> None:
    nurse, supervisor = enrol("bnguyen"), enrol("eblanc")  # she reads PMI: she reviews it
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


def test_the_whole_thread_reaches_every_device_in_one_order(  # type: ignore[no-untyped-def]
    enrol, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Request, answer, second request, answer, validation: five records, none rewritten, in
    the server's order on the supervisor's and on a second supervisor's device, whatever the
    laptops' clocks say (the social worker's runs three hours ahead)."""
    social, supervisor, colleague = enrol("amartin"), enrol("croux"), enrol("croux")
    person = add_person(social, "Achard", "Josiane")
    form = social_form(person, TODAY)
    visit = sign_social_consultation(social.store, None, reference(), TODAY, form=form)
    assert social.sync().verified and supervisor.sync().verified

    def round_trip(action: Callable[[], object], van: Van, offset: dt.timedelta) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(local_store, "utcnow", clock(offset))
            action()
        assert van.sync().verified and social.sync().verified and supervisor.sync().verified

    ahead = dt.timedelta(hours=3)
    here = dt.timedelta(0)
    round_trip(lambda: request_completion(supervisor.store, "social", visit, "Montant ?"),
               supervisor, here)  # fmt: skip
    round_trip(lambda: add_social_addendum(social.store, visit, "412,50 €."), social, -ahead)
    round_trip(lambda: request_completion(supervisor.store, "social", visit, "Date ?"),
               supervisor, here)  # fmt: skip
    round_trip(lambda: add_social_addendum(social.store, visit, "Le 02/05."), social, -ahead)
    round_trip(lambda: validate(supervisor.store, "social", visit), supervisor, here)
    assert colleague.sync().verified

    expected = [
        ("request", "Montant ?"),
        ("answer", "412,50 €."),
        ("request", "Date ?"),
        ("answer", "Le 02/05."),
        ("validation", ""),
    ]
    for van in (supervisor, colleague):
        with van.store.session() as session:
            [row] = review_queue(session, van.store.user, ReviewFilter(), reference())
            shown = consultation_detail(session, van.store.user, "social", visit, reference())
        assert row.review_status == VALIDATED
        assert [(s.step, s.text) for s in shown.thread] == expected
        assert [s.step for s in row.thread] == [step for step, _ in expected]


def test_a_pmi_visit_is_relecture_pmi_for_a_supervisor_who_cannot_read_it(  # type: ignore[no-untyped-def]
    enrol,
) -> None:
    nurse, claire, emma = enrol("bnguyen"), enrol("croux"), enrol("eblanc")
    baby = add_person(nurse, "Bonnet", "Léo", sex="M", birth_date=TODAY - dt.timedelta(days=90))
    visit = record_pmi(nurse, baby)
    for van in (nurse, claire, emma):
        assert van.sync().verified
    with claire.store.session() as session:
        [row] = review_queue(session, claire.store.user, ReviewFilter(), reference())
    assert (row.review_status, row.review_label) == (PMI_REVIEW, "Relecture PMI")
    validate(emma.store, "pmi", visit)
    assert emma.sync().verified and claire.sync().verified
    with claire.store.session() as session:
        [row] = review_queue(session, claire.store.user, ReviewFilter(), reference())
    assert (row.review_status, row.reviewer) == (VALIDATED, "Emma Blanc")
