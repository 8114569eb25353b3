"""The laptop keeps each table's additive checksum with its verification lines: whatever
happens to the rows between two verifications (pulled, accepted, edited here, deleted,
tombstoned, purged, verified by a colleague of other classes), the kept summary is the one
made from scratch, and a verification digests and reads only what changed."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from van_app.core.db import add_in_dependency_order, session_scope
from van_app.core.demo import build_demo_records
from van_app.core.digest_lines import DigestDue
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.sync.verify import Verifier
from van_app.sync.wire import MODELS

READERS = {
    "amartin": ["social_worker"],
    "bnguyen": ["pmi_nurse"],
    "croux": ["supervisor"],
}


def from_scratch(store: LocalStore, verifier: Verifier, exclude: set[str]) -> dict[str, Any]:
    """The protocol's summary of every row as it stands, no kept line trusted."""
    with session_scope(store.engine) as session:
        session.connection().exec_driver_sql("DELETE FROM sync_digest_line")
        made = verifier.summary(verifier.lines(session, verifier.tables(), exclude), "sum")
        session.rollback()
    return made


def _sql(store: LocalStore, statement: str, *params: Any) -> None:
    with session_scope(store.engine) as session:
        session.connection().exec_driver_sql(statement, params)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_summaries_equal_summaries_made_from_scratch(
    social_store: LocalStore, seed: int
) -> None:
    rng = random.Random(seed)
    records = build_demo_records(reference(), dt.date(2026, 11, 19), social_store.device_id)
    with session_scope(social_store.engine) as session:
        add_in_dependency_order(session, records)
    for number, model in enumerate(MODELS.values()):
        _sql(social_store, f"UPDATE {model.__tablename__} SET server_version = {number} + rowid")
    ids = {(table, r.id) for r in records for table, m in MODELS.items() if isinstance(r, m)}
    keys = sorted(ids)
    exclude: set[str] = set()
    verifiers = {name: Verifier(name, roles) for name, roles in READERS.items()}
    for round_ in range(12):
        for _ in range(rng.randint(1, 6)):
            table, record_id = rng.choice(keys)
            action = rng.choice(
                ["server", "server", "local", "accept", "delete", "tombstone", "forget"]
            )
            if action == "server":  # a pull: new values, a new version
                _sql(
                    social_store,
                    f"UPDATE {table} SET server_version = server_version + 1000, "
                    "updated_at = ? WHERE id = ? AND server_version IS NOT NULL",
                    f"2026-12-0{rng.randint(1, 9)} 10:00:00",
                    record_id,
                )
            elif action == "local":  # typed here: its change waits in the outbox
                _sql(social_store, f"UPDATE {table} SET updated_at = ? WHERE id = ?",
                     "2026-12-06 09:00:00", record_id)  # fmt: skip
                exclude.add(record_id)
            elif action == "accept" and exclude:  # the server accepted a change
                accepted = rng.choice(sorted(exclude))
                exclude.discard(accepted)
                for name in MODELS:
                    _sql(
                        social_store,
                        f"UPDATE {name} SET server_version = server_version + 2000 "
                        "WHERE id = ? AND server_version IS NOT NULL",
                        accepted,
                    )
            elif action == "delete":  # purged for good, when nothing points at it
                with contextlib.suppress(IntegrityError):
                    _sql(social_store, f"DELETE FROM {table} WHERE id = ?", record_id)
            elif action == "tombstone":  # a local tombstone the verification does not count
                _sql(social_store, f"UPDATE {table} SET server_version = NULL WHERE id = ?",
                     record_id)  # fmt: skip
            elif action == "forget":  # a table that differed: made again from the rows
                verifier = verifiers[rng.choice(sorted(verifiers))]
                with session_scope(social_store.engine) as session:
                    verifier.forget_totals(session, [table])
        for name in rng.sample(sorted(verifiers), rng.randint(1, 3)):
            verifier = verifiers[name]
            expected = from_scratch(social_store, verifier, exclude)
            with session_scope(social_store.engine) as session:
                kept = verifier.summaries(session, verifier.tables(), exclude, "sum")
            assert kept == expected, (seed, round_, name)
            with session_scope(social_store.engine) as session:
                due = {
                    row.record_id
                    for row in session.exec(
                        DigestDue.__table__.select().where(  # type: ignore[attr-defined]
                            DigestDue.classes == verifier.class_key
                        )
                    ).all()
                    # Classes are shared (a supervisor reads S and C too): the tables
                    # this reader verified.
                    if row.record_table in verifier.tables()
                    and (row.record_table != "supervisor_review" or name == "croux")
                }
            assert due <= exclude, "after a verification only left-out records wait"


def test_a_verification_digests_only_what_changed_and_scans_no_table(
    social_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost follows the changes: after one verification, the next digests exactly the
    records written since, and no statement it runs walks a table of records."""
    records = build_demo_records(reference(), dt.date(2026, 11, 19), social_store.device_id)
    with session_scope(social_store.engine) as session:
        add_in_dependency_order(session, records)
    for number, model in enumerate(MODELS.values()):
        _sql(social_store, f"UPDATE {model.__tablename__} SET server_version = {number} + rowid")
    verifier = Verifier("amartin", READERS["amartin"])
    with session_scope(social_store.engine) as session:
        verifier.summaries(session, verifier.tables(), set(), "sum")
    people = [r.id for r in records if isinstance(r, MODELS["beneficiary"])][:3]
    for person in people:
        _sql(social_store, "UPDATE beneficiary SET server_version = server_version + 1000 "
             "WHERE id = ?", person)  # fmt: skip

    digested: list[str] = []
    real = Verifier._digested

    def counted(self: Verifier, session: Any, table: str, wanted: list[str]) -> Any:
        digested.extend(wanted)
        return real(self, session, table, wanted)

    monkeypatch.setattr(Verifier, "_digested", counted)
    statements: list[str] = []
    with session_scope(social_store.engine) as session:
        raw = session.connection().connection.dbapi_connection
        raw.set_trace_callback(statements.append)
        try:
            found = verifier.summaries(session, verifier.tables(), {people[0]}, "sum")
        finally:
            raw.set_trace_callback(None)
        assert sorted(digested) == sorted(people[1:])  # the left-out one waits
        plans = []
        for statement in statements:
            if statement.lstrip().upper().startswith(("SELECT", "INSERT", "DELETE", "UPDATE")):
                plans += [
                    (statement, row[-1])
                    for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
                ]
    assert (
        found["beneficiary"]["count"]
        == sum(isinstance(r, MODELS["beneficiary"]) for r in records) - 1
    )
    # Record tables and the kept lines. A professional's own reviews are chosen by one join
    # over the reviews held (a few per consultation she wrote), in SQLite: that one only.
    walked = {"t", "sync_digest_line", *MODELS}
    scans = [
        (s, p)
        for s, p in plans
        if p.startswith("SCAN") and p.split()[1] in walked
        and not (s.startswith("SELECT t.id || ") and "consultation_kind" in s)
    ]  # fmt: skip
    assert plans and not scans, scans
