"""The purge (DESIGN.md, "Data lifecycle"): people past the retention period, tombstones, audit.

Run by the administrator (``van-sync-server purge [--dry-run]``, daily from a timer): the
server alone decides, so every laptop purges the same people whatever its clock or what it
holds. In one transaction holding the version counter (like a push):

1. a person with no contact for ``inactive_months`` (her latest consultation, else her
   registration) and nothing open (no draft consultation, no open follow-up) is tombstoned
   with everything hanging on her (links, consultations and their parts, follow-ups, reviews,
   conflicts); so is what hangs on a person deleted on request;
2. every tombstone has its fields erased: only table, id, CMS and a new version remain. The
   new version carries the purge to laptops (a pulled tombstone with no fields is deleted
   physically there); the tombstone still refuses any stale change (invariant 7) and a
   restore of the person (``_undelete`` finds nothing to put back); summaries leave it out.
   A tombstone that a live record still points at (a stop with consultations) waits;
3. audit events older than ``audit_months`` are deleted.

Nothing here reads or logs a name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from sync_server.authz import SIGNED
from sync_server.core.db import session_scope
from sync_server.models import AuditEvent, SyncRecord, utcnow
from sync_server.services.audit import audit
from sync_server.services.versions import VersionCounter

PERSON = "beneficiary"
CONSULTATIONS = ("social_consultation", "pmi_consultation")
PERSON_FIELDS = ("beneficiary_id", "parent_id", "child_id")
REFERENCE_FIELDS = (*PERSON_FIELDS, "consultation_id", "stop_id", "pattern_id", "record_id")
# Children first: a laptop deletes in pull order, and its foreign keys are checked at once.
ERASE_ORDER = (
    "sync_conflict",
    "supervisor_review",
    "follow_up",
    "social_orientation",
    "social_addendum",
    "pmi_addendum",
    *CONSULTATIONS,
    "household_link",
    PERSON,
)


@dataclass
class PurgeReport:
    people: int = 0  # past the period with nothing open
    cascaded: int = 0  # records tombstoned with them or with a person deleted on request
    erased: int = 0  # tombstones whose fields were erased
    audit_events: int = 0
    upcoming: dict[str, list[str]] = field(default_factory=dict)  # CMS → ids (dry run)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class _Records:
    """The records not yet purged, indexed for the purge's questions."""

    def __init__(self, rows: Iterable[SyncRecord]) -> None:
        self.rows = list(rows)
        self.by_table: dict[str, list[SyncRecord]] = {}
        for row in self.rows:
            self.by_table.setdefault(row.table_name, []).append(row)

    def live(self, table: str) -> list[SyncRecord]:
        return [row for row in self.by_table.get(table, []) if not row.deleted]

    def groups(self) -> dict[tuple[str, str], set[str]]:
        """(CMS, person id) → the ids of her records (her own and those merged into her)."""
        people = {row.id: row for row in self.by_table.get(PERSON, [])}
        groups: dict[tuple[str, str], set[str]] = {}
        for row in people.values():
            root, seen = row, set()
            while root.fields.get("merged_into_id") in people and root.id not in seen:
                seen.add(root.id)
                root = people[root.fields["merged_into_id"]]
            groups.setdefault((root.cms_code, root.id), set()).add(row.id)
        return groups

    def hanging(self, people: set[str]) -> list[SyncRecord]:
        """Every record that hangs on these people, the people's own records included."""
        found = {row.id: row for row in self.by_table.get(PERSON, []) if row.id in people}
        for row in self.rows:
            if any(row.fields.get(name) in people for name in PERSON_FIELDS):
                found[row.id] = row
        consultations = {r.id for r in found.values() if r.table_name in CONSULTATIONS}
        for row in self.rows:
            if row.fields.get("consultation_id") in consultations:
                found[row.id] = row
        for row in self.by_table.get("sync_conflict", []):
            if row.fields.get("record_id") in found:
                found[row.id] = row
        return list(found.values())


