"""A CMS's per-table counts are kept between summaries and moved by what was written since:
whatever happens (records created, written again, set aside and released, a staff account
moving to another CMS, a record written by code that does not say which version created it),
the kept fingerprints are those counted whole, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select

from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.models import SyncRecord
from sync_server.services.summary_cache import FingerprintMemo, fingerprints

CMSS = ("CMS-DIE", "CMS-NYO")
TABLES = ("beneficiary", "social_consultation", "staff_account")


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_fingerprints_equal_counts_made_whole(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    memo = FingerprintMemo()
    where = (str(engine.url), "epoch-1")
    version = 0
    ids: list[tuple[str, str]] = []
    for step in range(60):
        with session_scope(engine, write=True) as session:
            for _ in range(rng.randint(1, 4)):
                action = rng.choice(["create", "create", "write", "aside", "release", "move",
                                     "unsaid"])  # fmt: skip
                version += 1
                if action in ("create", "unsaid") or not ids:
                    key = (rng.choice(TABLES), f"rec-{version}")
                    ids.append(key)
                    session.add(
                        SyncRecord(
                            table_name=key[0],
                            id=key[1],
                            cms_code=rng.choice(CMSS),
                            author="amartin",
                            device="dev",
                            version=version,
                            created_version=None if action == "unsaid" else version,
                        )
                    )
                    continue
                record = session.get(SyncRecord, rng.choice(ids))
                assert record is not None
                if action == "write":
                    record.version = version
                elif action == "aside":
                    record.quarantined = "Valeur illisible"
                elif action == "release":
                    record.quarantined = None
                elif action == "move":  # an account moved to the other CMS: in it from now
                    record.cms_code = CMSS[1 - CMSS.index(record.cms_code)]
                    record.version = record.created_version = version
                session.add(record)
        with session_scope(engine) as session:
            for cms in rng.sample(CMSS, rng.randint(1, 2)):
                expected = fingerprints(session, cms)
                assert memo.fingerprints(session, where, cms) == expected, (seed, step, cms)
                assert memo.fingerprints(session, where, cms) == expected  # kept as it is
    with session_scope(engine) as session:
        assert len(session.exec(select(SyncRecord)).all()) == len(ids)


def _person(n: int) -> SyncRecord:
    return SyncRecord(
        table_name="beneficiary",
        id=f"p{n}",
        cms_code="CMS-DIE",
        author="amartin",
        device="dev",
        version=n,
        created_version=n,
    )


def test_kept_counts_are_moved_on_indexes_not_a_walk_of_the_cms(tmp_path: Path) -> None:
    """After the first count, a summary's fingerprints read what was written since, on the
    (cms_code, version) index, and the records set aside, on their own partial index (the
    plans checked are SQLite's: PostgreSQL's depend on its statistics)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    migrate(engine)

    memo = FingerprintMemo()
    where = (str(engine.url), "epoch-1")
    with session_scope(engine, write=True) as session:
        for n in range(1, 30):
            session.add(_person(n))
    with session_scope(engine) as session:
        memo.fingerprints(session, where, "CMS-DIE")
    with session_scope(engine, write=True) as session:
        session.add(_person(30))
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "sync_record" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with session_scope(engine) as session:
            found = memo.fingerprints(session, where, "CMS-DIE")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert found["beneficiary"] == (30, 30, 0)
    assert len(statements) == 3  # the check, what was written since, the records set aside
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        for statement, parameters in statements:
            plan = " | ".join(
                row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "SCAN sync_record" not in plan, (statement, plan)
            assert "ix_sync_record_cms" in plan, (statement, plan)
    engine.dispose()
