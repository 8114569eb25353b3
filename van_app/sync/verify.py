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
from van_app.core.digest_lines import (
    EMPTY_SUM,
    LANES,
    DigestLine,
    additive_checksum,
    drop_due,
    due_records,
    forget_totals,
    keep_digest_lines,
    kept_totals,
    line_terms,
    line_text,
    lines_terms,
    start_totals,
)
from van_app.core.outbox import OutboxEntry
from van_app.core.sync_schema import POLICIES
from van_app.sync.digests import checksum, fields_digest, user_classes
from van_app.sync.wire import MODELS, PULL_ONLY
from van_app.sync.wire_rows import load_rows, row_fields

SUPERVISOR = "supervisor"
# The summary's checksum kinds (docs/protocol.md, "Verification"): the laptop asks for SUM.
SORTED = "sorted"
SUM = "sum"
REVIEWS = "supervisor_review"
LINE_TEXT = "t.id || ':' || t.server_version || ':' || d.digest || char(10)"
LINE_TERMS = ", d.t0, d.t1, d.t2, d.t3"
# A professional reads the reviews of the consultations she wrote, no others (``t``: the
# review; ``:author``: her username).
OWN_REVIEWS = " OR ".join(
    f"(t.consultation_kind = '{name.removesuffix('_consultation')}' AND EXISTS "
    f"(SELECT 1 FROM {name} AS c WHERE c.id = t.consultation_id AND c.author = :author))"
    for name in MODELS
    if name.endswith("_consultation")
)
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
        self.class_key = "".join(sorted(self.classes))  # how kept lines name these classes

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
        classes = self.class_key
        found: dict[str, dict[str, tuple[int, str]]] = {}
        fresh: list[tuple[str, str, str, int, str]] = []
        connection = session.connection()
        for table in tables:
            model = MODELS[table]
            if table == REVIEWS and SUPERVISOR not in self.roles:
                raw = connection.connection.dbapi_connection
                own = raw.execute(
                    f"SELECT t.id FROM {REVIEWS} AS t WHERE t.server_version IS NOT NULL "
                    f"AND ({OWN_REVIEWS})",
                    {"author": self.username},
                ).fetchall()
                wanted = [record_id for (record_id,) in own if record_id not in exclude]
                found[table] = self._digested(session, REVIEWS, wanted)
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
        self, session: Session, tables: Iterable[str], exclude: set[str], kind: str = SUM
    ) -> dict[str, dict[str, Any]]:
        """``summary(lines(...), kind)``, without reading every line into Python.

        ``sum`` (what the laptop asks the server for): each table's totals are kept with its
        lines (``core/digest_lines.py``): the records written since are digested, then one
        row is read, and the kept lines of the records left out are taken off. ``sorted``: the
        lines come as text from one query per table, sorted and hashed here.
        """
        tables = list(tables)
        if session.info.get(READ_ONLY):
            return self.summary(self.lines(session, tables, exclude), kind)
        found: dict[str, dict[str, Any]] = {}
        for table in tables:
            if table == REVIEWS and SUPERVISOR not in self.roles:
                found[table] = self._own_reviews_summary(session, exclude, kind)
            elif kind == SUM:
                found[table] = self._kept_summary(session, table, exclude)
            else:
                found[table] = self._sorted_summary(session, table, exclude)
        return found

    def _kept_summary(self, session: Session, table: str, exclude: set[str]) -> dict[str, Any]:
        """Count and additive checksum from the kept totals: costs what changed."""
        connection = session.connection()
        self._lines_up_to_date(session, table, exclude)
        totals = kept_totals(connection, self.class_key, table)
        assert totals is not None  # kept from start_totals on, in this transaction
        count, lanes = totals
        if exclude:
            left_out, terms = lines_terms(connection, self.class_key, table, exclude)
            count -= left_out
            lanes = [kept - out for kept, out in zip(lanes, terms, strict=True)]
        return {"count": count, "checksum": additive_checksum(lanes)}

    def _lines_up_to_date(self, session: Session, table: str, exclude: set[str]) -> None:
        """Make the lines of the records written since the last verification (the due ones),
        but those left out; the first time, of every record without one."""
        connection = session.connection()
        if kept_totals(connection, self.class_key, table) is None:
            self._digest_missing(session, table, exclude)
            start_totals(connection, self.class_key, table)
        due = due_records(connection, self.class_key, table)
        drop_due(connection, self.class_key, [rid for rid, version in due if version is None])
        wanted = [rid for rid, version in due if version is not None and rid not in exclude]
        self._keep(connection, table, self._digested(session, table, wanted))

    def _sorted_summary(self, session: Session, table: str, exclude: set[str]) -> dict[str, Any]:
        """Count and SHA-256 of the sorted lines, the lines made, left out and sorted in
        SQLite: reading every line into Python cost more than a day's sync."""
        self._digest_missing(session, table, exclude)
        lines = [line for (line,) in self._kept_lines(session, table, exclude, LINE_TEXT)]
        return {"count": len(lines), "checksum": checksum(lines)}

    def _own_reviews_summary(
        self, session: Session, exclude: set[str], kind: str
    ) -> dict[str, Any]:
        """A professional's reviews, those of the consultations she wrote: their kept lines,
        chosen, summed or sorted in SQLite: one pass over the reviews held, none digested
        but those written since the last verification."""
        self._lines_up_to_date(session, REVIEWS, exclude)
        found = self._kept_lines(session, REVIEWS, exclude, LINE_TEXT + LINE_TERMS, OWN_REVIEWS)
        if kind == SUM:
            lanes = [sum(row[1 + k] for row in found) for k in range(LANES)]
            return {"count": len(found), "checksum": additive_checksum(lanes)}
        return {"count": len(found), "checksum": checksum(row[0] for row in found)}

    def _kept_lines(
        self, session: Session, table: str, exclude: set[str], columns: str, where: str = ""
    ) -> list[Any]:
        """``columns`` of the table's kept lines (but those left out), one query, fetched
        whole: the line text is ``LINE_TEXT``, its term's lanes ``LINE_TERMS``."""
        raw = session.connection().connection.dbapi_connection  # fetchall, not a call per row
        return raw.execute(
            f"SELECT {columns} FROM {table} AS t JOIN {DigestLine.__tablename__} AS d "
            "ON d.record_id = t.id AND d.classes = :classes AND d.version = t.server_version "
            "WHERE t.server_version IS NOT NULL "
            "AND t.id NOT IN (SELECT value FROM json_each(:left_out))"
            + (f" AND ({where})" if where else ""),
            {
                "classes": self.class_key,
                "left_out": json.dumps(sorted(exclude)),
                "author": self.username,
            },
        ).fetchall()

    def _digest_missing(self, session: Session, table: str, exclude: set[str]) -> None:
        """Digest and keep the lines of the table's records without one (but those left out):
        one anti-join in SQLite finds them."""
        raw = session.connection().connection.dbapi_connection
        missing = [
            record_id
            for (record_id,) in raw.execute(
                f"SELECT t.id FROM {table} AS t LEFT JOIN {DigestLine.__tablename__} AS d "
                "ON d.record_id = t.id AND d.classes = ? AND d.version = t.server_version "
                "WHERE t.server_version IS NOT NULL AND d.digest IS NULL "
                "AND t.id NOT IN (SELECT value FROM json_each(?))",
                (self.class_key, json.dumps(sorted(exclude))),
            ).fetchall()
        ]
        self._keep(session.connection(), table, self._digested(session, table, missing))

    def _keep(self, connection: Any, table: str, made: dict[str, tuple[int, str]]) -> None:
        keep_digest_lines(
            connection, [(rid, self.class_key, table, v, d) for rid, (v, d) in made.items()]
        )

    def _digested(self, session: Session, table: str, ids: list[str]) -> dict[str, tuple[int, str]]:
        """id → (version, digest) of records without a kept line, read as rows."""
        return {
            record_id: (
                int(row.server_version),
                fields_digest(table, row_fields(table, row), self.classes),
            )
            for (_, record_id), row in load_rows(session, [(table, i) for i in ids]).items()
        }

    @staticmethod
    def summary(
        lines: dict[str, dict[str, tuple[int, str]]], kind: str = SORTED
    ) -> dict[str, dict[str, Any]]:
        """Count and checksum (of ``kind``) of each table's lines."""
        found = {}
        for table, rows in lines.items():
            if kind == SUM:
                lanes = [0] * LANES
                for rid, (version, digest) in rows.items():
                    for k, term in enumerate(line_terms(rid, version, digest)):
                        lanes[k] += term
                found[table] = {"count": len(rows), "checksum": additive_checksum(lanes)}
            else:
                text = (line_text(rid, v, d) for rid, (v, d) in rows.items())
                found[table] = {"count": len(rows), "checksum": checksum(text)}
        return found

    def mismatches(
        self,
        server_tables: dict[str, dict[str, Any]],
        local: dict[str, dict[str, Any]],
        kind: str = SORTED,
    ) -> list[str]:
        """Tables whose count or checksum differ."""
        empty = {"count": 0, "checksum": EMPTY_SUM if kind == SUM else checksum([])}
        differ = []
        for table, theirs in server_tables.items():
            if table not in MODELS:
                continue
            ours = local.get(table, empty)
            if ours["count"] != theirs["count"] or ours["checksum"] != theirs["checksum"]:
                differ.append(table)
        return differ

    def forget_totals(self, session: Session, tables: Iterable[str]) -> None:
        """Tables that differed from the server: their totals are made again from the rows
        at the next verification (whatever wrote the rows, the check then starts afresh)."""
        forget_totals(session.connection(), self.class_key, tables)

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
