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
from van_app.core.sync_state import FieldVersions
from van_app.sync.apply import FieldVersionBook, protected_fields
from van_app.sync.verify import may_replay
from van_app.sync.wire import MODELS, wire_fields

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


def queue_replays(
    session: Session,
    username: str,
    roles: Iterable[str],
    above: Mapping[tuple[str, str], int | None] | int,
) -> int:
    """Queue replays of what the server lacks; how many records.

    ``above``: one floor for every record (after a restore), or per (table, id) the version the
    server holds (None: it lacks the record, every field goes back).
    """
    roles = tuple(roles)
    queued = 0
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
        for record in records:
            floor = floors[record.id]
            busy = protected.get(record.id, set())
            lost = [
                name for name in names if floor is None or (book.version(record, name) or 0) > floor
            ]
            whole = len(lost) == len(names)  # the server may lack the record altogether
            if not whole:  # typed values wait for their own changes
                lost = [name for name in lost if name not in busy]
            tombstone = record.deleted and (floor is None or (record.server_version or 0) > floor)
            if not lost and not tombstone:
                continue
            session.add(
                OutboxEntry(
                    record_table=table,
                    record_id=record.id,
                    changed_fields=sorted(lost),
                    replay=True,
                )
            )
            queued += 1
    return queued
