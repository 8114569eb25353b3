"""Pull pages and summaries: the records a user may read, field by field.

Scope: the user's CMS, the tables their roles may read, only the fields of readable classes;
a supervisor review only for supervisors and the reviewed consultation's author.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Text, cast, or_
from sqlmodel import Session, col, select

from sync_server import authz
from sync_server.authz import CONSULTATION_TABLES, REVIEW_TABLE, SUPERVISOR, Actor
from sync_server.core.db import session_scope
from sync_server.models import SyncRecord
from sync_server.services.digests import class_digests, user_digest
from sync_server.services.quarantine import set_aside
from sync_server.services.read_audit import audit_read
from sync_server.services.served import Served, Visible, page_json, serve_stored
from sync_server.services.summary_cache import (
    FINGERPRINTS,
    SUMMARIES,
    exclusion_key,
)
from sync_server.services.summary_lines import additive_checksum, current_lines, line_term
from sync_server.services.versions import read_meta
from sync_server.wire_schema import TableSpec

EMPTY_CHECKSUM = hashlib.sha256(b"").hexdigest()
# The two kinds of summary checksum (docs/protocol.md, "Verification").
SORTED = "sorted"
SUM = "sum"
# What a pull or fetch sends: not the merge bookkeeping (field versions, stamps, digests),
# whose JSON is most of a row.
SERVED_COLUMNS = (
    SyncRecord.table_name,
    SyncRecord.id,
    SyncRecord.version,
    SyncRecord.deleted,
    # As stored: what a reader sees of a given text is kept (``served.py``, ``SEEN``).
    cast(SyncRecord.fields, Text).label("fields"),
)


@dataclass
class PullPage:
    records: list[dict[str, Any]]
    next: int
    more: bool
    server_max_version: int
    server_id: str
    encoded: list[bytes] = field(default_factory=list)  # each record's JSON (``served``)

    def json(self) -> bytes:
        """The page as the pull route sends it (the content of ``PullOut``)."""
        return page_json(
            self.encoded, self.next, self.more, self.server_max_version, self.server_id
        )


@dataclass
class Summary:
    server_id: str
    server_max_version: int
    tables: dict[str, dict[str, Any]]
    checksum_kind: str = SORTED


def pull_page(
    engine: Engine,
    schema: Mapping[str, TableSpec],
    actor: Actor,
    since: int,
    limit: int,
    *,
    skip_own: bool = False,
) -> PullPage:
    """Records with version > since, oldest first; ``next`` is the last version looked at.

    Rows are read in one statement, so the page is a consistent snapshot; versions commit in
    order, so nothing below ``next`` can still appear later (invariant 4). ``skip_own``: the
    requesting device's echoes (records whose current version its own push wrote, stored as
    it sent them) are left out: it holds them. On the last page ``next`` is the newest version when
    the page was read (read before the rows: every version up to it had committed).
    """
    tables = authz.readable_tables(schema, actor.roles)
    with session_scope(engine) as session:
        meta = read_meta(session)
        head = meta.max_version
        # Core rows, not ORM ones: a page is a thousand rows, each only read.
        rows = (
            session.connection()
            .execute(
                select(*SERVED_COLUMNS)
                .where(
                    SyncRecord.cms_code == actor.cms_code,
                    col(SyncRecord.version) > since,
                    col(SyncRecord.table_name).in_(tables),
                    col(SyncRecord.quarantined).is_(None),
                    *([_not_echo(actor.device_id)] if skip_own else []),
                )
                .order_by(col(SyncRecord.version))
                .limit(limit + 1)
            )
            .all()
            if tables
            else []
        )
        scanned = rows[:limit]
        served = _served(session, schema, actor, scanned)
        records, bad = served.records, served.bad
        more = len(rows) > limit
        last = scanned[-1].version if scanned else since
        page = PullPage(
            records=records,
            encoded=served.encoded,
            next=last if more or limit == 0 else max(last, head, since),
            more=more,
            server_max_version=meta.max_version,
            server_id=meta.server_id,
        )
    _set_aside(engine, bad)
    audit_read(
        engine,
        "pull",
        username=actor.username,
        device_id=actor.device_id,
        address=actor.address,
        since=since,
        next=page.next,
        count=len(records),
        records=[r["id"] for r in records],
    )
    return page


def _set_aside(engine: Engine, bad: list[tuple[str, str, str]]) -> None:
    """Quarantine what could not be served (summaries count the records set aside)."""
    if bad:
        set_aside(engine, bad)


def _not_echo(device_id: str) -> Any:
    """Not a record whose current version this device's own push wrote as it sent it."""
    return or_(
        col(SyncRecord.echo_device).is_(None),
        SyncRecord.echo_device != device_id,
        col(SyncRecord.echo_version) != col(SyncRecord.version),
    )


