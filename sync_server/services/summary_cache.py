"""Per-table summaries kept between syncs, so a verification costs what changed.

A table's summary for a user (count and checksum of the lines they may pull) changes only
when a record of that table in their CMS is written: every write takes a new version, the
newest of all, and records are never removed (tombstones), and setting one aside changes
how many are set aside. So ``(count, newest version, set aside)`` of the table in the CMS
(kept per CMS and moved by what was written since: ``FingerprintMemo``) tells whether a kept
summary still holds; only tables that changed are summed again. Kept in memory per server
process (each worker its own), keyed by the epoch, so a restore never meets a summary of
before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from sync_server.models import SyncRecord
from sync_server.services.kept import Kept

MAX_ENTRIES = 4096
Fingerprint = tuple[int, int, int]


def fingerprints(
    session: Session, cms_code: str, upto: int | None = None
) -> dict[str, Fingerprint]:
    """Per table of the CMS: (records, newest version, records set aside), counted whole
    (of the versions up to ``upto``, if given)."""
    query = (
        select(
            SyncRecord.table_name,
            func.count(),
            func.max(SyncRecord.version),
            func.count(col(SyncRecord.quarantined)),
        )
        .where(SyncRecord.cms_code == cms_code)
        .group_by(col(SyncRecord.table_name))
    )
    if upto is not None:
        query = query.where(SyncRecord.version <= upto)
    rows = session.exec(query).all()
    return {name: (int(count), int(newest or 0), int(aside)) for name, count, newest, aside in rows}


class FingerprintMemo:
    """A CMS's per-table fingerprints kept between requests, moved by what was written since.

    Counting them whole walks every record of the CMS at each summary. Kept per server process
    (each worker its own), and checked against the database at each request:
    - the CMS's newest version and record count, read from the ``(cms_code, version)`` index
      alone: unchanged, the kept counts and newest versions hold;
    - moved: the records written since the kept newest version (the same index) raise each
      table's count by the records that came (created, or moved there: ``created_version``)
      and its newest version. If that does not add up to the new count (a record left the
      CMS, or was written by code that does not say when it came), all is counted again;
    - the records set aside (setting aside changes no version) are counted at each request,
      from their partial index: they are few.
    Versions commit in order (every writer takes the version counter first), so what is read
    up to a version is all there will ever be up to it.
    """

    def __init__(self) -> None:
        # (where, CMS) → ((newest, count) of the CMS, table → (records, newest version))
        self._kept: Kept[tuple[tuple[int, int], dict[str, tuple[int, int]]]] = Kept(MAX_ENTRIES)

    def fingerprints(
        self, session: Session, where: tuple[Any, ...], cms_code: str
    ) -> dict[str, Fingerprint]:
        """``fingerprints(session, cms_code)``; ``where``: (database URL, epoch)."""
        newest, count = session.exec(
            select(func.max(SyncRecord.version), func.count()).where(
                SyncRecord.cms_code == cms_code
            )
        ).one()
        check = (int(newest or 0), int(count))
        key = (*where, cms_code)
        kept = self._kept.get(key)
        tables: dict[str, tuple[int, int]] | None = None
        if kept is not None and kept[0] == check:
            tables = kept[1]
        elif kept is not None and kept[0][0] < check[0]:
            tables = _moved(session, cms_code, kept, check)
        if tables is None:
            whole = fingerprints(session, cms_code, check[0])
            tables = {name: (records, top) for name, (records, top, _) in whole.items()}
            if sum(records for records, _ in tables.values()) != check[1]:
                return fingerprints(session, cms_code)  # written meanwhile: not kept
        self._kept.put(key, (check, tables))
        aside = dict(
            session.exec(
                select(SyncRecord.table_name, func.count())
                .where(SyncRecord.cms_code == cms_code, col(SyncRecord.quarantined).is_not(None))
                .group_by(col(SyncRecord.table_name))
            ).all()
        )
        return {
            name: (records, top, int(aside.get(name, 0))) for name, (records, top) in tables.items()
        }


def _moved(
    session: Session,
    cms_code: str,
    kept: tuple[tuple[int, int], dict[str, tuple[int, int]]],
    check: tuple[int, int],
) -> dict[str, tuple[int, int]] | None:
    """The kept counts moved by the versions written since; None if they do not add up."""
    (since, _), tables = kept
    created = case((col(SyncRecord.created_version) > since, 1), else_=0)
    unknown = case((col(SyncRecord.created_version).is_(None), 1), else_=0)
    rows = session.exec(
        select(
            SyncRecord.table_name,
            func.sum(created),
            func.sum(unknown),
            func.max(SyncRecord.version),
        )
        .where(
            SyncRecord.cms_code == cms_code,
            SyncRecord.version > since,
            SyncRecord.version <= check[0],
        )
        .group_by(col(SyncRecord.table_name))
    ).all()
    moved = dict(tables)
    for name, new, not_said, top in rows:
        if not_said:
            return None
        records, newest = moved.get(name, (0, 0))
        moved[name] = (records + int(new or 0), max(newest, int(top or 0)))
    if sum(records for records, _ in moved.values()) != check[1]:
        return None
    return moved


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
        self._kept: Kept[tuple[Fingerprint, dict[str, Any]]] = Kept(size)

    def get(self, key: tuple[Any, ...], fingerprint: Fingerprint) -> dict[str, Any] | None:
        found = self._kept.get(key)
        if found is None or found[0] != fingerprint:
            return None
        return dict(found[1])

    def put(self, key: tuple[Any, ...], fingerprint: Fingerprint, value: dict[str, Any]) -> None:
        self._kept.put(key, (fingerprint, dict(value)))


SUMMARIES = SummaryCache()
