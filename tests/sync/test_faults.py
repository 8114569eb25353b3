"""Connections broken at every point of a sync, then healed: nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from sqlmodel import select

from tests.sync.conftest import Van, add_person
from tests.sync.faults import FAULTS, FaultyProxy
from tests.sync.test_contract import record_consultation
from van_app.core.models import Beneficiary, SocialConsultation
from van_app.core.outbox import OutboxEntry
from van_app.sync.client import SyncClient, SyncError


@pytest.fixture
def proxy(sync_server) -> Iterator[FaultyProxy]:  # type: ignore[no-untyped-def]
    proxy = FaultyProxy(sync_server.port)
    yield proxy
    proxy.close()


def through(van: Van, proxy: FaultyProxy) -> Van:
    """The same laptop, its requests going through the faulty proxy."""
    van.client.close()
    van.client = SyncClient(proxy.url, van.client.token)
    return van


def ids(van: Van, model) -> list[str]:  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return sorted(r.id for r in session.exec(select(model)).all())


def heal_and_check(van: Van, proxy: FaultyProxy, witness: Van) -> None:
    """With the network healed, a sync converges and another device sees exactly our data."""
    proxy.plan.clear()
    report = van.sync()
    assert report.verified, report.mismatches
    assert ids(van, OutboxEntry) == []
    assert witness.sync().verified
    for model in (Beneficiary, SocialConsultation):
        assert ids(witness, model) == ids(van, model)  # same ids: nothing lost, no duplicate


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("request_number", [0, 1, 2, 3])
def test_a_fault_on_any_request_of_a_sync_heals(  # type: ignore[no-untyped-def]
    enrol, proxy: FaultyProxy, fault: str, request_number: int
) -> None:
    van = through(enrol("amartin"), proxy)
    witness = enrol("croux")
    for i in range(3):
        person = add_person(van, f"Personne{i}", "Test")
        record_consultation(van, person)
    proxy.fail_next(*(["pass"] * request_number), fault)
    # Small batches and pages: the sync takes several requests and the fault lands inside it.
    # The user sees "injoignable"; the data stays queued.
    with contextlib.suppress(SyncError):
        van.sync(batch_max=2, page_size=2)
    heal_and_check(van, proxy, witness)


def test_a_lost_response_after_commit_is_replayed_exactly_once(  # type: ignore[no-untyped-def]
    enrol, proxy: FaultyProxy
) -> None:
    van = through(enrol("amartin"), proxy)
    witness = enrol("croux")
    person = add_person(van)
    record_consultation(van, person)
    proxy.fail_next("drop_after", "drop_after", "drop_after")
    for _ in range(3):
        with pytest.raises(SyncError):
            van.sync()
    with van.store.session() as session:
        change_ids = {e.change_id for e in session.exec(select(OutboxEntry)).all()}
    assert None not in change_ids  # the same ids go again, so the server knows them
    heal_and_check(van, proxy, witness)
    assert len(ids(witness, SocialConsultation)) == 1


def test_a_slow_link_still_syncs(enrol, proxy: FaultyProxy) -> None:  # type: ignore[no-untyped-def]
    van = through(enrol("amartin"), proxy)
    add_person(van)
    proxy.fail_next("delay", "delay", "delay")
    assert van.sync().verified


def test_edits_made_while_a_push_is_in_flight_are_not_swallowed(  # type: ignore[no-untyped-def]
    enrol, proxy: FaultyProxy
) -> None:
    van = through(enrol("amartin"), proxy)
    witness = enrol("croux")
    person = add_person(van)
    van.sync()
    with van.store.session() as session:
        record = session.get(Beneficiary, person)
        record.phone = "0475111111"
        session.add(van.store.stamp(record))
    proxy.fail_next("drop_after")  # the server takes the phone; we never hear it
    with pytest.raises(SyncError):
        van.sync()
    with van.store.session() as session:  # meanwhile, another field is typed
        record = session.get(Beneficiary, person)
        record.birthplace = "Crest"
        session.add(van.store.stamp(record))
    heal_and_check(van, proxy, witness)
    with witness.store.session() as session:
        seen = session.get(Beneficiary, person)
        assert (seen.phone, seen.birthplace) == ("0475111111", "Crest")