def _served(
    session: Session, schema: Mapping[str, TableSpec], actor: Actor, rows: Sequence[Any]
) -> Served:
    """The rows (of ``SERVED_COLUMNS``) this user may read, as sent (and encoded); those that
    cannot be sent."""
    readable_reviews = _readable_reviews(session, actor, rows)
    visible = Visible(schema, actor.roles)
    served = Served()
    serve_stored(
        served,
        visible,
        [
            row  # (table, id, version, deleted, fields): SERVED_COLUMNS' order
            for row in rows
            if row[0] != REVIEW_TABLE or row[1] in readable_reviews
        ],
    )
    return served


def _readable_reviews(session: Session, actor: Actor, rows: Iterable[Any]) -> set[str]:
    """Ids of the review rows among ``rows`` that this user may read: a supervisor's, or those
    of consultations she wrote, matched by id *and kind* (an id alone could be another
    table's)."""
    reviews = [row for row in rows if row.table_name == REVIEW_TABLE]
    if not reviews:
        return set()
    if SUPERVISOR in actor.roles:
        return {row.id for row in reviews}
    targets: dict[str, tuple[str | None, str]] = {}
    for row in reviews:
        fields = json.loads(row.fields) if isinstance(row.fields, str) else row.fields
        targets[row.id] = (review_target(fields), str(fields.get("consultation_id")))
    wanted = {target for target in targets.values() if target[0] is not None}
    authored = _consultations_authored_by(session, actor, wanted)  # type: ignore[arg-type]
    return {record_id for record_id, target in targets.items() if target in authored}


def review_target(fields: Mapping[str, Any]) -> str | None:
    """The consultation table a review's ``consultation_kind`` names, or None."""
    table = f"{fields.get('consultation_kind')}_consultation"
    return table if table in CONSULTATION_TABLES else None


