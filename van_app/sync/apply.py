"""Records from the server into the local store, keeping what is typed here and not yet sent.

Used for pulled pages and for records fetched again by verification. A field with a local
change not yet accepted (pending, in flight, refused, or a replay waiting to leave) is never
overwritten: its value stays, and so does its version, the one its author saw (a pull never
makes a pending field look seen). Every other field takes the server's value, at the record's
new version. No Qt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from van_app.core.lifecycle import delete_purged, is_purged
from van_app.core.models import StaffAccount, SyncedRecord
from van_app.core.outbox import OutboxEntry
from van_app.core.sync_state import FieldVersions, load_field_versions
from van_app.sync.new_rows import BULK_TABLES, NewRows
from van_app.sync.wire import MODELS, decode_fields, new_local_record, wire_fields

log = logging.getLogger(__name__)


def _among(ids: Iterable[str]) -> Any:
    """``IN`` this set of ids, as one bound JSON array (``json_each``): one short statement,
    compiled once, whatever the number of ids (500 bound values cost more than the read)."""
    each = func.json_each(json.dumps(sorted(set(ids)))).table_valued("value")
    return select(each.c.value).scalar_subquery()


def protected_fields(session: Session, ids: Iterable[str]) -> dict[str, set[str]]:
    """Per record id: the fields with a local change the server has not accepted yet."""
    protected: dict[str, set[str]] = {}
    for record_id, fields in session.exec(
        select(OutboxEntry.record_id, OutboxEntry.changed_fields).where(
            col(OutboxEntry.record_id).in_(_among(ids))
        )
    ).all():
        protected.setdefault(record_id, set()).update(fields)
    return protected


def preload(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The records of (table, id) pairs in a few queries, held in a dict (the session's
    identity map holds unmodified objects only weakly). Which exist is asked first (ids
    only): most of a first pull is new, and building objects costs more than the probe."""
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        if table in MODELS:
            by_table.setdefault(table, []).append(record_id)
    found: dict[tuple[str, str], Any] = {}
    for table, ids in by_table.items():
        model = MODELS[table]
        held = session.exec(select(model.id).where(col(model.id).in_(_among(ids)))).all()
        for start in range(0, len(held), 500):
            for record in session.exec(
                select(model).where(col(model.id).in_(held[start : start + 500]))
            ).all():
                found[(table, record.id)] = record
    return found


class FieldVersionBook:
    """The per-field version exceptions of a batch of records, loaded once, saved once."""

    def __init__(self, session: Session, ids: Iterable[str]) -> None:
        self.session = session
        self.rows = load_field_versions(session, ids)
        self._touched: set[str] = set()

    def of(self, record_id: str) -> dict[str, int | None]:
        row = self.rows.get(record_id)
        return dict(row.versions) if row is not None else {}

    def version(self, record: SyncedRecord, name: str) -> int | None:
        """The server version of the value of ``name`` this device holds (what was seen)."""
        versions = self.of(record.id)
        return versions.get(name, record.server_version)

    def set(self, record: SyncedRecord, versions: dict[str, int | None]) -> None:
        """Keep only the fields whose version differs from the record's."""
        kept = {n: v for n, v in versions.items() if v != record.server_version}
        row = self.rows.get(record.id)
        if not kept:
            if row is not None:
                self.session.delete(row)
                del self.rows[record.id]
            return
        if row is None:
            row = FieldVersions(record_id=record.id, record_table=record.__tablename__)  # type: ignore[arg-type]
            self.rows[record.id] = row
        row.versions = kept
        self.session.add(row)

    def take_server_state(self, record: SyncedRecord, version: int, protected: set[str]) -> None:
        """The record now holds the server's state at ``version``, but for ``protected``."""
        versions = self.of(record.id)
        kept = {name: versions.get(name, record.server_version) for name in protected}
        record.server_version = version
        self.set(record, kept)

    def accepted(
        self,
        record: SyncedRecord,
        fields: Iterable[str],
        lost: Iterable[str],
        version: int,
        previous: int | None,
        *,
        replay: bool = False,
    ) -> None:
        """The server took our values of ``fields`` at ``version`` (and not ``lost``).

        When nobody else changed the record since what we held (``previous``), the whole
        record is the server's state at ``version``, but for the lost fields, which keep the
        version they had; otherwise only the taken fields are at ``version``. After a replay
        (a restore), a lost field is marked as never seen (verification fetches the server's
        value; an edit meanwhile cannot pass for informed).
        """
        versions = self.of(record.id)
        held = record.server_version
        if replay:
            for name in lost:
                versions[name] = 0
            if previous is None or version != previous:  # the replay wrote them
                for name in fields:
                    versions[name] = version
        elif held is None or (previous is not None and previous == held):
            for name in lost:
                versions.setdefault(name, held)
            record.server_version = max(version, held or 0)
            for name in fields:
                versions.pop(name, None)
        else:
            for name in fields:
                if held != version:
                    versions[name] = version
                else:
                    versions.pop(name, None)
        self.set(record, versions)


