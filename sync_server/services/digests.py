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
from hashlib import sha256
from typing import Any

from sync_server.services.canonical import piece, pieces
from sync_server.wire_schema import CONFLICT_TABLE, TableSpec, field_class

CLASSES = ("S", "C", "M")
DIGEST_CHARS = 16  # 64 bits per record: ample to tell two values apart


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, ASCII only (escapes keep any stored string encodable)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def class_digests(
    table: TableSpec, fields: Mapping[str, Any], parts: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{"S": hex, "C": hex, "M": hex}: SHA-256 of each class's fields (absent fields as null).

    Each class's object is joined from its fields' canonical JSON in sorted order (``parts``,
    when the caller has them already): the bytes ``canonical_json`` gives for it.
    """
    if parts is None:
        parts = pieces(fields)
    get = parts.get
    if table.name == CONFLICT_TABLE:
        return _conflict_digests(table, fields, parts)
    return {
        cls: sha256((template % tuple(map(get, names, nulls))).encode()).hexdigest()
        for cls, template, names, nulls in _layout(table)
    }


def _conflict_digests(
    table: TableSpec, fields: Mapping[str, Any], parts: Mapping[str, str]
) -> dict[str, str]:
    """A conflict's two values take the class of the conflicting field (``field_class``)."""
    groups: dict[str, list[str]] = {cls: [] for cls in CLASSES}
    for name in sorted(table.fields):
        if name == "id":
            continue
        group = groups.get(field_class(table, name, fields))
        if group is not None:  # a class no reader has: in no digest
            group.append(piece(name) + ":" + parts.get(name, "null"))
    return {
        cls: sha256(("{" + ",".join(groups[cls]) + "}").encode()).hexdigest() for cls in CLASSES
    }


_Layout = list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]
_LAYOUTS: dict[int, tuple[TableSpec, _Layout]] = {}


def _layout(table: TableSpec) -> _Layout:
    """Per class (S, C, M): the template '{"a":%s,"b":%s}' of its object, its fields' names
    in sorted order and as many "null"s (what an absent field is); kept per table."""
    found = _LAYOUTS.get(id(table))
    if found is None or found[0] is not table:
        layout = []
        for cls in CLASSES:
            names = tuple(
                name
                for name, spec in sorted(table.fields.items())
                if name != "id" and spec.cls == cls
            )
            keys = [piece(name).replace("%", "%%") + ":%s" for name in names]
            layout.append((cls, "{" + ",".join(keys) + "}", names, ("null",) * len(names)))
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
