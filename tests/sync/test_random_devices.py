"""Two vans and a supervisor editing in parallel through a faulty network, seeded scenarios.

Each scenario draws random edits (new people, the same or different fields changed on
several devices, deletions, signed consultations) and random syncs, each sync meeting a
random fault; then the network heals and every device syncs. Checked after each scenario:
every device agrees with the server (counts and checksums), nobody lost a record, no record
exists twice, a deleted person stays deleted everywhere, and every same-field conflict has
the same winner on every device. ``SYNC_SCENARIOS`` sets how many (CI: 200; try 5000).
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator

import pytest
from sqlmodel import select

from tests.sync.conftest import Van, add_person
from tests.sync.faults import FAULTS, FaultyProxy
from tests.sync.test_contract import record_consultation
from van_app.core.models import Beneficiary, SocialConsultation
from van_app.sync.client import SyncClient, SyncError

SCENARIOS = int(os.environ.get("SYNC_SCENARIOS", "200"))
SEED = int(os.environ.get("SYNC_SEED", "2026"))
FIELDS = {
    "phone": lambda rng: f"04750{rng.randrange(10**5):05d}",
    "birthplace": lambda rng: rng.choice(["Die", "Crest", "Nyons", "Valence", "Lyon"]),
    "usual_name": lambda rng: rng.choice(["Martin", "Roux", "Faure", "Blanc", None]),
}


@pytest.fixture
def devices(enrol, sync_server) -> Iterator[tuple[list[Van], FaultyProxy]]:  # type: ignore[no-untyped-def]
    proxy = FaultyProxy(sync_server.port, delay_seconds=0.02)
    vans = [enrol("amartin"), enrol("bnguyen"), enrol("croux")]
    for van in vans:
        van.client.close()
        van.client = SyncClient(proxy.url, van.client.token)
    yield vans, proxy
    proxy.close()


def people(van: Van) -> dict[str, Beneficiary]:
    with van.store.session() as session:
        return {p.id: p for p in session.exec(select(Beneficiary)).all()}


def edit(van: Van, person_id: str, field: str, value: object) -> None:
    with van.store.session() as session:
        record = session.get(Beneficiary, person_id)
        if record is None:
            return
        setattr(record, field, value)
        session.add(van.store.stamp(record))


def delete(van: Van, person_id: str) -> None:
    with van.store.session() as session:
        record = session.get(Beneficiary, person_id)
        if record is not None:
            record.deleted = True
            session.add(van.store.stamp(record))


def sync_through(van: Van, proxy: FaultyProxy, rng: random.Random) -> None:
    proxy.fail_next(*(["pass"] * rng.randrange(3)), rng.choice((*FAULTS, "pass", "pass")))
    with contextlib.suppress(SyncError):
        van.sync(batch_max=rng.choice((1, 3, 50)), page_size=rng.choice((2, 500)))
    proxy.plan.clear()


def test_devices_converge_under_faults(devices) -> None:  # type: ignore[no-untyped-def]
    vans, proxy = devices
    social, nurse, supervisor = vans
    rng = random.Random(SEED)
    created: set[str] = set()
    consultations: set[str] = set()
    deleted: set[str] = set()
    for scenario in range(SCENARIOS):
        for _ in range(rng.randint(2, 6)):
            action = rng.random()
            van = rng.choice(vans)
            known = sorted(people(van))
            if action < 0.25 or not known:
                created.add(add_person(van, f"Nom{scenario}", rng.choice(["Léa", "Jean"])))
            elif action < 0.7:
                field = rng.choice(sorted(FIELDS))
                target = rng.choice(known)
                edit(van, target, field, FIELDS[field](rng))
                if rng.random() < 0.4:  # the same field on another device, at the same time
                    other = rng.choice([v for v in vans if v is not van])
                    edit(other, target, field, FIELDS[field](rng))
            elif action < 0.78 and van is not nurse:
                target = rng.choice(known)
                delete(van, target)
                deleted.add(target)
            elif action < 0.9:
                live = [p for p, r in people(social).items() if not r.deleted]
                if live:
                    consultations.add(record_consultation(social, rng.choice(live)))
            else:
                sync_through(van, proxy, rng)
        for van in rng.sample(vans, len(vans)):
            sync_through(van, proxy, rng)

        # The network heals: after one round the server has everything; the second round
        # brings every device to the server's state and checks it.
        for van in vans:
            van.sync()
        reports = [van.sync() for van in vans]
        assert all(r.verified for r in reports), (scenario, [r.mismatches for r in reports])
        views = [people(van) for van in vans]
        assert set(views[2]) == created, f"scenario {scenario}: a person was lost"
        for view in views:
            assert set(view) == created
            assert {p for p, r in view.items() if r.deleted} >= deleted  # never resurrected
        for person_id in created - deleted:
            values = {tuple(getattr(view[person_id], f) for f in FIELDS) for view in views}
            assert len(values) == 1, f"scenario {scenario}: devices disagree on {values}"
        with supervisor.store.session() as session:
            seen = {c.id for c in session.exec(select(SocialConsultation)).all()}
        assert seen == consultations, f"scenario {scenario}: a consultation was lost"
    assert len(created) > SCENARIOS // 2 and consultations and deleted
