"""A small model of the van world for randomized sync tests, and the oracle that judges it.

Three laptops (social worker, PMI nurse, supervisor) with clocks off by hours edit people,
record consultations, delete people, and sync through a proxy that drops, cuts and delays;
a laptop may die in the middle of a sync (the store is then reopened from disk, as after a
kill -9); the server may be killed with SIGKILL, and restored from a backup taken earlier.

Every value typed is recorded with the value its author saw before typing it. After the
network heals, the oracle reads the server's own database and holds each typed value to be:
the server's value now; or the losing side of a recorded same-field conflict; or replaced by
a later edit whose author had seen it. Every laptop's values must equal the server's, field
by field; every conflict must oppose two values that were really typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from sync_server.models import SyncRecord
from tests.sync.conftest import PASSWORD, SyncServer, Van, add_person
from tests.sync.faults import FAULTS, FaultyProxy
from tests.sync.helpers import TODAY, foreign_keys_hold, record_pmi
from tests.sync.test_contract import record_consultation
from van_app.core import local_store
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, PmiConsultation, SocialConsultation, utcnow
from van_app.core.outbox import OutboxEntry
from van_app.sync.client import SyncClient, SyncError

FIELDS = ("phone", "birthplace", "usual_name")
CLOCKS = {"social": dt.timedelta(hours=2), "nurse": -dt.timedelta(hours=2), "cms": dt.timedelta()}


class DeviceKilled(BaseException):
    """The laptop dies: nothing after this instant runs, nothing uncommitted survives."""


class KillableClient(SyncClient):
    """A client whose process dies at its n-th request, before sending or after the answer."""

    def __init__(self, url: str, token: str | None, name: str = "", trace=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(url, token)
        self.die_at: tuple[int, bool] | None = None
        self._calls = 0
        self.name = name
        self.trace = trace if trace is not None else deque(maxlen=100)

    def _call(self, method, path, body=None, *, auth=True):  # type: ignore[no-untyped-def]
        self._calls += 1
        if self.die_at is not None and self._calls == self.die_at[0] and not self.die_at[1]:
            raise DeviceKilled
        self.trace.append((self.name, "send", path, body))
        answer = super()._call(method, path, body, auth=auth)
        self.trace.append((self.name, "answer", path, answer))
        if self.die_at is not None and self._calls == self.die_at[0]:
            raise DeviceKilled
        return answer

    def arm(self, request: int, after_answer: bool) -> None:
        self._calls = 0
        self.die_at = (request, after_answer)


@dataclass
class Edit:
    seq: int
    device: str
    record: str
    field: str
    value: Any
    seen: Any


@dataclass
class Backup:
    path: Path
    taken_at_scenario: int


@dataclass
class World:
    server: SyncServer
    vans: dict[str, Van]
    proxy: FaultyProxy
    rng: random.Random
    tmp: Path
    edits: list[Edit] = field(default_factory=list)
    people: set[str] = field(default_factory=set)
    creators: dict[str, str] = field(default_factory=dict)  # person → the laptop that made her
    deleted: set[str] = field(default_factory=set)
    social_visits: set[str] = field(default_factory=set)
    pmi_visits: set[str] = field(default_factory=set)
    backups: list[Backup] = field(default_factory=list)
    restore_due: int | None = None
    events: dict[str, int] = field(default_factory=dict)
    trace: deque[Any] = field(default_factory=lambda: deque(maxlen=5000))
    _counter: int = 0

    # -- the laptops ---------------------------------------------------------------------

    @contextlib.contextmanager
    def clock_of(self, device: str) -> Iterator[None]:
        """The laptop's clock, off by hours: every stamp it writes says so."""
        offset = CLOCKS[device]
        original = local_store.utcnow
        local_store.utcnow = lambda: utcnow() + offset  # type: ignore[assignment]
        try:
            yield
        finally:
            local_store.utcnow = original  # type: ignore[assignment]

    def count(self, event: str) -> None:
        self.events[event] = self.events.get(event, 0) + 1

    def unique(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:06d}"

    def live_people(self, device: str) -> list[str]:
        with self.vans[device].store.session() as session:
            rows = session.exec(select(Beneficiary.id, Beneficiary.deleted)).all()
        return sorted(pid for pid, deleted in rows if not deleted)

    def create_person(self, device: str) -> None:
        van = self.vans[device]
        values = {"phone": self.unique("04"), "birthplace": None, "usual_name": None}
        with self.clock_of(device):
            person = add_person(
                van, self.unique("Nom"), "Léa", birth_date=TODAY - dt.timedelta(days=200),
                phone=values["phone"],
            )  # fmt: skip
        self.people.add(person)
        self.creators[person] = device
        for name, typed in values.items():
            self._log(device, person, name, typed, None)

    def edit_person(self, device: str, person: str, name: str) -> None:
        van = self.vans[device]
        typed = self.unique({"phone": "04", "birthplace": "Lieu", "usual_name": "Usage"}[name])
        with self.clock_of(device), van.store.session() as session:
            record = session.get(Beneficiary, person)
            if record is None or record.deleted:
                return
            seen = getattr(record, name)
            setattr(record, name, typed)
            session.add(van.store.stamp(record))
        self._log(device, person, name, typed, seen)

    def delete_person(self, device: str, person: str) -> None:
        """As the app allows it: the person's author, or the supervisor."""
        if device != "cms" and self.creators.get(person) != device:
            return
        van = self.vans[device]
        with self.clock_of(device), van.store.session() as session:
            record = session.get(Beneficiary, person)
            if record is None:
                return
            record.deleted = True
            session.add(van.store.stamp(record))
        self.deleted.add(person)

    def social_visit(self, person: str) -> None:
        with self.clock_of("social"):
            self.social_visits.add(record_consultation(self.vans["social"], person))

    def pmi_visit(self, person: str) -> None:
        with self.clock_of("nurse"):
            self.pmi_visits.add(record_pmi(self.vans["nurse"], person))

    def _log(self, device: str, record: str, name: str, typed: Any, seen: Any) -> None:
        self.edits.append(Edit(len(self.edits), device, record, name, typed, seen))

    # -- syncs, faults, deaths -----------------------------------------------------------

    def sync(self, device: str, *, faults: bool = True) -> Any:
        """One sync of the laptop, through the proxy, maybe meeting faults or its death."""
        van = self.vans[device]
        if faults:
            planned = ["pass"] * self.rng.randrange(4)
            self.proxy.fail_next(*planned, self.rng.choice((*FAULTS, "pass", "pass")))
        dies = faults and self.rng.random() < 0.12
        if dies:
            assert isinstance(van.client, KillableClient)
            van.client.arm(self.rng.randrange(1, 5), self.rng.random() < 0.5)
        try:
            return van.sync(
                batch_max=self.rng.choice((1, 2, 3, 50)), page_size=self.rng.choice((1, 2, 7, 500))
            )
        except SyncError:
            self.count("sync failed")
            return None
        except DeviceKilled:
            self.count("laptop killed")
            self.reopen(device)
            return None
        finally:
            self.proxy.plan.clear()
            if isinstance(van.client, KillableClient):
                van.client.die_at = None

    def reopen(self, device: str) -> None:
        """After a kill -9: what is on disk is all there is."""
        van = self.vans[device]
        van.store.close()
        van.store = LocalStore.open(van.data_dir, van.username, PASSWORD)

    def kill_server_during(self, device: str) -> None:
        """SIGKILL the server while the laptop syncs, then start it again."""
        worker = threading.Thread(target=lambda: self.sync(device, faults=False))
        worker.start()
        time.sleep(self.rng.uniform(0, 0.05))
        self.server.kill()
        worker.join(timeout=120)
        self.server.start()
        self.count("server killed")

    # -- backups and restores ------------------------------------------------------------

    def take_backup(self, scenario: int) -> None:
        path = self.tmp / f"backup-{scenario}"
        url = make_url(self.server.database_url)
        if url.get_backend_name() == "sqlite":
            assert url.database
            with sqlite3.connect(url.database) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
        else:
            subprocess.run(
                ["pg_dump", "-Fc", "-h", "127.0.0.1", "-U", "postgres", "-f", str(path),
                 str(url.database)],
                check=True,
            )  # fmt: skip
        self.backups = [*self.backups[-3:], Backup(path, scenario)]  # the last four nights
        self.count("backup")

    def restore_backup(self) -> None:
        """What the administrator does: stop, put a backup back (the last, or an older one,
        even one from before an earlier restore), maybe mark it, start."""
        chosen = self.backups[-1] if self.rng.random() < 0.7 else self.rng.choice(self.backups)
        self.server.kill()
        url = make_url(self.server.database_url)
        if url.get_backend_name() == "sqlite":
            assert url.database
            for suffix in ("", "-wal", "-shm"):
                Path(f"{url.database}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(chosen.path, url.database)
        else:
            admin = create_engine(
                url.set(database="test").render_as_string(hide_password=False),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            admin.dispose()
            subprocess.run(
                ["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", str(url.database),
                 str(chosen.path)],
                check=True,
            )  # fmt: skip
        if self.rng.random() < 0.5:
            self.server.admin("mark-restored")
            self.count("restore marked by the command")
        else:
            self.count("restore noticed by the server")
        self.restore_due = None
        self.server.start()

    # -- healing and the oracle ----------------------------------------------------------

    def heal(self, rounds: int = 5) -> None:
        """The network heals; every laptop syncs, in random orders, until all agree."""
        self.proxy.plan.clear()
        for _ in range(rounds):
            order = self.rng.sample(sorted(self.vans), len(self.vans))
            reports = [self.vans[name].sync() for name in order]
            if all(r.verified and r.pushed == 0 for r in reports):
                return  # a quiet round: nobody had anything more to tell
        raise AssertionError(
            f"no agreement after {rounds} rounds: {[r.mismatches for r in reports]}"
        )

    def server_records(self, table: str) -> dict[str, SyncRecord]:
        engine = create_engine(self.server.database_url)
        try:
            cms = self.vans["social"].store.user.cms_code
            with Session(engine) as session:
                rows = session.exec(
                    select(SyncRecord).where(
                        SyncRecord.table_name == table, SyncRecord.cms_code == cms
                    )
                ).all()
                return {row.id: row for row in rows}
        finally:
            engine.dispose()

    def check(self, scenario: int) -> None:
        where = f"scenario {scenario}"
        people = self.server_records("beneficiary")
        assert set(people) == self.people, f"{where}: a person lost or made twice"
        assert {p for p, r in people.items() if r.deleted} == self.deleted, f"{where}: tombstones"
        assert set(self.server_records("social_consultation")) == self.social_visits, where
        assert set(self.server_records("pmi_consultation")) == self.pmi_visits, where
        conflicts: dict[tuple[str, str], list[SyncRecord]] = {}
        for row in self.server_records("sync_conflict").values():
            conflicts.setdefault((row.fields["record_id"], row.fields["field"]), []).append(row)
        typed: dict[tuple[str, str], list[Edit]] = {}
        for edit in self.edits:
            typed.setdefault((edit.record, edit.field), []).append(edit)
        for (record, name), rows in conflicts.items():
            values = {e.value for e in typed.get((record, name), [])}
            for row in rows:
                kept, other = row.fields["kept_value"], row.fields["other_value"]
                assert kept != other and {kept, other} <= values, f"{where}: invented {row.fields}"
        for edit in self.edits:
            if edit.record in self.deleted:
                continue  # a tombstone wins whatever came before it
            final = people[edit.record].fields.get(edit.field)
            lost_conflict = any(
                row.fields["other_value"] == edit.value
                for row in conflicts.get((edit.record, edit.field), [])
            )
            seen_later = any(
                later.seq > edit.seq and later.seen == edit.value
                for later in typed[(edit.record, edit.field)]
            )
            if not (final == edit.value or lost_conflict or seen_later):
                print("\n".join(trace_of(self.trace, edit.record, edit.field)))
            assert final == edit.value or lost_conflict or seen_later, (
                f"{where}: {edit.device}'s {edit.field} {edit.value!r} silently lost "
                f"(server: {final!r}); typed: {typed[(edit.record, edit.field)]}; conflicts: "
                f"{[r.fields for r in conflicts.get((edit.record, edit.field), [])]}; "
                f"{self.events}"
            )
        for name, van in self.vans.items():
            with van.store.session() as session:
                local = {p.id: p for p in session.exec(select(Beneficiary)).all()}
                waiting = [  # a refusal the user sees is allowed: an edit of someone deleted
                    (e.record_table, e.changed_fields, e.rejected_reason, e.replay)
                    for e in session.exec(select(OutboxEntry)).all()
                    if not (e.rejected_code == "deleted" and e.record_id in self.deleted)
                ]
                assert waiting == [], f"{where}: {name} waits {waiting}"
                social = {c.id for c in session.exec(select(SocialConsultation)).all()}
                pmi = {c.id for c in session.exec(select(PmiConsultation)).all()}
            if set(local) != self.people:
                missing = self.people - set(local)
                with van.store.session() as session:
                    entries = [
                        (e.record_table, e.rejected_code, e.replay, e.change_id)
                        for e in session.exec(select(OutboxEntry)).all()
                        if e.record_id in missing
                    ]
                makers = {e.device for e in self.edits if e.record in missing and e.seen is None}
                raise AssertionError(
                    f"{where}: {name} lacks {missing} made on {makers}, entries {entries}, "
                    f"server versions {[people[p].version for p in missing]}"
                )
            for pid, row in people.items():
                mine = local[pid]
                assert mine.deleted == row.deleted, f"{where}: {name} tombstone of {pid}"
                if row.deleted:
                    continue  # a refused edit of someone deleted may stay on screen as typed
                for name_ in FIELDS:
                    assert getattr(mine, name_) == row.fields.get(name_), (
                        f"{where}: {name} holds {name_}={getattr(mine, name_)!r}, "
                        f"the server {row.fields.get(name_)!r}"
                    )
            assert social == self.social_visits, f"{where}: {name} social visits"
            if name == "nurse":
                assert pmi == self.pmi_visits, f"{where}: nurse's PMI visits"
            assert foreign_keys_hold(van), f"{where}: {name}'s foreign keys"


def play(world: World, scenario: int) -> None:
    """One scenario: a few things happen on the laptops, with syncs meeting faults."""
    rng = world.rng
    devices = sorted(world.vans)
    if world.restore_due is None and rng.random() < 0.08:
        world.take_backup(scenario)
        world.restore_due = scenario + rng.randint(1, 4)
    for _ in range(rng.randint(2, 7)):
        device = rng.choice(devices)
        known = world.live_people(device)
        action = rng.random()
        if action < 0.2 or not known:
            world.create_person(device)
        elif action < 0.62:
            person = rng.choice(known)
            for name in rng.sample(FIELDS, rng.randint(1, 2)):
                world.edit_person(device, person, name)
            if rng.random() < 0.35:  # the same person on another laptop, meanwhile
                other = rng.choice([d for d in devices if d != device])
                if person in world.live_people(other):
                    world.edit_person(other, person, rng.choice(FIELDS))
        elif action < 0.67 and device != "nurse":
            world.delete_person(device, rng.choice(known))
        elif action < 0.77:
            live = world.live_people("social")
            if live:
                world.social_visit(rng.choice(live))
        elif action < 0.83:
            live = world.live_people("nurse")
            if live:
                world.pmi_visit(rng.choice(live))
        elif action < 0.86:
            world.kill_server_during(device)
        else:
            world.sync(device)
    for device in rng.sample(devices, len(devices)):
        world.sync(device)
    if world.restore_due is not None and scenario >= world.restore_due:
        world.restore_backup()


def build_world(
    enrol: Callable[..., Van], server: SyncServer, tmp: Path, seed: int
) -> tuple[World, FaultyProxy]:
    proxy = FaultyProxy(server.port, delay_seconds=0.02)
    vans = {"social": enrol("amartin"), "nurse": enrol("bnguyen"), "cms": enrol("croux")}
    for van in vans.values():
        van.client.close()
    world = World(server, vans, proxy, random.Random(seed), tmp)
    for name, van in vans.items():
        van.client = KillableClient(proxy.url, van.client.token, name, world.trace)
    return world, proxy


def trace_of(trace: Iterable[Any], record_id: str, name: str) -> list[str]:
    """The requests and answers about one record's field, to read when a value was lost."""
    lines = []
    for who, _kind, path, body in trace:
        if not isinstance(body, dict):
            continue
        for change in body.get("changes") or []:
            if change.get("id") == record_id:
                shown = {k: v for k, v in change.items() if k not in ("fields", "origins")}
                lines.append(f"{who} sends {path} {shown} {name}={change['fields'].get(name)!r}")
        for result in body.get("results") or []:
            if any(c.get("fields", {}).get("record_id") == record_id for c in result.get(
                "conflicts") or []):  # fmt: skip
                lines.append(f"{who} is told of a conflict: {result}")
        for record in body.get("records") or []:
            fields = record.get("fields", {})
            if record.get("id") == record_id or fields.get("record_id") == record_id:
                lines.append(
                    f"{who} gets {path} v{record['version']} {name}={fields.get(name)!r} "
                    f"kept={fields.get('kept_value')!r} other={fields.get('other_value')!r}"
                )
    return lines