def _consultations_authored_by(
    session: Session, actor: Actor, keys: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for table in CONSULTATION_TABLES:
        ids = sorted(record_id for t, record_id in keys if t == table)
        for start in range(0, len(ids), 500):
            found |= {
                (table, record_id)
                for record_id in session.exec(
                    select(SyncRecord.id).where(
                        SyncRecord.table_name == table,
                        col(SyncRecord.id).in_(ids[start : start + 500]),
                        SyncRecord.cms_code == actor.cms_code,
                        SyncRecord.author == actor.username,
                    )
                ).all()
            }
    return found


def summarize(
    engine: Engine,
    schema: Mapping[str, TableSpec],
    actor: Actor,
    exclude: Iterable[str] = (),
    kind: str = SORTED,
) -> Summary:
    """Count and checksum per table over everything this user may pull (tombstones too).

    Lines are ``"<id>:<version>:<digest>\n"``, the digest over the values the user reads.
    ``exclude``: ids of records the device holds changes of its own for (not compared).
    ``kind``: ``sorted`` (SHA-256 of the sorted lines) or ``sum`` (the additive checksum,
    which follows what changed: ``summary_lines.py``).
    A table unchanged since its summary was last made is not read again (``summary_cache``).
    """
    skipped = set(exclude)
    names = authz.readable_tables(schema, actor.roles)
    classes = "".join(sorted(authz.readable_classes(actor.roles)))
    excluded = f"{kind}:{exclusion_key(skipped)}"
    tables: dict[str, dict[str, Any]] = {}
    with session_scope(engine) as session:
        meta = read_meta(session)
        where = (str(engine.url), meta.server_id)
        before = FINGERPRINTS.fingerprints(session, where, actor.cms_code)
        stale: dict[str, tuple[tuple[Any, ...], Any]] = {}
        for name in names:
            key, mark = _summary_key(engine, meta.server_id, actor, name, classes, excluded, before)
            cached = SUMMARIES.get(key, mark)
            if cached is None:
                stale[name] = (key, mark)
            else:
                tables[name] = cached
        if stale:
            lines: dict[str, list[str]] = {}
            counted: dict[str, tuple[int, str]] = {}
            reviews = [name for name in stale if _per_reader(actor, name)]
            for name in reviews:
                lines[name] = []
            for table_name, record_id, version, digest in _digest_rows(
                session, schema, actor, reviews
            ):
                if record_id not in skipped:
                    lines[table_name].append(f"{record_id}:{version}:{digest}\n")
            for name, review_lines in lines.items():
                counted[name] = (len(review_lines), _checksum(kind, review_lines))
            readable = authz.readable_classes(actor.roles)
            for name in stale:
                if name in reviews:
                    continue
                lines_key = (str(engine.url), meta.server_id, actor.cms_code, name, classes)
                mark = before.get(name, (0, 0, 0))
                held = current_lines(
                    session, schema, lines_key, actor.cms_code, name, readable, mark
                )
                counted[name] = (
                    held.count_and_sum(skipped) if kind == SUM else held.count_and_checksum(skipped)
                )
            # SQLite (WAL) reads the whole block in one snapshot: nothing can have been
            # written meanwhile, and the grouped count over the CMS is not read twice.
            after = (
                before
                if same_snapshot(engine)
                else FINGERPRINTS.fingerprints(session, where, actor.cms_code)
            )
            for name, (key, mark) in stale.items():
                tables[name] = {"count": counted[name][0], "checksum": counted[name][1]}
                if (
                    _summary_key(engine, meta.server_id, actor, name, classes, excluded, after)[1]
                    == mark
                ):  # nothing was written meanwhile: the summary is that of ``mark``
                    SUMMARIES.put(key, mark, tables[name])
        summary = Summary(
            server_id=meta.server_id,
            server_max_version=meta.max_version,
            tables={name: tables[name] for name in names},
            checksum_kind=kind,
        )
    audit_read(
        engine,
        "summary",
        username=actor.username,
        device_id=actor.device_id,
        address=actor.address,
    )
    return summary


def same_snapshot(engine: Engine) -> bool:
    """Whether a read transaction sees one snapshot throughout: SQLite's (WAL, a deferred
    BEGIN) does; PostgreSQL's, at READ COMMITTED, sees each statement's commits."""
    return engine.dialect.name == "sqlite"


def _per_reader(actor: Actor, table: str) -> bool:
    """A professional's reviews: which she reads depends on who wrote the consultations."""
    return table == REVIEW_TABLE and SUPERVISOR not in actor.roles


def _summary_key(
    engine: Engine,
    server_id: str,
    actor: Actor,
    table: str,
    classes: str,
    excluded: str,
    marks: Mapping[str, Any],
) -> tuple[tuple[Any, ...], Any]:
    """Where a table's summary for this reader is kept, and what it depends on: the table's
    fingerprint (and, for a professional's reviews, those of the consultations)."""
    reader = ""
    mark: Any = marks.get(table, (0, 0, 0))
    if table == REVIEW_TABLE and SUPERVISOR not in actor.roles:
        reader = actor.username
        mark = (mark, *(marks.get(name, (0, 0, 0)) for name in CONSULTATION_TABLES))
    key = (str(engine.url), server_id, actor.cms_code, table, classes, reader, excluded)
    return key, mark


def digest_list(
    engine: Engine, schema: Mapping[str, TableSpec], actor: Actor, table: str
) -> list[tuple[str, int, str]]:
    """[(id, version, digest)] of one table's records this user may pull: what a device
    compares, record by record, when a table's checksum differs."""
    if table not in authz.readable_tables(schema, actor.roles):
        return []
    with session_scope(engine) as session:
        rows = [(rid, version, digest) for _, rid, version, digest in _digest_rows(
            session, schema, actor, [table]
        )]  # fmt: skip
    return sorted(rows)


def _digest_rows(
    session: Session, schema: Mapping[str, TableSpec], actor: Actor, tables: list[str]
) -> Iterable[tuple[str, str, int, str]]:
    """(table, id, version, the user's digest) of the readable rows of ``tables``."""
    classes = authz.readable_classes(actor.roles)
    plain = [name for name in tables if name != REVIEW_TABLE]
    if plain:
        missing: list[tuple[str, str]] = []
        for table_name, record_id, version, digests in session.exec(
            select(
                SyncRecord.table_name, SyncRecord.id, SyncRecord.version, SyncRecord.digests
            ).where(
                SyncRecord.cms_code == actor.cms_code,
                col(SyncRecord.table_name).in_(plain),
                col(SyncRecord.quarantined).is_(None),
                col(SyncRecord.purged_at).is_(None),  # laptops hold nothing of it
            )
        ).all():
            if digests is None:
                missing.append((table_name, record_id))
            else:
                yield table_name, record_id, version, user_digest(digests, classes)
        if missing:  # written without digests (an older server, an account change)
            wanted = {record_id for _, record_id in missing}
            for row in session.exec(
                select(SyncRecord).where(
                    SyncRecord.cms_code == actor.cms_code,
                    col(SyncRecord.table_name).in_(sorted({t for t, _ in missing})),
                    col(SyncRecord.digests).is_(None),
                )
            ).all():
                if row.id in wanted:
                    stored = class_digests(schema[row.table_name], row.fields)
                    yield row.table_name, row.id, row.version, user_digest(stored, classes)
    if REVIEW_TABLE in tables:
        reviews = session.exec(
            select(SyncRecord).where(
                # ``|| ''``: found by kind (few reviews), not by walking the whole CMS
                SyncRecord.cms_code + "" == actor.cms_code,
                SyncRecord.table_name == REVIEW_TABLE,
                col(SyncRecord.quarantined).is_(None),
                col(SyncRecord.purged_at).is_(None),
            )
        ).all()
        readable = _readable_reviews(session, actor, reviews)
        for row in reviews:
            if row.id in readable:
                stored = row.digests or class_digests(schema[REVIEW_TABLE], row.fields)
                yield REVIEW_TABLE, row.id, row.version, user_digest(stored, classes)


def fetch_records(
    engine: Engine,
    schema: Mapping[str, TableSpec],
    actor: Actor,
    keys: Iterable[tuple[str, str]],
) -> list[dict[str, Any]]:
    """The records named by (table, id) that this user may read, as a pull gives them."""
    readable = set(authz.readable_tables(schema, actor.roles))
    wanted: dict[str, set[str]] = {}
    for table_name, record_id in keys:
        if table_name in readable:
            wanted.setdefault(table_name, set()).add(record_id)
    rows: list[Any] = []  # of SERVED_COLUMNS
    with session_scope(engine) as session:
        for table_name, ids in wanted.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                rows += session.exec(
                    select(*SERVED_COLUMNS).where(
                        SyncRecord.cms_code == actor.cms_code,
                        SyncRecord.table_name == table_name,
                        col(SyncRecord.id).in_(ordered[start : start + 500]),
                        col(SyncRecord.quarantined).is_(None),
                    )
                ).all()
        rows.sort(key=lambda row: row.version)
        served = _served(session, schema, actor, rows)
        records, bad = served.records, served.bad
    _set_aside(engine, bad)
    audit_read(
        engine,
        "fetch",
        username=actor.username,
        device_id=actor.device_id,
        address=actor.address,
        records=[r["id"] for r in records],
    )
    return records


def _checksum(kind: str, lines: list[str]) -> str:
    if kind == SUM:
        return additive_checksum(sum(line_term(line) for line in lines))
    return checksum(lines)


def checksum(lines: Iterable[str]) -> str:
    """Hex SHA-256 of the sorted ``"<id>:<version>:<digest>\n"`` lines (docs/protocol.md)."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
