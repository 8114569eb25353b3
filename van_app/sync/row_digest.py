"""Verification digests of pulled rows held as dicts: ``digests.record_digest``, made cheap.

A first pull digests every record it writes (``new_rows.py``); building an object per row,
every field through ``to_json`` and a fresh JSON encoder per class cost more than the insert
itself. The definition is the same (docs/protocol.md, "Verification"): per readable class,
the SHA-256 of the canonical JSON of that class's wire values, joined, hashed again, cut; a
test holds both to the same result. Conflict rows, whose value class varies, go through
``record_digest`` itself. No Qt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace
from typing import Any

from van_app.sync.digests import CLASSES, CONFLICT_TABLE, DIGEST_CHARS, record_digest
from van_app.sync.wire import wire_fields
from van_app.sync.wire_rows import JSON_OF_KIND

# What ``canonical_json`` does, with one encoder instead of one per call.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode

Converter = Callable[[Any], Any] | None


@cache
def _groups(table: str) -> tuple[tuple[str, tuple[tuple[str, Converter], ...]], ...]:
    """Per class (in ``CLASSES`` order), its wire fields and their JSON converters."""
    by_class: dict[str, list[tuple[str, Converter]]] = {}
    for name, spec in wire_fields()[table].items():
        if name != "id":
            by_class.setdefault(spec["class"], []).append((name, JSON_OF_KIND.get(spec["type"])))
    return tuple((cls, tuple(by_class.get(cls, ()))) for cls in CLASSES)


def row_digest(table: str, row: dict[str, Any], classes: frozenset[str]) -> str:
    """``record_digest`` of the record whose column values are ``row``."""
    if table == CONFLICT_TABLE:
        return record_digest(SimpleNamespace(**row, __tablename__=table), classes)  # type: ignore[arg-type]
    parts = []
    for cls, fields in _groups(table):
        if cls not in classes:
            continue
        values = {}
        for name, convert in fields:
            value = row.get(name)
            values[name] = value if value is None or convert is None else convert(value)
        parts.append(hashlib.sha256(_ENCODE(values).encode()).hexdigest())
    return hashlib.sha256(":".join(parts).encode("ascii")).hexdigest()[:DIGEST_CHARS]
