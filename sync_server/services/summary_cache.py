"""Per-table summaries kept between syncs, so a verification costs what changed.

A table's summary for a user (count and checksum of the lines they may pull) changes only
when a record of that table in their CMS is written: every write takes a new version, the
newest of all, and records are never removed (tombstones), and setting one aside changes
how many are set aside. So ``(count, newest version, set aside)`` of the table in the CMS,
read with one grouped query, tells whether a kept summary still holds; only tables that
changed are summed again. Kept in memory per server process (each worker its own), keyed
by the epoch, so a restore never meets a summary of before it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from sync_server.models import SyncRecord

MAX_ENTRIES = 4096
Fingerprint = tuple[int, int, int]


def fingerprints(session: Session, cms_code: str) -> dict[str, Fingerprint]:
    """Per table of the CMS: (records, newest version, records set aside)."""
    rows = session.exec(
        select(
            SyncRecord.table_name,
            func.count(),
            func.max(SyncRecord.version),
            func.count(col(SyncRecord.quarantined)),
        )
        .where(SyncRecord.cms_code == cms_code)
        .group_by(col(SyncRecord.table_name))
    ).all()
    return {name: (int(count), int(newest or 0), int(aside)) for name, count, newest, aside in rows}


def exclusion_key(exclude: Iterable[str]) -> str:
    """One short key for the set of records a device leaves out (usually none)."""
    digest = hashlib.sha256()
    for record_id in sorted(set(exclude)):
        digest.update(record_id.encode("utf-8", "replace") + b"\n")
    return digest.hexdigest()


class SummaryCache:
    """(epoch, CMS, table, reader, exclusions) → (fingerprint, {"count", "checksum"})."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[Fingerprint, dict[str, Any]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], fingerprint: Fingerprint) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != fingerprint:
                return None
            self._entries.move_to_end(key)
            return dict(found[1])

    def put(self, key: tuple[Any, ...], fingerprint: Fingerprint, value: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = (fingerprint, dict(value))
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


SUMMARIES = SummaryCache()
