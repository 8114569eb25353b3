"""A table's verification lines kept in memory and brought up to date by what changed.

A summary's checksum covers every line ``"<id>:<version>:<digest>"`` of a table: a day's sync
must not read and digest the whole table again. Every write gives the record a new version,
the newest of all, and records are never removed, so the lines of a table are those known
at version ``upto`` with the rows of ``version > upto`` laid over them: one indexed query of
what changed. Setting a record aside changes no version: the table's count of set-aside rows
(its fingerprint, ``summary_cache.py``) then differs and the lines are read again whole, as
they are when the counts disagree or the table went back (a restore). Kept per server
process, per epoch, CMS, table and set of readable classes.

Each table also keeps the additive checksum of its lines (``total``, docs/protocol.md): the
sum of every line's term, moved by the terms of the lines that changed, so a summary of that
kind costs what was written since the last one, not the size of the table.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from sqlmodel import Session, col, select

from sync_server.models import SyncRecord
from sync_server.services.digests import CLASSES, DIGEST_CHARS, class_digests
from sync_server.services.kept import Kept
from sync_server.wire_schema import TableSpec

MAX_TABLES = 512
SUM_MODULUS = 1 << 128


def line_term(line: str) -> int:
    """A line's term in the additive checksum: the first 16 bytes of its SHA-256, read as a
    big-endian integer (docs/protocol.md)."""
    return int.from_bytes(sha256(line.encode("utf-8")).digest()[:16], "big")


def additive_checksum(terms_total: int) -> str:
    """The additive checksum as sent: the sum modulo 2^128, 32 hex digits."""
    return f"{terms_total % SUM_MODULUS:032x}"


@dataclass
class TableLines:
    lines: dict[str, tuple[int, str]]  # id → (version, the reader's digest)
    upto: int  # the newest version laid in
    aside: int  # records set aside when the lines were read whole
    # Every line "id:version:digest\n", sorted: what the ``sorted`` checksum hashes. Made on
    # the first summary of that kind, then kept in order; None while none was asked.
    ordered: list[str] | None
    total: int  # the sum of every line's term (``line_term``), not reduced

    def count_and_checksum(self, skipped: set[str]) -> tuple[int, str]:
        """The summary of these lines without those of ``skipped`` (docs/protocol.md): the
        sorted lines are kept, so it is one hash over their text, not a sort per request."""
        if self.ordered is None:
            self.ordered = sorted(_line(r, v, d) for r, (v, d) in self.lines.items())
        ordered = self.ordered
        gone = [_line(rid, *self.lines[rid]) for rid in skipped if rid in self.lines]
        if gone:
            ordered = list(ordered)
            for line in gone:
                _remove(ordered, line)
        return len(ordered), sha256("".join(ordered).encode("utf-8")).hexdigest()

    def count_and_sum(self, skipped: set[str]) -> tuple[int, str]:
        """The same count, with the additive checksum: the kept total without the terms of
        ``skipped`` — no line is read but theirs."""
        gone = [_line(rid, *self.lines[rid]) for rid in skipped if rid in self.lines]
        total = self.total - sum(line_term(line) for line in gone)
        return len(self.lines) - len(gone), additive_checksum(total)


def _line(record_id: str, version: int, digest: str) -> str:
    return f"{record_id}:{version}:{digest}\n"


def _reordered(
    before: TableLines, lines: dict[str, tuple[int, str]], touched: set[str]
) -> list[str]:
    """``before.ordered`` with the lines of ``touched`` records as they are in ``lines``:
    each moved in place (a day's writes), or everything sorted again when many changed."""
    if len(touched) * 8 > len(lines):
        return sorted(_line(rid, v, d) for rid, (v, d) in lines.items())
    assert before.ordered is not None  # kept in order once made
    ordered = list(before.ordered)
    for record_id in touched:
        old = before.lines.get(record_id)
        if old is not None and not _remove(ordered, _line(record_id, *old)):
            return sorted(_line(rid, v, d) for rid, (v, d) in lines.items())  # never expected
        new = lines.get(record_id)
        if new is not None:
            insort(ordered, _line(record_id, *new))
    return ordered


def _moved_total(before: TableLines, lines: dict[str, tuple[int, str]], touched: set[str]) -> int:
    """``before.total`` with the terms of the ``touched`` records' lines as they are in
    ``lines``: what changed, not the table, is hashed."""
    total = before.total
    for record_id in touched:
        old = before.lines.get(record_id)
        if old is not None:
            total -= line_term(_line(record_id, *old))
        new = lines.get(record_id)
        if new is not None:
            total += line_term(_line(record_id, *new))
    return total


def _remove(ordered: list[str], line: str) -> bool:
    """Take ``line`` out of the sorted ``ordered``; False if it is not there."""
    at = bisect_left(ordered, line)
    if at == len(ordered) or ordered[at] != line:
        return False
    del ordered[at]
    return True


LINES: Kept[TableLines] = Kept(MAX_TABLES)  # per epoch, CMS, table and classes


def current_lines(
    session: Session,
    schema: Mapping[str, TableSpec],
    key: tuple[Any, ...],
    cms_code: str,
    table: str,
    classes: frozenset[str],
    fingerprint: tuple[int, int, int],
) -> TableLines:
    """The table's served records' lines for a reader of ``classes``, up to date."""
    count, newest, aside = fingerprint
    kept = LINES.get(key)
    if kept is not None and kept.aside == aside and kept.upto <= newest:
        lines = dict(kept.lines)
        touched: set[str] = set()
        upto = _lay_over(session, schema, cms_code, table, classes, lines, kept.upto, touched)
        if len(lines) + aside == count or upto > newest:  # whole (or written meanwhile)
            ordered = None if kept.ordered is None else _reordered(kept, lines, touched)
            fresh = TableLines(lines, upto, aside, ordered, _moved_total(kept, lines, touched))
            LINES.put(key, fresh)
            return fresh
    lines = {}
    upto = _lay_over(session, schema, cms_code, table, classes, lines, -1, set())
    total = sum(line_term(_line(r, v, d)) for r, (v, d) in lines.items())
    fresh = TableLines(lines, upto, aside, None, total)
    LINES.put(key, fresh)
    return fresh


def _lay_over(
    session: Session,
    schema: Mapping[str, TableSpec],
    cms_code: str,
    table: str,
    classes: frozenset[str],
    lines: dict[str, tuple[int, str]],
    since: int,
    touched: set[str],
) -> int:
    """Lay the rows written after ``since`` over ``lines`` (their ids into ``touched``); the
    newest version seen."""
    upto = max(since, 0)
    wanted = [cls for cls in CLASSES if cls in classes]
    # Core rows, not ORM ones: this reads every row written since the lines were last laid.
    rows = (
        session.connection()
        .execute(
            select(
                SyncRecord.id,
                SyncRecord.version,
                SyncRecord.digests,
                SyncRecord.quarantined,
                SyncRecord.purged_at,
            ).where(
                SyncRecord.cms_code == cms_code,
                SyncRecord.table_name == table,
                col(SyncRecord.version) > since,
            )
        )
        .all()
    )
    for record_id, version, digests, aside, purged in rows:
        touched.add(record_id)
        if version > upto:
            upto = version
        if aside is not None or purged is not None:  # set aside, or purged: laptops hold none
            lines.pop(record_id, None)
            continue
        if digests is None:  # written before digests were kept
            row = session.get(SyncRecord, (table, record_id))
            digests = class_digests(schema[table], row.fields if row is not None else {})
        joined = ":".join([digests[cls] for cls in wanted])  # as user_digest joins them
        lines[record_id] = (version, sha256(joined.encode("ascii")).hexdigest()[:DIGEST_CHARS])
    return upto
