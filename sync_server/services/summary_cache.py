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


class FingerprintMemo:
    """The grouped count of a CMS kept between requests, on SQLite only.

    Reading it walks every record of the CMS. While no record of the CMS was written (its
    newest version and its count, read from the ``(cms_code, version)`` index alone, are
    the same) and none was set aside, the tables' counts and newest versions are what they
    were. Setting aside changes no version: it happens in ``pull.py`` (``set_aside`` then
    ``forget``), and on SQLite in this one process (the server runs one; other writers, the
    purge and the repair, give new versions). ``generation`` is read before a request's
    snapshot and raised after a set-aside commits, so a count read before it is not kept.
    On PostgreSQL (several workers) the grouped count is read each time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._kept: dict[tuple[Any, ...], tuple[int, tuple[int, int], dict[str, Fingerprint]]] = {}

    def generation(self) -> int:
        with self._lock:
            return self._generation

    def forget(self) -> None:
        """After records were set aside (committed)."""
        with self._lock:
            self._generation += 1
            self._kept.clear()

    def fingerprints(
        self, session: Session, where: tuple[Any, ...], cms_code: str, generation: int
    ) -> dict[str, Fingerprint]:
        """``fingerprints(session, cms_code)``; ``where``: (database URL, epoch)."""
        if session.get_bind().dialect.name != "sqlite":
            return fingerprints(session, cms_code)
        newest, count = session.exec(
            select(func.max(SyncRecord.version), func.count()).where(
                SyncRecord.cms_code == cms_code
            )
        ).one()
        check = (int(newest or 0), int(count))
        key = (*where, cms_code)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == generation == self._generation and kept[1] == check:
                return dict(kept[2])
        found = fingerprints(session, cms_code)
        with self._lock:
            if generation == self._generation:
                self._kept[key] = (generation, check, dict(found))
                while len(self._kept) > MAX_ENTRIES:
                    self._kept.pop(next(iter(self._kept)))
        return found


FINGERPRINTS = FingerprintMemo()


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
