"""The outbox: every local change to a synced record, queued in the same transaction.

A ``before_flush`` hook on every ORM session adds (or widens) one pending entry per changed
record, listing the fields changed since the last push. So a write and its outbox entry
commit together or not at all (DESIGN.md, sync invariant 3), whatever code did the write.
Sessions that apply changes pulled from the server set ``session.info[FROM_SERVER] = True``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, event, func, inspect, text
from sqlmodel import Field, Session, SQLModel, col, select

from van_app.core.models import SyncedRecord, UTCDateTime, utcnow
from van_app.core.wire_values import to_wire

FROM_SERVER = "from_server"
_BOOKKEEPING = {"server_version"}


class OutboxEntry(SQLModel, table=True):
    """A record changed here and not yet accepted by the server."""

    __tablename__ = "outbox"
    # What a push reads, oldest first: entries still to leave, replays apart (migration 0010;
    # without it each batch scanned the whole outbox, quadratic in a long day offline).
    __table_args__ = (
        Index("ix_outbox_leaving", "replay", "seq", sqlite_where=text("rejected_reason IS NULL")),
    )

    seq: int | None = Field(default=None, primary_key=True)
    record_table: str = Field(max_length=64)
    record_id: str = Field(max_length=36, index=True)
    changed_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    queued_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rejected_reason: str | None = Field(default=None, max_length=1000)
    rejected_code: str | None = Field(default=None, max_length=32)
    # Set once, when the entry first leaves in a push: every retry reuses it, so the server
    # applies the change exactly once. An entry in flight is never widened: later changes to
    # the record queue a new entry, which a replay of the first cannot swallow.
    change_id: str | None = Field(default=None, max_length=36)
    # Values the server held before it was restored from a backup, sent back with the version
    # they had then (van_app/sync/recovery.py). Never widened by a local edit.
    replay: bool = False
    # Per changed field, the value its author saw before changing it (wire JSON): the server
    # takes the change without a conflict when that is still its value. For a replay: the
    # values to send for fields typed here since (what the server held, not what was typed).
    seen: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def _changed_fields(record: SyncedRecord, is_new: bool) -> tuple[set[str], dict[str, Any]]:
    """The fields changed in this flush, and the values they had before (when loaded)."""
    columns = {c.name for c in record.__table__.columns}  # type: ignore[attr-defined]
    if is_new:
        return columns - _BOOKKEEPING, {}
    state = inspect(record)
    changed: set[str] = set()
    before: dict[str, Any] = {}
    for name in columns - _BOOKKEEPING:
        history = state.attrs[name].history
        if history.has_changes():
            changed.add(name)
            if history.deleted:
                before[name] = to_wire(history.deleted[0])
    return changed, before


@event.listens_for(Session, "before_flush")
def _queue_changes(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get(FROM_SERVER):
        return
    for record, is_new in [(r, True) for r in session.new] + [(r, False) for r in session.dirty]:
        if not isinstance(record, SyncedRecord):
            continue
        fields, before = _changed_fields(record, is_new)
        if not fields:
            continue
        pending = (
            session.exec(
                select(OutboxEntry).where(
                    OutboxEntry.record_id == record.id,
                    col(OutboxEntry.rejected_reason).is_(None),
                    col(OutboxEntry.change_id).is_(None),
                    col(OutboxEntry.replay).is_(False),
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
                    seen=before,
                )
            )
        else:  # what was seen is what stood before the first of these edits
            first_seen = {n: v for n, v in before.items() if n not in pending.changed_fields}
            pending.seen = {**first_seen, **(pending.seen or {})}
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


def rejected_count(session: Session) -> int:
    """How many changes the server refused (kept here, shown to their author)."""
    return session.exec(
        select(func.count()).where(col(OutboxEntry.rejected_reason).is_not(None))
    ).one()


TABLE_LABELS = {
    "beneficiary": "Fiche de la personne",
    "household_link": "Lien familial",
    "social_consultation": "Consultation sociale",
    "social_orientation": "Orientation",
    "social_addendum": "Complément de consultation sociale",
    "pmi_consultation": "Consultation de PMI",
    "pmi_addendum": "Complément de consultation de PMI",
    "follow_up": "Suivi",
    "satisfaction_answer": "Avis d'usager",
    "supervisor_review": "Relecture",
    "tour_stop": "Arrêt de la tournée",
    "tour_pattern": "Arrêt régulier de la tournée",
    "sync_conflict": "Conflit de modification",
    "staff_account": "Compte de professionnel·le",
}


def rejected_changes(session: Session, ref: Any = None) -> list[tuple[str, str]]:
    """What the server refused, oldest first: ("Consultation sociale du 12/11/2026", reason)."""
    from van_app.core.models import DOMAIN_TABLES

    models = {m.__tablename__: m for m in DOMAIN_TABLES}
    rows = []
    for entry in session.exec(
        select(OutboxEntry)
        .where(col(OutboxEntry.rejected_reason).is_not(None))
        .order_by(col(OutboxEntry.seq))
    ).all():
        what = TABLE_LABELS.get(entry.record_table, entry.record_table)
        record = session.get(models[entry.record_table], entry.record_id)
        day = getattr(record, "consultation_date", None) if record is not None else None
        if day is not None:
            what += f" du {day:%d/%m/%Y}"
        person = getattr(record, "birth_name", None)
        if person:
            what += f" : {person.upper()} {record.first_names}"  # type: ignore[union-attr]
        rows.append((what, entry.rejected_reason or ""))
    return rows
