"""Every local change is queued in the outbox in the same transaction (sync invariant 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.outbox import FROM_SERVER, OutboxEntry, pending_summary


def _person(store: LocalStore) -> Beneficiary:
    return store.stamp(
        Beneficiary(
            birth_name="Chabert",
            first_names="Odette",
            birth_date=dt.date(1940, 2, 2),
            sex="F",
            author="",
            device="",
        )
    )


def test_new_record_is_queued_with_all_its_fields(social_store: LocalStore) -> None:
    with social_store.session() as session:
        person = _person(social_store)
        session.add(person)
    with social_store.session() as session:
        entries = session.exec(select(OutboxEntry)).all()
        count, oldest = pending_summary(session)
    assert [(e.record_table, e.record_id) for e in entries] == [("beneficiary", person.id)]
    assert {"birth_name", "first_names", "birth_date"} <= set(entries[0].changed_fields)
    assert count == 1 and oldest is not None and oldest.tzinfo is not None


def test_an_edit_widens_the_pending_entry_instead_of_adding_one(social_store: LocalStore) -> None:
    with social_store.session() as session:
        person = _person(social_store)
        session.add(person)
    with social_store.session() as session:
        entry = session.exec(select(OutboxEntry)).one()
        entry.changed_fields = ["birth_name"]  # as if the first push had sent the rest
        session.add(entry)
    with social_store.session() as session:
        stored = session.get(Beneficiary, person.id)
        stored.phone = "04 75 21 08 77"
        session.add(social_store.stamp(stored))
    with social_store.session() as session:
        entries = session.exec(select(OutboxEntry)).all()
    assert len(entries) == 1
    assert {"birth_name", "phone", "updated_at"} <= set(entries[0].changed_fields)


def test_a_rolled_back_write_leaves_no_entry(social_store: LocalStore) -> None:
    with pytest.raises(RuntimeError), social_store.session() as session:
        session.add(_person(social_store))
        session.flush()
        raise RuntimeError("panne au milieu de l'enregistrement")
    with social_store.session() as session:
        assert session.exec(select(OutboxEntry)).all() == []
        assert session.exec(select(Beneficiary)).all() == []


def test_changes_pulled_from_the_server_are_not_queued(social_store: LocalStore) -> None:
    with social_store.session() as session:
        session.info[FROM_SERVER] = True
        session.add(_person(social_store))
    with social_store.session() as session:
        assert pending_summary(session) == (0, None)
