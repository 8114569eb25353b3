"""Open follow-ups, most overdue first; closing validated so the resolution time is right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.core.test_social import PASSWORD, TODAY, add_person, counts
from van_app.core.follow_ups import close_follow_up, open_follow_ups
from van_app.core.local_store import LocalStore
from van_app.core.models import FollowUp
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.core.social import SocialAccessError
from van_app.core.validation import ValidationError


def add_follow_up(
    store: LocalStore,
    person_id: str,
    due_in_days: int,
    *,
    demand: str = "energy",
    opened_days_ago: int = 20,
    closed: bool = False,
    deleted: bool = False,
) -> str:
    with store.session() as session:
        follow_up = store.stamp(
            FollowUp(
                beneficiary_id=person_id,
                demand_type=demand,
                opened_on=TODAY - dt.timedelta(days=opened_days_ago),
                due_on=TODAY + dt.timedelta(days=due_in_days),
                closed_on=TODAY if closed else None,
                outcome="resolved" if closed else None,
                deleted=deleted,
                author="",
                device="",
            )
        )
        session.add(follow_up)
        return follow_up.id


@pytest.fixture
def nurse_store(social_store: LocalStore, data_dir: Path) -> Iterator[LocalStore]:
    factories.add_nurse(social_store, PASSWORD)
    with factories.opened_as(data_dir, factories.NURSE_USERNAME, PASSWORD) as store:
        yield store


def test_open_follow_ups_overdue_first(social_store: LocalStore) -> None:
    person = add_person(social_store)
    later = add_follow_up(social_store, person, 10, demand="housing")
    overdue = add_follow_up(social_store, person, -3)
    very_overdue = add_follow_up(social_store, person, -9, demand="rsa")
    due_today = add_follow_up(social_store, person, 0)
    add_follow_up(social_store, person, -5, closed=True)
    add_follow_up(social_store, person, -5, deleted=True)
    with social_store.session() as session:
        rows = open_follow_ups(session, social_store.user, TODAY, reference())
    assert [r.follow_up_id for r in rows] == [very_overdue, overdue, due_today, later]
    assert [r.days_overdue for r in rows] == [9, 3, 0, 0]
    assert rows[3].days_until_due == 10
    assert rows[0].demand_label == "RSA (revenu de solidarité active)"
    assert rows[0].person_name == "ACHARD Josiane"


def test_only_my_follow_ups_and_only_social_workers(
    social_store: LocalStore, nurse_store: LocalStore
) -> None:
    person = add_person(social_store)
    add_follow_up(social_store, person, 3)
    with nurse_store.session() as session:
        with pytest.raises(SocialAccessError):
            open_follow_ups(session, nurse_store.user, TODAY, reference())
        session.add(
            nurse_store.stamp(
                FollowUp(
                    beneficiary_id=person,
                    demand_type="energy",
                    opened_on=TODAY,
                    due_on=TODAY,
                    author="",
                    device="",
                )
            )
        )
    with social_store.session() as session:
        rows = open_follow_ups(session, social_store.user, TODAY, reference())
    assert len(rows) == 1


def test_close_follow_up(social_store: LocalStore) -> None:
    person = add_person(social_store)
    follow_up_id = add_follow_up(social_store, person, -2)
    closed_on = TODAY - dt.timedelta(days=1)
    close_follow_up(
        social_store, follow_up_id, "resolved", closed_on, " Droits ouverts. ", reference(), TODAY
    )
    with social_store.session() as session:
        stored = session.get(FollowUp, follow_up_id)
        assert (stored.outcome, stored.closed_on, stored.note) == (
            "resolved",
            closed_on,
            "Droits ouverts.",
        )
        entry = session.exec(select(OutboxEntry).where(OutboxEntry.record_id == follow_up_id)).one()
        assert {"closed_on", "outcome"} <= set(entry.changed_fields)
        assert open_follow_ups(session, social_store.user, TODAY, reference()) == []
    with pytest.raises(SocialAccessError, match="déjà clôturé"):
        close_follow_up(social_store, follow_up_id, "resolved", TODAY, "", reference(), TODAY)


@pytest.mark.parametrize(
    ("outcome", "closed_on", "note", "field", "message"),
    [
        (None, TODAY, "", "outcome", "Indiquez l'issue du suivi clôturé."),
        ("bogus", TODAY, "", "outcome", "Issue de suivi inconnue : « bogus »."),
        ("resolved", None, "", "closed_on", "Indiquez la date de clôture du suivi."),
        (
            "resolved",
            TODAY + dt.timedelta(days=1),
            "",
            "closed_on",
            "La date de clôture ne peut pas être dans le futur.",
        ),
        (
            "resolved",
            TODAY - dt.timedelta(days=30),
            "",
            "closed_on",
            "La date de clôture ne peut pas être antérieure à l'ouverture du suivi.",
        ),
        (
            "resolved",
            TODAY,
            "x" * 1001,
            "note",
            "Ce texte ne peut pas dépasser 1\u00a0000 caractères.",
        ),
    ],
)
def test_closing_is_validated(
    social_store: LocalStore,
    outcome: str | None,
    closed_on: dt.date | None,
    note: str,
    field: str,
    message: str,
) -> None:
    person = add_person(social_store)
    follow_up_id = add_follow_up(social_store, person, -2)
    before = counts(social_store)
    with pytest.raises(ValidationError) as refused:
        close_follow_up(social_store, follow_up_id, outcome, closed_on, note, reference(), TODAY)
    assert refused.value.errors[field] == message
    assert counts(social_store) == before
    with social_store.session() as session:
        stored = session.get(FollowUp, follow_up_id)
        assert stored.closed_on is None and stored.outcome is None


def test_nurse_cannot_close(social_store: LocalStore, nurse_store: LocalStore) -> None:
    person = add_person(social_store)
    follow_up_id = add_follow_up(social_store, person, -2)
    with pytest.raises(SocialAccessError):
        close_follow_up(nurse_store, follow_up_id, "resolved", TODAY, "", reference(), TODAY)
