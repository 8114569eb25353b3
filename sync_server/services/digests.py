"""Value digests of records: what verification compares, so "synchronisé" means values agree.

A record's digest for a user covers every field the user may read (``deleted`` included), in
the canonical JSON of docs/protocol.md ("Verification"). It is kept per confidentiality class
(``SyncRecord.digests``), computed when the record is written, so a summary never re-reads the
fields; the user's digest joins the digests of the classes they read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sync_server.services.canonical import piece
from sync_server.wire_schema import CONFLICT_TABLE, CONFLICT_VALUE_FIELDS, TableSpec, field_class

CLASSES = ("S", "C", "M")
DIGEST_CHARS = 16  # 64 bits per record: ample to tell two values apart


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, ASCII only (escapes keep any stored string encodable)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def class_digests(
    table: TableSpec, fields: Mapping[str, Any], parts: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{"S": hex, "C": hex, "M": hex}: SHA-256 of each class's fields (absent fields as null).

    One pass over the table's fields in sorted order, each value's canonical JSON (``parts``,
    when the caller has them already) joined per class: the bytes ``canonical_json`` gives
    for each class's object.
    """
    groups: dict[str, list[str]] = {cls: [] for cls in CLASSES}
    dynamic = table.name == CONFLICT_TABLE
    for name, key, cls in _layout(table):
        if dynamic and name in CONFLICT_VALUE_FIELDS:
            cls = field_class(table, name, fields)
        group = groups.get(cls)
        if group is None:  # a class no reader has: in no digest
            continue
        part = parts.get(name) if parts is not None else None
        if part is None:
            value = fields.get(name)
            part = "null" if value is None else piece(value)
        group.append(key + part)
    return {
        cls: hashlib.sha256(("{" + ",".join(groups[cls]) + "}").encode()).hexdigest()
        for cls in CLASSES
    }


_LAYOUTS: dict[int, tuple[TableSpec, list[tuple[str, str, str]]]] = {}


def _layout(table: TableSpec) -> list[tuple[str, str, str]]:
    """(name, '"name":', class) of the table's digested fields, in sorted order."""
    found = _LAYOUTS.get(id(table))
    if found is None or found[0] is not table:
        layout = [
            (name, piece(name) + ":", spec.cls)
            for name, spec in sorted(table.fields.items())
            if name != "id"
        ]
        found = _LAYOUTS[id(table)] = (table, layout)
    return found[1]


def user_digest(digests: Mapping[str, str], classes: Iterable[str]) -> str:
    """The digest a user with these readable classes compares (first 16 hex characters)."""
    readable = set(classes)
    joined = ":".join(digests[cls] for cls in CLASSES if cls in readable)
    return hashlib.sha256(joined.encode("ascii")).hexdigest()[:DIGEST_CHARS]


def backfill_digests(session: Any, schema: Mapping[str, TableSpec], batch: int = 1000) -> int:
    """Compute the digests of records written before they existed; how many were filled."""
    from sqlmodel import col, select

    from sync_server.models import SyncRecord

    filled = 0
    while True:
        rows = session.exec(
            select(SyncRecord)
            .where(col(SyncRecord.digests).is_(None))
            .where(col(SyncRecord.table_name).in_(sorted(schema)))
            .limit(batch)
        ).all()
        if not rows:
            return filled
        for row in rows:
            row.digests = class_digests(schema[row.table_name], row.fields)
            session.add(row)
        session.flush()
        filled += len(rows)
