"""Value digests of local records, as docs/protocol.md ("Verification") defines them.

The server keeps the same digests (its own code: neither package imports the other); a
contract test checks both agree. A digest covers every field of the classes the user reads,
``deleted`` included, so a checked sync means the values agree, not only the versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from van_app.core.confidentiality import readable_classes
from van_app.core.models import SyncedRecord
from van_app.sync.wire import record_fields, wire_fields

CLASSES = ("S", "C", "M")
DIGEST_CHARS = 16
CONFLICT_TABLE = "sync_conflict"
CONFLICT_VALUE_FIELDS = frozenset({"kept_value", "other_value"})


# One encoder for every call (json.dumps with options builds a new one each time).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


def canonical_json(value: Any) -> bytes:
    return _CANONICAL(value).encode()


def user_classes(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(cls.value for cls in readable_classes(roles))


def record_digest(record: SyncedRecord, classes: frozenset[str]) -> str:
    """The digest of the values of ``record`` a user reading ``classes`` holds."""
    return fields_digest(record.__tablename__, record_fields(record), classes)  # type: ignore[attr-defined]


@cache
def _class_of_fields(table: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, spec["class"]) for name, spec in wire_fields()[table].items() if name != "id"
    )


def fields_digest(table: str, values: dict[str, Any], classes: frozenset[str]) -> str:
    """The digest of a record of ``table`` whose wire values (every field) are ``values``."""
    groups: dict[str, dict[str, Any]] = {cls: {} for cls in CLASSES}
    for name, cls in _class_of_fields(table):
        if table == CONFLICT_TABLE and name in CONFLICT_VALUE_FIELDS:
            cls = str(values.get("value_class") or "M")
        groups.setdefault(cls, {})[name] = values.get(name)
    joined = ":".join(
        hashlib.sha256(canonical_json(groups[cls])).hexdigest() for cls in CLASSES if cls in classes
    )
    return hashlib.sha256(joined.encode("ascii")).hexdigest()[:DIGEST_CHARS]


def checksum(lines: Iterable[str]) -> str:
    """Hex SHA-256 of the sorted lines, joined (one hash call, not one per line)."""
    return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()
