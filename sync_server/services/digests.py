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

from sync_server.wire_schema import TableSpec, field_class

CLASSES = ("S", "C", "M")
DIGEST_CHARS = 16  # 64 bits per record: ample to tell two values apart


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, ASCII only (escapes keep any stored string encodable)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def class_digests(table: TableSpec, fields: Mapping[str, Any]) -> dict[str, str]:
    """{"S": hex, "C": hex, "M": hex}: SHA-256 of each class's fields (absent fields as null)."""
    groups: dict[str, dict[str, Any]] = {cls: {} for cls in CLASSES}
    for name in table.fields:
        if name == "id":
            continue
        groups.setdefault(field_class(table, name, fields), {})[name] = fields.get(name)
    return {cls: hashlib.sha256(canonical_json(groups[cls])).hexdigest() for cls in CLASSES}


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
