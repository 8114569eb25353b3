"""Anonymous satisfaction answers: tied to the stop of the day, never to a visitor or a time."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.factories import add_person, add_social_consultation, add_stop, new_store
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    SatisfactionAnswer,
)
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import ReferenceData, reference
from van_app.core.satisfaction import (
    QUESTIONS,
    anonymous_id,
    day_start,
    record_satisfaction,
    satisfaction_count_today,
    services_for,
)
from van_app.core.validation import ValidationError

DAY = dt.date(2026, 3, 12)
GOOD = {"service_rendered": 4, "reception": 3, "waiting_time": 1}


@pytest.fixture
def ref() -> ReferenceData:
    return reference()


def _plan_stop(store: LocalStore, day: dt.date = DAY, cms_code: str = "CMS-DIE") -> str:
    return add_stop(store, day, cms_code=cms_code)


def _answers(store: LocalStore) -> list[SatisfactionAnswer]:
    with store.session() as session:
        return list(session.exec(select(SatisfactionAnswer)).all())


def test_answer_is_stored_with_the_stop_and_the_date_only(
    social_store: LocalStore, ref: ReferenceData
) -> None:
    stop_id = _plan_stop(social_store)
    _plan_stop(social_store, cms_code="CMS-NYONS")  # another CMS's van the same day

    record_satisfaction(social_store, "social", GOOD, DAY, ref)

    [row] = _answers(social_store)
    assert row.stop_id == stop_id
    assert row.answered_on == DAY
    assert row.service == "social"
    assert (row.service_rendered, row.reception, row.waiting_time) == (4, 3, 1)
    midnight = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    assert row.created_at == midnight
    assert row.updated_at == midnight
    assert row.author == "amartin"  # who handed over the laptop (S), not who answered
    assert row.device == social_store.device_id


def test_nothing_links_the_answer_to_a_visitor_or_a_consultation(
    social_store: LocalStore, ref: ReferenceData
) -> None:
    stop_id = _plan_stop(social_store)
    person_id = add_person(social_store)
    add_social_consultation(social_store, person_id, stop_id, DAY)

    record_satisfaction(social_store, "social", GOOD, DAY, ref)

    [row] = _answers(social_store)
    columns = {c.name for c in SatisfactionAnswer.__table__.columns}  # type: ignore[attr-defined]
    assert not {"beneficiary_id", "consultation_id", "person_id"} & columns
    assert person_id not in row.model_dump().values()
    # The id is a UUIDv7 whose embedded time is midnight, not the moment of the answer.
    parsed = uuid.UUID(row.id)
    assert parsed.version == 7
    assert parsed.int >> 80 == int(day_start(DAY).timestamp() * 1000)
    with social_store.session() as session:
        [entry] = session.exec(select(OutboxEntry).where(OutboxEntry.record_id == row.id)).all()
    assert entry.queued_at == day_start(DAY)
    assert entry.changed_fields == sorted(columns - {"server_version"})


def test_anonymous_ids_are_unique_and_all_carry_midnight() -> None:
    ids = {anonymous_id(DAY) for _ in range(500)}
    assert len(ids) == 500
    assert {uuid.UUID(value).int >> 80 for value in ids} == {int(day_start(DAY).timestamp() * 1000)}


def test_hors_tournee_answer_has_no_stop(social_store: LocalStore, ref: ReferenceData) -> None:
    _plan_stop(social_store, day=DAY + dt.timedelta(days=1))

    record_satisfaction(social_store, "social", GOOD, DAY, ref)

    [row] = _answers(social_store)
    assert row.stop_id is None
    assert row.answered_on == DAY


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"service_rendered": 0, "reception": 3, "waiting_time": 2}, "service_rendered"),
        ({"service_rendered": 4, "reception": 5, "waiting_time": 2}, "reception"),
        ({"service_rendered": 4, "reception": 3}, "waiting_time"),
        ({"service_rendered": 4, "reception": 3, "waiting_time": "4"}, "waiting_time"),
        ({"service_rendered": 4, "reception": True, "waiting_time": 2}, "reception"),
        ({**GOOD, "visitor_name": 3}, "visitor_name"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_written(
    social_store: LocalStore, ref: ReferenceData, answers: dict[str, Any], key: str
) -> None:
    _plan_stop(social_store)
    with pytest.raises(ValidationError) as raised:
        record_satisfaction(social_store, "social", answers, DAY, ref)
    assert key in raised.value.errors
    assert raised.value.errors[key]  # a French message for the field
    assert _answers(social_store) == []


def test_service_must_be_one_the_professional_provides(
    social_store: LocalStore, ref: ReferenceData
) -> None:
    with pytest.raises(ValidationError) as raised:
        record_satisfaction(social_store, "pmi", GOOD, DAY, ref)
    assert set(raised.value.errors) == {"service"}
    with pytest.raises(ValidationError):
        record_satisfaction(social_store, "both", GOOD, DAY, ref)
    assert _answers(social_store) == []


def test_future_day_is_refused(social_store: LocalStore, ref: ReferenceData) -> None:
    with pytest.raises(ValidationError) as raised:
        record_satisfaction(
            social_store, "social", GOOD, dt.date.today() + dt.timedelta(days=2), ref
        )
    assert "answered_on" in raised.value.errors


def test_services_follow_the_roles() -> None:
    assert services_for(["social_worker"]) == ("social",)
    assert services_for(["pmi_nurse"]) == ("pmi",)
    assert services_for(["pmi_nurse", "social_worker"]) == ("social", "pmi")
    assert services_for(["supervisor"]) == ()
    assert QUESTIONS == ("service_rendered", "reception", "waiting_time")


def test_a_nurse_holding_both_roles_chooses_the_service(data_dir: Path, ref: ReferenceData) -> None:
    store = new_store(
        data_dir, "dboth", "Soleil-du-Diois-2026", "Dominique Both", ["social_worker", "pmi_nurse"]
    )
    try:
        record_satisfaction(store, "pmi", GOOD, DAY, ref)
        record_satisfaction(store, "social", GOOD, DAY, ref)
        assert sorted(row.service for row in _answers(store)) == ["pmi", "social"]
    finally:
        store.close()


def test_count_of_the_day(social_store: LocalStore, ref: ReferenceData) -> None:
    other_stop = _plan_stop(social_store, cms_code="CMS-NYONS")
    _plan_stop(social_store)
    for _ in range(3):
        record_satisfaction(social_store, "social", GOOD, DAY, ref)
    record_satisfaction(social_store, "social", GOOD, DAY - dt.timedelta(days=1), ref)
    with social_store.session() as session:
        # An answer collected by someone else at another CMS's stop does not count here.
        session.add(
            social_store.stamp(
                SatisfactionAnswer(
                    stop_id=other_stop,
                    answered_on=DAY,
                    service="social",
                    service_rendered=2,
                    reception=2,
                    waiting_time=2,
                    author="zother",
                    device="dev-other",
                )
            )
        )
    with social_store.session() as session:
        assert satisfaction_count_today(session, social_store.user, DAY) == 3
        assert satisfaction_count_today(session, social_store.user, DAY + dt.timedelta(1)) == 0
