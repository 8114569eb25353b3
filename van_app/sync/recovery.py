"""Sending back what a restored server lost, with the versions the values had then. No Qt.

When the server was restored from a backup (a new ``server_id`` and a floor, the newest
version the device still shares with it), or when verification finds the server behind on a
record, this device queues replays: for each record this user may send again, the fields
whose version here is above what the server kept, and that no local change is waiting on
(those leave as ordinary changes, with the base their author saw) unless the server may lack
the whole record: then every field goes, as this device holds it. A replay entry protects its
fields from pulls until it is answered, like any pending change, and is never widened by a
later edit. The entries, the rewound cursor and the new server id commit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.outbox import OutboxEntry
from van_app.core.sync_schema import POLICIES
from van_app.core.sync_state import FieldVersions
from van_app.sync.apply import FieldVersionBook, protected_fields
from van_app.sync.verify import may_replay
from van_app.sync.wire import MODELS, decode_fields, wire_fields

BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "author", "device", "deleted"})


def _seen_before_typing(session: Session, record_id: str, fields: set[str]) -> dict[str, Any]:
    """What the server held for fields typed here since: the oldest entry's seen values."""
    seen: dict[str, Any] = {}
    for entry in session.exec(
        select(OutboxEntry)
        .where(OutboxEntry.record_id == record_id, col(OutboxEntry.replay).is_(False))
        .order_by(col(OutboxEntry.seq).desc())
    ).all():
        seen.update({n: v for n, v in (entry.seen or {}).items() if n in fields})
    return seen


def differing_fields(
    session: Session, theirs: Mapping[tuple[str, str], dict[str, Any]]
) -> dict[tuple[str, str], set[str]]:
    """Per record the server holds: the fields whose value here differs from the server's.

    Nothing for a record the server holds as a tombstone: a tombstone is final (invariant 7), the
    values it carries no longer matter, and nothing sent back could change them.
    """
    differ: dict[tuple[str, str], set[str]] = {}
    for (table, record_id), item in theirs.items():
        record = session.get(MODELS[table], record_id)
        if record is None:
            continue
        if item.get("deleted"):
            differ[(table, record_id)] = set()
            continue
        values = decode_fields(table, item.get("fields") or {})
        differ[(table, record_id)] = {
            name
            for name, value in values.items()
            if name not in BOOKKEEPING and getattr(record, name) != value
        }
        if bool(item.get("deleted")) != record.deleted:
            differ[(table, record_id)].add("deleted")
    return differ


def queue_replays(
    session: Session,
    username: str,
    roles: Iterable[str],
    above: Mapping[tuple[str, str], int | None] | int,
    only: Mapping[tuple[str, str], set[str]] | None = None,
) -> set[tuple[str, str]]:
    """Queue replays of what the server lacks; the (table, id) of the records queued.

    ``above``: one floor for every record (after a restore), or per (table, id) the version the
    server holds (None: it lacks the record, every field goes back). ``only``: per record,
    the fields whose values differ from the server's (the others need not go back).
    """
    roles = tuple(roles)
    queued: set[tuple[str, str]] = set()
    for table, model in MODELS.items():
        if isinstance(above, int):
            exceptions = set(
                session.exec(
                    select(FieldVersions.record_id).where(FieldVersions.record_table == table)
                ).all()
            )
            records = session.exec(
                select(model).where(
                    (col(model.server_version) > above) | col(model.id).in_(sorted(exceptions))
                )
            ).all()
            floors = {record.id: above for record in records}
        else:
            wanted = {rid: v for (t, rid), v in above.items() if t == table}
            if not wanted:
                continue
            records = session.exec(select(model).where(col(model.id).in_(sorted(wanted)))).all()
            floors = {record.id: wanted[record.id] for record in records}
        records = [r for r in records if may_replay(table, r, username, roles)]
        if not records:
            continue
        book = FieldVersionBook(session, [r.id for r in records])
        protected = protected_fields(session, [r.id for r in records])
        names = [n for n in wire_fields()[table] if n not in BOOKKEEPING]
        conflicts = bool(POLICIES[table].get("server_written"))
        for record in records:
            floor = floors[record.id]
            busy = protected.get(record.id, set())
            lost = [
                name for name in names if floor is None or (book.version(record, name) or 0) > floor
            ]
            tombstone = record.deleted and (floor is None or (record.server_version or 0) > floor)
            if only is not None and (table, record.id) in only:
                differ = only[(table, record.id)]
                lost = [name for name in lost if name in differ]
                tombstone = tombstone and "deleted" in differ
            if conflicts and (lost or tombstone):
                lost = list(names)  # a conflict goes whole: the server checks what it is about
            whole = len(lost) == len(names)  # the server may lack the record altogether
            if not whole:  # typed values wait for their own changes
                lost = [name for name in lost if name not in busy]
            if not lost and not tombstone:
                continue
            entry = OutboxEntry(record_table=table, record_id=record.id, replay=True)
            entry.changed_fields = sorted(lost)
            if whole and busy:  # send what the server held, not what was typed since
                entry.seen = _seen_before_typing(session, record.id, busy)
            session.add(entry)
            queued.add((table, record.id))
    return queued
