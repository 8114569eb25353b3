"""Who received a person's file: the audit log answers, record by record (RGPD art. 15, 33).

Every pull and fetch writes the ids it handed out. A person's file is her record, what names
her (consultations, follow-ups, household links) and what hangs on those (addenda,
orientations, reviews); this module lists who received any of them, when, from where.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from sync_server.models import AuditEvent, SyncRecord, as_utc

_NAMING = ("beneficiary_id", "parent_id", "child_id", "merged_into_id")
_HANGING = ("consultation_id",)
BATCH = 2000


@dataclass(frozen=True)
class Receipt:
    at: dt.datetime
    username: str | None
    device_id: str | None
    address: str | None
    records: int


def person_file(session: Session, person_id: str) -> dict[str, str]:
    """id → table of every record that is part of the person's file on the server."""
    found: dict[str, str] = {}
    person = session.exec(select(SyncRecord).where(SyncRecord.id == person_id)).first()
    if person is None:
        return found
    found[person.id] = person.table_name
    rows = session.exec(select(SyncRecord).where(SyncRecord.cms_code == person.cms_code)).all()
    naming = [r for r in rows if any(r.fields.get(name) == person_id for name in _NAMING)]
    found.update({r.id: r.table_name for r in naming})
    parents = {r.id for r in naming}
    found.update(
        {
            r.id: r.table_name
            for r in rows
            if any(r.fields.get(name) in parents for name in _HANGING)
        }
    )
    return found


def receipts(session: Session, ids: set[str]) -> list[Receipt]:
    """Every pull or fetch that handed out at least one of ``ids``, oldest first."""
    found: list[Receipt] = []
    last = 0
    while True:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["pull", "fetch"]), col(AuditEvent.id) > last)
            .order_by(col(AuditEvent.id))
            .limit(BATCH)
        ).all()
        if not events:
            return found
        last = events[-1].id or last
        for event in events:
            detail: dict[str, Any] = event.detail or {}
            handed = ids.intersection(detail.get("records") or ())
            if handed:
                found.append(
                    Receipt(
                        as_utc(event.at),
                        event.username,
                        event.device_id,
                        detail.get("address"),
                        len(handed),
                    )
                )
