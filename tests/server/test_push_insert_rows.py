"""A push's rows go to SQLite through the driver: stored exactly as SQLAlchemy's insert
stores them (same bind processors: JSON as written, datetimes, booleans, nulls)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.models import AppliedChange, SyncRecord
from sync_server.services.json_text import Encoded
from sync_server.services.push_batch import insert_rows


def record_row(key: str, version: int) -> dict[str, Any]:
    moment = dt.datetime(2026, 12, 6, 14, 12, 56, 207454, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    return {
        "table_name": "beneficiary", "id": key, "cms_code": "CMS", "author": "a", "device": "d",
        "version": version, "deleted": version % 2 == 0,
        "fields": {"note": "é\u0000\ud800", "n": None, "x": [1.5, float("nan")], "b": True},
        "field_versions": Encoded('{"note":3}'), "field_stamps": {}, "digests": None,
        "echo_device": None, "echo_version": version, "quarantined": None,
        "created_at": moment, "updated_at": dt.datetime.now(dt.UTC),
    }  # fmt: skip


def applied_row(key: str, version: int) -> dict[str, Any]:
    return {
        "change_id": key, "device_id": "d", "username": "u", "table_name": "t", "record_id": "r",
        "result": {"status": "applied", "reason": None, "lost_fields": []}, "version": version,
        "applied_at": dt.datetime.now(dt.UTC),
    }  # fmt: skip


def stored(path: Path, table: str, key: str, column: str) -> list[Any]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(f"SELECT * FROM {table} WHERE {column} = ?", (key,)).fetchone()
        names = list(row.keys())  # a Row iterates over its values
        kinds = connection.execute(
            f"SELECT {', '.join(f'typeof({name})' for name in names)} FROM {table} "
            f"WHERE {column} = ?",
            (key,),
        ).fetchone()
        return [(name, row[name], kind) for name, kind in zip(names, kinds, strict=True)]


def test_rows_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    path = tmp_path / "cms.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with session_scope(engine, write=True) as session:
        session.execute(insert(SyncRecord.__table__), [record_row("a", 1), record_row("b", 2)])
        insert_rows(session, SyncRecord.__table__, [record_row("c", 3), record_row("d", 4)])
        session.execute(insert(AppliedChange.__table__), [applied_row("a", 1)])
        insert_rows(session, AppliedChange.__table__, [applied_row("c", 3)])
    engine.dispose()
    for theirs, ours in (("a", "c"), ("b", "d")):
        left = stored(path, "sync_record", theirs, "id")
        right = stored(path, "sync_record", ours, "id")
        skip = {"id", "version", "echo_version", "updated_at"}
        assert [c for c in left if c[0] not in skip] == [c for c in right if c[0] not in skip]
        assert [c[2] for c in left] == [c[2] for c in right]  # the same storage classes
    left = stored(path, "applied_change", "a", "change_id")
    right = stored(path, "applied_change", "c", "change_id")
    skip = {"change_id", "version", "applied_at"}
    assert [c for c in left if c[0] not in skip] == [c for c in right if c[0] not in skip]
    assert [c[2] for c in left] == [c[2] for c in right]
    assert len(right[-1][1]) == len(left[-1][1])  # applied_at: the same text form
