"""The purge on this laptop, and what the next one will take (DESIGN.md, "Data lifecycle").

The server decides (``van-sync-server purge``): it erases the fields of the tombstones it
keeps and gives them a new version. A pulled tombstone without fields is such a purge: its row
is deleted here for good (``delete_purged``, in the pull's transaction), with its per-field
versions and verification line; deleting a person also clears her search index (triggers).
The store is then compacted (``vacuum_if_due``, after the sync): ``VACUUM`` rewrites the
encrypted file without the freed pages, so nothing of her stays in it.

A row with a change of this laptop not yet accepted is only marked deleted: its change still
leaves, and the server answers that the record is deleted; it goes once that change is gone
(``finish_waiting_purges``, before each verification). Pulled pages are stored without
foreign-key checks, so a record typed here for a purged person (a draft) stays until the
server's next purge takes it too.

``upcoming_purge`` lists what the purge will take within a month, with the same rule as the
server (``sync_server/services/lifecycle.py``): no contact for ``INACTIVE_MONTHS`` (her latest
consultation, else her registration) and nothing open (no draft, no open follow-up).
No Qt.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from van_app.core import models
from van_app.core.digest_lines import DigestLine
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.core.measures import format_date
from van_app.core.models import Beneficiary, FollowUp, PmiConsultation, SocialConsultation
from van_app.core.outbox import OutboxEntry
from van_app.core.people import display_name
from van_app.core.reports.safe_write import atomic_write
from van_app.core.sync_state import FieldVersions
from van_app.core.work_in_progress import WorkInProgress

INACTIVE_MONTHS = 24  # the server's default (VAN_SYNC_PURGE_INACTIVE_MONTHS)
VACUUM_DUE = "vacuum_due"
PURGE_WAITING = "purge_waiting"  # [table, id] of purged rows kept while a change of theirs waits
ERASE_ORDER = (
    "sync_conflict",
    "supervisor_review",
    "follow_up",
    "social_orientation",
    "social_addendum",
    "pmi_addendum",
    "social_consultation",
    "pmi_consultation",
    "household_link",
    "beneficiary",
)


def _synced_models() -> dict[str, type[SQLModel]]:
    found: dict[str, type[SQLModel]] = {}
    for value in vars(models).values():
        if (
            isinstance(value, type)
            and issubclass(value, models.SyncedRecord)
            and getattr(value, "__table__", None) is not None
        ):
            found[str(value.__tablename__)] = value
    return found


MODELS = _synced_models()
_RANK = {name: i for i, name in enumerate(ERASE_ORDER)}


def is_purged(item: Mapping[str, Any]) -> bool:
    """A pulled record the server purged: a tombstone with no field left."""
    return bool(item.get("deleted")) and not item.get("fields")


def delete_purged(
    session: Session, items: Iterable[Mapping[str, Any]], protected: Mapping[str, set[str]]
) -> int:
    """Delete the rows of these purged records (children first); how many were held."""
    held = 0
    waiting = _waiting(session)
    for item in sorted(items, key=lambda i: _RANK.get(str(i["table"]), len(_RANK))):
        model = MODELS.get(str(item["table"]))
        if model is None:
            continue
        record_id = str(item["id"])
        if session.get(model, record_id) is None:
            continue  # never held here: nothing to delete, nothing to create
        held += 1
        if protected.get(record_id):  # its change still leaves; the server refuses it
            session.execute(update(model).where(model.id == record_id).values(deleted=True))  # type: ignore[attr-defined]
            waiting.add((model.__tablename__, record_id))  # type: ignore[arg-type]
            continue
        if not _delete_row(session, model, record_id):
            waiting.add((model.__tablename__, record_id))  # type: ignore[arg-type]
    if waiting:
        set_meta(session, PURGE_WAITING, json.dumps(sorted(waiting)))
    if held:
        set_meta(session, VACUUM_DUE, "1")
    return held


def _delete_row(session: Session, model: type[SQLModel], record_id: str) -> bool:
    """Delete one row for good; False when something here still points at it."""
    try:
        with session.begin_nested():
            row = session.get(model, record_id)
            if row is not None:
                session.expunge(row)
            session.execute(delete(model).where(model.id == record_id))  # type: ignore[attr-defined]
            for kept in (FieldVersions, DigestLine):
                session.execute(delete(kept).where(col(kept.record_id) == record_id))
            # Typing kept for it ("social:new:<person>", "social:<id>") may name her.
            session.execute(
                delete(WorkInProgress).where(col(WorkInProgress.key).endswith(f":{record_id}"))
            )
    except IntegrityError:  # a local tombstone the verification does not count, until then
        session.execute(
            update(model)
            .where(model.id == record_id)  # type: ignore[attr-defined]
            .values(deleted=True, server_version=None)
        )
        return False
    return True


def _waiting(session: Session) -> set[tuple[str, str]]:
    return {(str(t), str(i)) for t, i in json.loads(get_meta(session, PURGE_WAITING) or "[]")}


def finish_waiting_purges(session: Session) -> int:
    """Delete the purged rows kept while a change of theirs waited (once it has left or its
    refusal was dismissed) or while a row here pointed at them; how many went."""
    waiting = _waiting(session)
    if not waiting:
        return 0
    busy = set(session.exec(select(OutboxEntry.record_id).distinct()).all())
    ready = {(table, rid) for table, rid in waiting if rid not in busy}
    done = set()
    for table, record_id in sorted(ready, key=lambda key: _RANK.get(key[0], len(_RANK))):
        if table not in MODELS or _delete_row(session, MODELS[table], record_id):
            done.add((table, record_id))
    set_meta(session, PURGE_WAITING, json.dumps(sorted(waiting - done)))
    if done:
        set_meta(session, VACUUM_DUE, "1")
    return len(done)


def vacuum_if_due(store: LocalStore) -> bool:
    """Compact the store after a purge (outside any transaction); whether it ran."""
    with store.session() as session:
        finish_waiting_purges(session)
        if get_meta(session, VACUUM_DUE) != "1":
            return False
    with store.session() as session:  # the index's segments drop the deleted names too
        session.execute(text("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('optimize')"))
    raw = store.engine.raw_connection()  # no BEGIN: VACUUM runs outside transactions
    try:
        raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    with store.session() as session:
        set_meta(session, VACUUM_DUE, "0")
    return True


# -- what the next purge takes ---------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingPurge:
    person_id: str
    name: str
    birth_date: dt.date
    last_contact: dt.date
    purge_on: dt.date  # the day she passes the period


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def upcoming_purge(
    session: Session, today: dt.date, months: int = INACTIVE_MONTHS, ahead_days: int = 31
) -> list[UpcomingPurge]:
    """People the purge will take by ``today + ahead_days``, soonest first."""
    people = {p.id: p for p in session.exec(select(Beneficiary)).all() if not p.deleted}
    root: dict[str, str] = {}
    for person in people.values():
        target, seen = person, set()
        while target.merged_into_id in people and target.id not in seen:
            seen.add(target.id)
            target = people[target.merged_into_id]  # type: ignore[index]
        root[person.id] = target.id
    last: dict[str, dt.date] = {}
    blocked: set[str] = set()
    for person in people.values():
        day = person.created_at.date()
        last[root[person.id]] = max(last.get(root[person.id], day), day)
    for model in (SocialConsultation, PmiConsultation):
        for row in session.exec(select(model).where(col(model.deleted).is_(False))).all():
            owner = root.get(row.beneficiary_id)
            if owner is None:
                continue
            last[owner] = max(last.get(owner, row.consultation_date), row.consultation_date)
            if row.status != "signed":
                blocked.add(owner)
    for follow_up in session.exec(select(FollowUp).where(col(FollowUp.deleted).is_(False))):
        if follow_up.closed_on is None and follow_up.beneficiary_id in root:
            blocked.add(root[follow_up.beneficiary_id])
    horizon = today + dt.timedelta(days=ahead_days)
    found = []
    for person_id, latest in last.items():
        purge_on = add_months(latest, months) + dt.timedelta(days=1)
        if person_id in blocked or purge_on > horizon:
            continue
        person = people[person_id]
        found.append(
            UpcomingPurge(person_id, display_name(person), person.birth_date, latest, purge_on)
        )
    return sorted(found, key=lambda u: (u.purge_on, u.name))


UPCOMING_HEADER = (
    "Nom",
    "Date de naissance",
    "Dernier contact",
    "Purge à partir du",
    "Identifiant",
)


def export_upcoming(rows: list[UpcomingPurge], path: Path) -> None:
    """The list as a CSV for the archives (UTF-8 with BOM, ';': what a French Excel opens)."""

    def write(partial: Path) -> None:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle, delimiter=";")
            out.writerow(UPCOMING_HEADER)
            for row in rows:
                out.writerow(
                    (row.name, format_date(row.birth_date), format_date(row.last_contact),
                     format_date(row.purge_on), row.person_id)
                )  # fmt: skip

    atomic_write(path, write)
