"""Records to and from the JSON of the sync protocol (docs/protocol.md), with no Qt.

Types follow the shipped wire schema: dates as YYYY-MM-DD, times as HH:MM:SS, datetimes as
ISO 8601 UTC with a "Z". Fields the user may not read arrive absent; a record first seen
that way is stored with neutral blanks in its unreadable required columns.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from typing import Any

from van_app.core.models import DOMAIN_TABLES, SyncedRecord
from van_app.core.sync_schema import export_schema

MODELS: dict[str, type[SyncedRecord]] = {m.__tablename__: m for m in DOMAIN_TABLES}  # type: ignore[misc]
PULL_ONLY = {"staff_account"}  # the server writes these; a device never pushes them


@lru_cache(maxsize=1)
def wire_fields() -> dict[str, dict[str, dict[str, Any]]]:
    """table → field → {"type", "class", "nullable"} for every synced field."""
    return {name: table["fields"] for name, table in export_schema()["tables"].items()}


def to_json(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if kind in ("date", "time"):
        return value.isoformat()
    if kind == "list":
        return list(value)
    return value


def from_json(kind: str, value: Any) -> Any:
    if value is None:
        return None
    convert = _FROM_JSON.get(kind)
    return value if convert is None else convert(value)


_BLANKS = {"str": "", "int": 0, "bool": False, "list": [], "date": dt.date(1900, 1, 1)}


def blank(kind: str, nullable: bool) -> Any:
    """What an unreadable required column holds on a device that may not read it."""
    if nullable:
        return None
    if kind == "list":
        return []
    if kind == "datetime":
        return dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    if kind == "time":
        return dt.time(0, 0)
    return _BLANKS[kind]


def record_fields(record: SyncedRecord, names: set[str] | None = None) -> dict[str, Any]:
    """The record's values as JSON, for every wire field or only ``names``."""
    fields = wire_fields()[record.__tablename__]  # type: ignore[index]
    chosen = fields if names is None else {n: fields[n] for n in names if n in fields}
    return {
        name: to_json(spec["type"], getattr(record, name))
        for name, spec in chosen.items()
        if name != "id"
    }


def _datetime_from_json(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# ``from_json`` per kind; kinds absent here pass as they are.
_FROM_JSON = {
    "datetime": _datetime_from_json,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
}


@cache
def _decoders(table: str) -> dict[str, Any]:
    """field → its converter from JSON (None: taken as it is), for ``table``'s wire fields."""
    return {
        name: _FROM_JSON.get(spec["type"])
        for name, spec in wire_fields()[table].items()
        if name != "id"
    }


def decode_fields(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values of ``table`` as Python values (as ``from_json``); unknown fields are
    dropped. Converters are looked up once per table: a first pull decodes every field."""
    decoders = _decoders(table)
    decoded: dict[str, Any] = {}
    for name, value in values.items():
        if name in decoders:
            convert = decoders[name]
            decoded[name] = value if value is None or convert is None else convert(value)
    return decoded


def new_local_record(table: str, record_id: str, values: dict[str, Any]) -> SyncedRecord:
    """A record first seen in a pull: given fields, blanks for the unreadable required ones."""
    model = MODELS[table]
    data = {
        name: blank(spec["type"], spec["nullable"])
        for name, spec in wire_fields()[table].items()
        if name != "id" and model.model_fields[name].is_required()
    }
    data.update(values)
    data["id"] = record_id
    return model(**data)
