"""Records as a pull sends them, encoded once: the JSON of each record is made while it is
checked, so a page goes out without pydantic validating and serialising it again.

A record's fields are those its reader may read (``authz.visible_fields``); a record whose
fields cannot be encoded (a lone surrogate, a NUL: ``quarantine.unservable``'s rules, the
same test on the same text) is not served but reported, to be set aside. The page's JSON has
the content ``PullOut`` would give (a test holds them equal).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync_server import authz
from sync_server.services.kept import Kept
from sync_server.wire_schema import CONFLICT_TABLE, TableSpec

# What ``json.dumps`` does to a string, without its per-call set-up (two per record served).
_quoted = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
SEEN_ENTRIES = 20_000  # a round of twenty vans' days is a few thousand records
_UNICODE = "caractère Unicode invalide"
_NUL = "caractère nul"


@dataclass
class Served:
    """What a page or fetch sends: the records (dicts), each one's JSON, and those set aside."""

    records: list[dict[str, Any]] = field(default_factory=list)
    encoded: list[bytes] = field(default_factory=list)
    bad: list[tuple[str, str, str]] = field(default_factory=list)


class Visible:
    """Which fields of each table a reader sees, worked out once per table (per request)."""

    def __init__(self, schema: Mapping[str, TableSpec], roles: Iterable[str]) -> None:
        self.schema = schema
        self.roles = list(roles)
        self.classes = authz.readable_classes(self.roles)
        self.key = tuple(sorted(set(self.roles)))  # what these roles see depends on them alone
        self._names: dict[str, frozenset[str]] = {}

    def fields(self, table_name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``authz.visible_fields`` (a conflict's two values take their field's class)."""
        table = self.schema[table_name]
        if table_name == CONFLICT_TABLE:
            return authz.visible_fields(table, self.roles, fields)
        names = self._names.get(table_name)
        if names is None:
            names = frozenset(
                name
                for name, spec in table.fields.items()
                if name != "id" and spec.cls in self.classes
            )
            self._names[table_name] = names
        return {name: value for name, value in fields.items() if name in names}


# (roles, table, stored JSON text) → (the fields those roles see, their encoded JSON)
SEEN: Kept[tuple[dict[str, Any], bytes]] = Kept(SEEN_ENTRIES)


def serve_stored(served: Served, visible: Visible,
                 rows: list[tuple[str, str, int, bool, str]]) -> None:  # fmt: skip
    """``serve`` of each (table, id, version, deleted, fields as stored in JSON text), for a
    reader of ``visible``; what was seen of the same text before is taken as it was."""
    keys = [(visible.key, table, stored) for table, _, _, _, stored in rows]
    for key, row, seen in zip(keys, rows, SEEN.get_many(keys), strict=True):
        table, record_id, version, deleted, stored = row
        if seen is None:
            fields = visible.fields(table, json.loads(stored))
            body = _encoded(served, table, record_id, fields)
            if body is None:
                continue
            seen = (fields, body)
            SEEN.put(key, seen)
        _append(served, table, record_id, version, deleted, *seen)


def serve(served: Served, table: str, record_id: str, version: int, deleted: bool,
          fields: dict[str, Any]) -> None:  # fmt: skip
    """Add one record (already filtered to what its reader sees), or report it unservable."""
    body = _encoded(served, table, record_id, fields)
    if body is not None:
        _append(served, table, record_id, version, deleted, fields, body)


def _encoded(served: Served, table: str, record_id: str, fields: dict[str, Any]) -> bytes | None:
    """The fields' JSON, or None with the record reported unservable."""
    try:
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        body = text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError):
        served.bad.append((table, record_id, _UNICODE))
        return None
    if "\\u0000" in text:
        served.bad.append((table, record_id, _NUL))
        return None
    return body


def _append(served: Served, table: str, record_id: str, version: int, deleted: bool,
            fields: dict[str, Any], body: bytes) -> None:  # fmt: skip
    head = (
        f'{{"table":{_quoted(table)},"id":{_quoted(record_id)},'
        f'"version":{int(version)},"deleted":{"true" if deleted else "false"},"fields":'
    )
    served.records.append(
        {"table": table, "id": record_id, "version": version, "deleted": deleted,
         "fields": fields}
    )  # fmt: skip
    served.encoded.append(b"".join((head.encode("ascii"), body, b"}")))


def page_json(encoded: list[bytes], next_: int, more: bool, max_version: int,
              server_id: str) -> bytes:  # fmt: skip
    """A ``PullOut`` as JSON, its records already encoded."""
    tail = (
        f'],"next":{int(next_)},"more":{"true" if more else "false"},'
        f'"server_max_version":{int(max_version)},"server_id":{json.dumps(server_id)}}}'
    )
    return b"".join((b'{"records":[', b",".join(encoded), tail.encode("ascii")))


def with_records(encoded: list[bytes], rest: bytes) -> bytes:
    """An answer's JSON object ``rest`` (without its records) with the encoded records put in
    front, as ``"records"``."""
    if not rest.startswith(b"{"):
        raise ValueError("a JSON object expected")
    inner = rest[1:]
    joint = b"" if inner.lstrip().startswith(b"}") else b","
    return b"".join((b'{"records":[', b",".join(encoded), b"]", joint, inner))
