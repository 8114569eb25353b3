"""Verification that repairs: compare values with the server, then fix what differs. No Qt.

After a sync, the device computes per table the count and checksum of the lines
``"<id>:<version>:<digest>"`` of what this user may pull (digests over values, see
``digests.py``), leaving out the records it holds changes of its own for (they differ until
those changes are accepted); the server computes the same. A table that differs is compared
record by record (``/sync/digests``):
- a record the device lacks, holds at an older version, or holds with other values is
  fetched again and applied (fields with a pending local change stay as typed);
- a record the server lacks, or holds at an older version than the device saw, means the
  server lost it (a restore nobody marked): the device sends it again as a replay, with its
  true author, if this user may (its author, or anyone who writes a shared table).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.db import READ_ONLY
from van_app.core.models import SupervisorReview
from van_app.core.outbox import OutboxEntry
from van_app.core.sync_schema import POLICIES
from van_app.core.sync_state import DigestLine, keep_digest_lines
from van_app.sync.digests import checksum, fields_digest, record_digest, user_classes
from van_app.sync.wire import MODELS, PULL_ONLY
from van_app.sync.wire_rows import load_rows, row_fields

SUPERVISOR = "supervisor"
SUPERVISOR_ONLY = frozenset({"satisfaction_answer", "sync_conflict"})


@dataclass
class RepairPlan:
    fetch: list[tuple[str, str]] = field(default_factory=list)
    adopt: list[tuple[str, str]] = field(default_factory=list)  # same values, older version
    resend: dict[tuple[str, str], int | None] = field(default_factory=dict)  # → server version
    unrepairable: int = 0  # the server lacks a record only its author's device can send


def may_replay(table: str, record: Any, username: str, roles: Iterable[str]) -> bool:
    """Whether this user may send the record again after the server lost it."""
    if table in PULL_ONLY:
        return False
    policy = POLICIES[table]
    roles = set(roles)
    if policy.get("server_written"):  # a conflict: supervisors, and whoever's push made it
        conflicted = POLICIES.get(getattr(record, "table", ""), {})
        return SUPERVISOR in roles or bool(roles.intersection(conflicted.get("writers") or ()))
    if policy.get("merge"):
        return bool(roles.intersection(policy.get("writers") or ()))
    return record.author == username


def ids_with_entries(session: Session) -> set[str]:
    """Records with a local change the server has not accepted (any user of the device)."""
    return set(session.exec(select(OutboxEntry.record_id).distinct()).all())


class Verifier:
    """One user's view: the tables and classes they read, and the lines they compare."""

    def __init__(self, username: str, roles: Iterable[str]) -> None:
        self.username = username
        self.roles = tuple(roles)
        self.classes = user_classes(self.roles)

    def tables(self) -> list[str]:
        supervisor = SUPERVISOR in self.roles
        return [t for t in MODELS if supervisor or t not in SUPERVISOR_ONLY]

    def lines(
        self, session: Session, tables: Iterable[str], exclude: set[str]
    ) -> dict[str, dict[str, tuple[int, str]]]:
        """Per table: id → (version, digest) of the records the server also counts.

        Digests are kept between syncs (``DigestLine``, dropped by triggers when a row
        changes): only records written since the last verification are read and digested.
        Runs in a write transaction, so no row changes between its digest and its line.
        """
        classes = "".join(sorted(self.classes))
        found: dict[str, dict[str, tuple[int, str]]] = {}
        fresh: list[tuple[str, str, str, int, str]] = []
        connection = session.connection()
        for table in tables:
            model = MODELS[table]
            if table == "supervisor_review" and SUPERVISOR not in self.roles:
                rows = session.exec(
                    select(model).where(col(model.server_version).is_not(None))
                ).all()
                found[table] = {
                    r.id: (int(r.server_version), record_digest(r, self.classes))
                    for r in self._own_reviews(session, rows)
                    if r.id not in exclude
                }
                continue
            # Each row with the line kept for its version, if any: one query, in SQLite.
            lines: dict[str, tuple[int, str]] = {}
            stale: list[str] = []
            for record_id, version, digest in connection.exec_driver_sql(
                f"SELECT t.id, t.server_version, d.digest FROM {model.__tablename__} AS t "
                f"LEFT JOIN {DigestLine.__tablename__} AS d ON d.record_id = t.id "
                "AND d.classes = ? AND d.version = t.server_version "
                "WHERE t.server_version IS NOT NULL",
                (classes,),
            ):
                if record_id in exclude:
                    continue
                if digest is None:
                    stale.append(record_id)
                else:
                    lines[record_id] = (version, digest)
            made = self._digested(session, table, stale)
            lines.update(made)
            fresh += [(rid, classes, table, v, d) for rid, (v, d) in made.items()]
            found[table] = lines
        if not session.info.get(READ_ONLY):
            keep_digest_lines(connection, fresh)
        return found

    def summaries(
        self, session: Session, tables: Iterable[str], exclude: set[str]
    ) -> dict[str, dict[str, Any]]:
        """``summary(lines(...))``, with the lines made, left out and sorted in SQLite.

        A day's sync compares whole tables: reading every line into Python cost more than the
        day itself on a laptop with years of history. Records without a kept line are
        digested first (as in ``lines``); then each table's lines come as text, one query.
        """
        tables = list(tables)
        if session.info.get(READ_ONLY):
            return self.summary(self.lines(session, tables, exclude))
        classes = "".join(sorted(self.classes))
        left_out = json.dumps(sorted(exclude))
        connection = session.connection()
        raw = connection.connection.dbapi_connection  # fetchall, not a call per row
        found: dict[str, dict[str, Any]] = {}
        fresh: list[tuple[str, str, str, int, str]] = []
        for table in tables:
            if table == "supervisor_review" and SUPERVISOR not in self.roles:
                found.update(self.summary(self.lines(session, [table], exclude)))
                continue
            name = MODELS[table].__tablename__
            stale = [
                record_id
                for (record_id,) in raw.execute(
                    f"SELECT t.id FROM {name} AS t LEFT JOIN {DigestLine.__tablename__} AS d "
                    "ON d.record_id = t.id AND d.classes = ? AND d.version = t.server_version "
                    "WHERE t.server_version IS NOT NULL AND d.digest IS NULL "
                    "AND t.id NOT IN (SELECT value FROM json_each(?))",
                    (classes, left_out),
                ).fetchall()
            ]
            made = self._digested(session, table, stale)
            fresh.extend((rid, classes, table, v, d) for rid, (v, d) in made.items())
            lines = [
                line
                for (line,) in raw.execute(
                    f"SELECT t.id || ':' || t.server_version || ':' || d.digest || char(10) "
                    f"FROM {name} AS t JOIN {DigestLine.__tablename__} AS d "
                    "ON d.record_id = t.id AND d.classes = ? AND d.version = t.server_version "
                    "WHERE t.server_version IS NOT NULL "
                    "AND t.id NOT IN (SELECT value FROM json_each(?))",
                    (classes, left_out),
                ).fetchall()
            ]
            lines += [f"{rid}:{v}:{d}\n" for rid, (v, d) in made.items()]
            found[table] = {"count": len(lines), "checksum": checksum(lines)}
        keep_digest_lines(connection, fresh)
        return found

    def _digested(self, session: Session, table: str, ids: list[str]) -> dict[str, tuple[int, str]]:
        """id → (version, digest) of records without a kept line, read as rows."""
        return {
            record_id: (
                int(row.server_version),
                fields_digest(table, row_fields(table, row), self.classes),
            )
            for (_, record_id), row in load_rows(session, [(table, i) for i in ids]).items()
        }

    def _own_reviews(self, session: Session, reviews: list[Any]) -> list[Any]:
        """A professional reads the reviews of the consultations she wrote, no others."""
        kept = []
        by_kind: dict[str, set[str]] = {}
        for review in reviews:
            by_kind.setdefault(review.consultation_kind, set()).add(review.consultation_id)
        mine: set[str] = set()
        for kind, ids in by_kind.items():
            model = MODELS.get(f"{kind}_consultation")
            if model is None:
                continue
            mine |= set(
                session.exec(
                    select(model.id).where(
                        col(model.id).in_(sorted(ids)), model.author == self.username
                    )
                ).all()
            )
        for review in reviews:
            if isinstance(review, SupervisorReview) and review.consultation_id in mine:
                kept.append(review)
        return kept

    @staticmethod
    def summary(lines: dict[str, dict[str, tuple[int, str]]]) -> dict[str, dict[str, Any]]:
        return {
            table: {
                "count": len(rows),
                "checksum": checksum(f"{rid}:{v}:{d}\n" for rid, (v, d) in rows.items()),
            }
            for table, rows in lines.items()
        }

    def mismatches(
        self, server_tables: dict[str, dict[str, Any]], local: dict[str, dict[str, Any]]
    ) -> list[str]:
        """Tables whose count or checksum differ."""
        differ = []
        for table, theirs in server_tables.items():
            if table not in MODELS:
                continue
            ours = local.get(table, {"count": 0, "checksum": checksum([])})
            if ours["count"] != theirs["count"] or ours["checksum"] != theirs["checksum"]:
                differ.append(table)
        return differ

    def plan(
        self,
        session: Session,
        table: str,
        server_rows: list[list[Any]],
        local_rows: dict[str, tuple[int, str]],
        exclude: set[str],
    ) -> RepairPlan:
        """What to fetch and what to send again, record by record, for one table."""
        plan = RepairPlan()
        behind: dict[str, int | None] = {}
        theirs = {str(rid): (int(version), str(digest)) for rid, version, digest in server_rows}
        for rid, (version, digest) in theirs.items():
            if rid in exclude:
                continue
            mine = local_rows.get(rid)
            if mine == (version, digest):
                continue
            if mine is not None and mine[0] > version and mine[1] == digest:
                plan.adopt.append((table, rid))  # same values: take the server's version
            elif mine is not None and mine[0] > version:
                behind[rid] = version  # the server went back: it lost what we saw
            else:
                plan.fetch.append((table, rid))
        for rid in local_rows:
            if rid not in theirs and rid not in exclude:
                behind[rid] = None  # the server lacks it altogether
        model = MODELS[table]
        ids = sorted(behind)
        for start in range(0, len(ids), 500):
            for record in session.exec(
                select(model).where(col(model.id).in_(ids[start : start + 500]))
            ).all():
                if may_replay(table, record, self.username, self.roles):
                    plan.resend[(table, record.id)] = behind[record.id]
                elif behind[record.id] is not None:
                    # Not ours to send back: the server's state stands (its author's laptop
                    # sends back what the restore lost, if anything).
                    plan.adopt.append((table, record.id))
                else:
                    plan.unrepairable += 1  # kept here until its author sends it back
        return plan