def apply_record(
    session: Session,
    book: FieldVersionBook,
    loaded: dict[tuple[str, str], Any],
    item: dict[str, Any],
    protected: set[str],
    *,
    force: bool = False,
) -> bool:
    """Store one record as the server sent it; False if it is older than what we hold.

    ``force``: verification found the server behind and nothing to send it back; its state
    is taken even at an older version (after a restore, what the device held was replaced).
    """
    table = item["table"]
    model = MODELS.get(table)
    if model is None:
        log.info("pulled a record of a table this app does not keep: %s", table)
        return False
    values = decode_fields(table, item.get("fields") or {})
    values["deleted"] = bool(item.get("deleted")) or values.get("deleted", False)
    version = int(item["version"])
    record = loaded.get((table, item["id"]))
    if record is None and table == "staff_account":
        # The account written at enrolment carries a local id: the server's replaces it.
        for local in session.exec(
            select(StaffAccount).where(StaffAccount.username == values.get("username"))
        ).all():
            session.delete(local)
        session.flush()
    if record is None:
        record = new_local_record(table, item["id"], values)
        record.server_version = version
        loaded[(table, item["id"])] = record
        session.add(record)
        return True
    if not force and record.server_version is not None and record.server_version > version:
        return False  # older than what we hold (the same version is applied again)
    for name, value in values.items():
        if name not in protected:
            setattr(record, name, value)
    if item.get("deleted"):
        record.deleted = True  # a tombstone is never undone by a local value
    book.take_server_state(record, version, protected & set(wire_fields()[table]))
    session.add(record)
    return True


def store_page(
    session: Session,
    records: list[dict[str, Any]],
    *,
    force: bool = False,
    digest_classes: frozenset[str] | None = None,
) -> int:
    """Apply server records in the caller's transaction; how many were taken.

    What exists here, what waits to leave and the fields' versions are read once for the
    page; records this device does not hold yet (most of a first pull) are written as rows
    with one ``executemany`` per table (``new_rows.py``), the others through their objects.
    """
    ids = [item["id"] for item in records]
    protected = protected_fields(session, ids)
    loaded = preload(session, [(item["table"], item["id"]) for item in records])
    # Only records held here are merged through the book (new ones have no exceptions).
    book = FieldVersionBook(session, [record_id for _, record_id in loaded])
    fresh = NewRows()
    taken = 0
    purged = [item for item in records if is_purged(item)]  # deleted here for good
    with session.no_autoflush:
        for item in records:
            if purged and is_purged(item):
                continue
            table, busy = item["table"], protected.get(item["id"], set())
            if table in BULK_TABLES and not busy and (table, item["id"]) not in loaded:
                values = decode_fields(table, item.get("fields") or {})
                values["deleted"] = bool(item.get("deleted")) or values.get("deleted", False)
                taken += fresh.add(table, item["id"], values, int(item["version"]), force)
            elif apply_record(session, book, loaded, item, busy, force=force):
                taken += 1
    fresh.write(session, digest_classes)
    if purged:
        session.flush()
        taken += delete_purged(session, purged, protected)
    return taken