def expired_people(records: _Records, cutoff: dt.date) -> dict[tuple[str, str], set[str]]:
    """The groups with no contact since ``cutoff`` (exclusive) and nothing open."""
    groups = records.groups()
    last: dict[str, dt.date] = {}
    open_ids: set[str] = set()
    for row in records.live(PERSON):
        day = _day(row.fields.get("created_at")) or row.created_at.date()
        last[row.id] = max(last.get(row.id, day), day)
    for table in CONSULTATIONS:
        for row in records.live(table):
            person = row.fields.get("beneficiary_id")
            day = _day(row.fields.get("consultation_date"))
            if day is not None and isinstance(person, str):
                last[person] = max(last.get(person, day), day)
            if row.fields.get("status") != SIGNED:
                open_ids.add(str(person))
    for row in records.live("follow_up"):
        if not row.fields.get("closed_on"):
            open_ids.add(str(row.fields.get("beneficiary_id")))
    live_people = {row.id for row in records.live(PERSON)}
    expired = {}
    for key, ids in groups.items():
        if key[1] not in live_people or ids & open_ids:
            continue
        latest = max((last[i] for i in ids if i in last), default=None)
        if latest is not None and latest < cutoff:
            expired[key] = ids
    return expired


def purge(
    engine: Engine,
    *,
    today: dt.date,
    inactive_months: int = 24,
    audit_months: int = 12,
    dry_run: bool = False,
    operator: str | None = None,
) -> PurgeReport:
    """Purge what the retention periods allow (module docstring); a dry run writes nothing
    and lists the people the purge would take (``upcoming``)."""
    report = PurgeReport()
    with session_scope(engine, write=True) as session:
        counter = None if dry_run else VersionCounter(session)  # serializes with pushes
        records = _Records(
            session.exec(select(SyncRecord).where(col(SyncRecord.purged_at).is_(None))).all()
        )
        expired = expired_people(records, months_before(today, inactive_months))
        report.people = len(expired)
        for cms, person in sorted(expired):
            report.upcoming.setdefault(cms, []).append(person)
        doomed = set().union(*expired.values()) if expired else set()
        doomed |= {row.id for row in records.by_table.get(PERSON, []) if row.deleted}
        doomed |= _purged_people(session)  # a record pushed for her after her purge goes too
        cascade = [row for row in records.hanging(doomed) if not row.deleted]
        report.cascaded = len(cascade) - sum(1 for r in cascade if r.table_name == PERSON)
        audit_cutoff = dt.datetime.combine(months_before(today, audit_months), dt.time(), dt.UTC)
        if dry_run:
            report.erased = sum(1 for row in records.rows if row.deleted) + len(cascade)
            return report
        assert counter is not None
        for row in cascade:
            row.deleted = True
        referenced = {
            row.fields.get(name)
            for row in records.rows
            if not row.deleted
            for name in REFERENCE_FIELDS
        }
        tombstones = [row for row in records.rows if row.deleted and row.id not in referenced]
        rank = {name: i for i, name in enumerate(ERASE_ORDER)}
        tombstones.sort(key=lambda row: (rank.get(row.table_name, len(rank)), row.version))
        now = utcnow()
        for row in tombstones:
            _erase(row, counter.next(), now)
            session.add(row)
        report.erased = len(tombstones)
        report.audit_events = _purge_audit(session, audit_cutoff)
        audit(
            session,
            "purge",
            username=operator,
            people=report.people,
            cascaded=report.cascaded,
            erased=report.erased,
            audit_events=report.audit_events,
        )
    return report


def _purged_people(session: Session) -> set[str]:
    return set(
        session.exec(
            select(SyncRecord.id).where(
                SyncRecord.table_name == PERSON, col(SyncRecord.purged_at).is_not(None)
            )
        ).all()
    )


def _erase(row: SyncRecord, version: int, now: dt.datetime) -> None:
    """Only the ids and the version remain (new dicts: JSON columns track no in-place edit)."""
    row.deleted = True
    row.fields = {}
    row.field_versions = {}
    row.field_stamps = {}
    row.digests = None
    row.echo_device = None
    row.echo_version = None
    row.version = version
    row.purged_at = now
    row.updated_at = now


def _purge_audit(session: Session, cutoff: dt.datetime) -> int:
    """Delete the audit events older than ``cutoff``; how many."""
    outcome = session.execute(delete(AuditEvent).where(col(AuditEvent.at) < cutoff))
    return int(outcome.rowcount or 0)
