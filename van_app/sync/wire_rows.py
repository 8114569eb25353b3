"""Stored rows to wire JSON without building model objects: the push's hot path. No Qt.

A push batch reads its records as plain rows (one query per table) and turns them into the
protocol's JSON with one converter per column, chosen once per table. The values are the
ones ``wire.record_fields`` gives for the same record (a test compares them field by field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from van_app.sync.wire import MODELS, to_json, wire_fields

CHUNK = 500
Converter = Callable[[Any], Any]


def _datetime(value: Any) -> Any:
    if value is None:
        return None
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    if value.year < 1000:  # isoformat pads the year where strftime does not
        return to_json("datetime", value)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _list(value: Any) -> Any:
    return None if value is None else list(value)


def _same(value: Any) -> Any:
    return value


# ``wire.to_json`` per kind (None stays None); kinds absent here pass as they are.
JSON_OF_KIND: dict[str, Converter] = {
    "datetime": _datetime,
    "date": _iso,
    "time": _iso,
    "list": _list,
}


@cache
def converters(table: str) -> tuple[tuple[str, int, Converter], ...]:
    """(field, column position, converter) for every wire field of ``table`` but the id."""
    positions = {c.name: i for i, c in enumerate(MODELS[table].__table__.columns)}  # type: ignore[attr-defined]
    return tuple(
        (name, positions[name], JSON_OF_KIND.get(spec["type"], _same))
        for name, spec in wire_fields()[table].items()
        if name != "id"
    )


def row_fields(table: str, row: Any, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The wire values of a row read by ``load_rows`` (every column, in table order), all or
    ``names``."""
    chosen = converters(table)
    if names is not None:
        wanted = set(names)
        chosen = tuple(item for item in chosen if item[0] in wanted)
    return {name: convert(row[position]) for name, position, convert in chosen}


def load_rows(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """(table, id) → the stored row, a few queries per table, no model objects."""
    by_table: dict[str, set[str]] = {}
    for table, record_id in keys:
        if table in MODELS:
            by_table.setdefault(table, set()).add(record_id)
    found: dict[tuple[str, str], Any] = {}
    connection = session.connection()
    for table, ids in by_table.items():
        model = MODELS[table]
        columns = model.__table__  # type: ignore[attr-defined]
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            for row in connection.execute(
                select(columns).where(col(columns.c.id).in_(ordered[start : start + CHUNK]))
            ):
                found[(table, row.id)] = row
    return found
