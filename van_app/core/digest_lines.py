"""Verification lines kept between syncs, and each table's additive checksum kept with them.

A line is ``"<id>:<version>:<digest>\\n"``, a record's value digest for one set of readable
classes (``van_app/sync/verify.py``). Triggers (migrations 0009 and 0011) keep three things
true whatever code writes a record:
- a record's lines are dropped when its row is updated or deleted: a kept line is that of the
  row as it stands;
- ``sync_digest_total`` holds, per classes and table whose totals are kept, the number of
  kept lines and the sums of their terms (``line_terms``), moved by every line kept or dropped;
- ``sync_digest_due`` lists, for those same classes and tables, the records written (or whose
  line was dropped) since their line was made: all a verification has to digest.
So a day's verification reads what changed, not the store (docs/protocol.md, checksum kind
``sum``). No Qt.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection
from sqlmodel import Field, SQLModel

LANES = 4  # a line's 16-byte term as four 32-bit lanes: SQLite adds and subtracts them exactly
SUM_MODULUS = 1 << 128
EMPTY_SUM = "0" * 32


class TermLanes(SQLModel):
    """A line's term in the additive checksum, or a sum of terms, as four 32-bit lanes."""

    t0: int = 0
    t1: int = 0
    t2: int = 0
    t3: int = 0


class RecordForClasses(SQLModel):
    """A record, for one set of readable classes: the key of its line and of its due mark."""

    record_id: str = Field(primary_key=True, max_length=36)
    classes: str = Field(primary_key=True, max_length=8)
    record_table: str = Field(max_length=64)


class DigestLine(RecordForClasses, TermLanes, table=True):
    """A record's verification line for one set of readable classes, with its term."""

    __tablename__ = "sync_digest_line"

    version: int
    digest: str = Field(max_length=16)


class DigestTotal(TermLanes, table=True):
    """Per classes and table: how many lines are kept, and the sums of their terms' lanes."""

    __tablename__ = "sync_digest_total"

    classes: str = Field(primary_key=True, max_length=8)
    record_table: str = Field(primary_key=True, max_length=64)
    lines: int = 0


class DigestDue(RecordForClasses, table=True):
    """A record to digest again for ``classes`` before their table's totals are read."""

    __tablename__ = "sync_digest_due"


def line_text(record_id: str, version: int, digest: str) -> str:
    return f"{record_id}:{version}:{digest}\n"


def line_terms(record_id: str, version: int, digest: str) -> tuple[int, ...]:
    """The line's term in the additive checksum (the first 16 bytes of its SHA-256), as lanes."""
    raw = hashlib.sha256(line_text(record_id, version, digest).encode("utf-8")).digest()
    return struct.unpack(">4I", raw[:16])


def additive_checksum(lanes: Sequence[int]) -> str:
    """The sum of the terms, modulo 2^128, in hex: lane k weighs 2^(32·(3−k))."""
    total = sum(lane << (32 * (LANES - 1 - k)) for k, lane in enumerate(lanes))
    return f"{total % SUM_MODULUS:032x}"


def keep_digest_lines(
    connection: Connection, lines: Iterable[tuple[str, str, str, int, str]]
) -> None:
    """Keep (record id, classes, table, version, digest) lines, over any kept before: one
    statement through the driver. An upsert, not ``INSERT OR REPLACE``: the replaced line's
    terms must leave the totals, and a replace fires no delete trigger."""
    rows = [(*line, *line_terms(line[0], line[3], line[4])) for line in lines]
    if rows:
        connection.exec_driver_sql(
            f"INSERT INTO {DigestLine.__tablename__} "
            "(record_id, classes, record_table, version, digest, t0, t1, t2, t3) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (record_id, classes) DO UPDATE SET "
            "record_table = excluded.record_table, version = excluded.version, "
            "digest = excluded.digest, t0 = excluded.t0, t1 = excluded.t1, "
            "t2 = excluded.t2, t3 = excluded.t3",
            rows,
        )


