"""The outbox: every local change to a synced record, queued in the same transaction.

A ``before_flush`` hook on every ORM session adds (or widens) one pending entry per changed
record, listing the fields changed since the last push. So a write and its outbox entry
commit together or not at all (DESIGN.md, sync invariant 3), whatever code did the write.
Sessions that apply changes pulled from the server set ``session.info[FROM_SERVER] = True``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, event, func, inspect
from sqlmodel import Field, Session, SQLModel, col, select

from van_app.core.models import SyncedRecord, UTCDateTime, utcnow

FROM_SERVER = "from_server"
_BOOKKEEPING = {"server_version"}


class OutboxEntry(SQLModel, table=True):
    """A record changed here and not yet accepted by the server."""

    __tablename__ = "outbox"

    seq: int | None = Field(default=None, primary_key=True)
    record_table: str = Field(max_length=64)
    record_id: str = Field(max_length=36, index=True)
    changed_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    queued_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rejected_reason: str | None = Field(default=None, max_length=1000)


def _changed_fields(record: SyncedRecord, is_new: bool) -> set[str]:
    columns = {c.name for c in record.__table__.columns}  # type: ignore[attr-defined]
    if is_new:
        return columns - _BOOKKEEPING
    state = inspect(record)
    return {name for name in columns - _BOOKKEEPING if state.attrs[name].history.has_changes()}


@event.listens_for(Session, "before_flush")
def _queue_changes(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get(FROM_SERVER):
        return
    for record, is_new in [(r, True) for r in session.new] + [(r, False) for r in session.dirty]:
        if not isinstance(record, SyncedRecord):
            continue
        fields = _changed_fields(record, is_new)
        if not fields:
            continue
        pending = (
            session.exec(
                select(OutboxEntry).where(
                    OutboxEntry.record_id == record.id, col(OutboxEntry.rejected_reason).is_(None)
                )
            ).first()
            if not is_new
            else None
        )
        if pending is None:
            session.add(
                OutboxEntry(
                    record_table=record.__tablename__,  # type: ignore[arg-type]
                    record_id=record.id,
                    changed_fields=sorted(fields),
                )
            )
        else:
            pending.changed_fields = sorted(set(pending.changed_fields) | fields)
            session.add(pending)


def pending_summary(session: Session) -> tuple[int, dt.datetime | None]:
    """How many changes wait to be sent, and since when (the oldest)."""
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxEntry.queued_at)).where(
            col(OutboxEntry.rejected_reason).is_(None)
        )
    ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return count, oldest