def kept_totals(connection: Connection, classes: str, table: str) -> tuple[int, list[int]] | None:
    """(lines, lane sums) kept for ``classes`` and ``table``; None if none are kept yet."""
    row = connection.exec_driver_sql(
        f"SELECT lines, t0, t1, t2, t3 FROM {DigestTotal.__tablename__} "
        "WHERE classes = ? AND record_table = ?",
        (classes, table),
    ).first()
    return None if row is None else (int(row[0]), [int(v) for v in row[1:]])


def due_records(connection: Connection, classes: str, table: str) -> list[tuple[str, int | None]]:
    """(id, server version or None if gone) of the records due a new line."""
    return [
        (record_id, version)
        for record_id, version in connection.exec_driver_sql(
            f"SELECT d.record_id, t.server_version FROM {DigestDue.__tablename__} AS d "
            f"LEFT JOIN {table} AS t ON t.id = d.record_id "
            "WHERE d.classes = ? AND d.record_table = ?",
            (classes, table),
        )
    ]


def drop_due(connection: Connection, classes: str, ids: Sequence[str]) -> None:
    if ids:
        connection.exec_driver_sql(
            f"DELETE FROM {DigestDue.__tablename__} WHERE record_id = ? AND classes = ?",
            [(record_id, classes) for record_id in ids],
        )


def lines_terms(
    connection: Connection, classes: str, table: str, ids: Iterable[str]
) -> tuple[int, list[int]]:
    """(how many, lane sums) of the kept lines of ``ids``: those left out of a summary."""
    row = connection.exec_driver_sql(
        "SELECT count(*), coalesce(sum(t0), 0), coalesce(sum(t1), 0), coalesce(sum(t2), 0), "
        f"coalesce(sum(t3), 0) FROM {DigestLine.__tablename__} "
        "WHERE classes = ? AND record_table = ? "
        "AND record_id IN (SELECT value FROM json_each(?))",
        (classes, table, json.dumps(sorted(set(ids)))),
    ).one()
    return int(row[0]), [int(v) for v in row[1:]]


def start_totals(connection: Connection, classes: str, table: str) -> None:
    """Keep totals for ``classes`` and ``table`` from now on, once every line is made.

    Lines not of the row as it stands are dropped first; the records still without a line
    (left out of this verification) become due. Called when no totals are kept: the first
    verification after an upgrade, for a new user, or after a table differed.
    """
    connection.exec_driver_sql(
        f"DELETE FROM {DigestLine.__tablename__} WHERE classes = ? AND record_table = ? "
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.id = record_id "
        "AND t.server_version = version)",
        (classes, table),
    )
    connection.exec_driver_sql(
        f"INSERT INTO {DigestTotal.__tablename__} (classes, record_table, lines, t0, t1, t2, t3) "
        "SELECT ?, ?, count(*), coalesce(sum(t0), 0), coalesce(sum(t1), 0), "
        f"coalesce(sum(t2), 0), coalesce(sum(t3), 0) FROM {DigestLine.__tablename__} "
        "WHERE classes = ? AND record_table = ?",
        (classes, table, classes, table),
    )
    connection.exec_driver_sql(
        f"INSERT INTO {DigestDue.__tablename__} (record_id, classes, record_table) "
        f"SELECT t.id, ?, ? FROM {table} AS t LEFT JOIN {DigestLine.__tablename__} AS d "
        "ON d.record_id = t.id AND d.classes = ? "
        "WHERE t.server_version IS NOT NULL AND d.record_id IS NULL",
        (classes, table, classes),
    )


def forget_totals(connection: Connection, classes: str, tables: Iterable[str]) -> None:
    """Stop trusting the kept totals of ``tables`` (they differed from the server's): the
    next verification makes them again from the lines, checked against the rows."""
    for table in tables:
        for kept in (DigestTotal, DigestDue):
            connection.exec_driver_sql(
                f"DELETE FROM {kept.__tablename__} WHERE classes = ? AND record_table = ?",
                (classes, table),
            )
