"""each table's additive checksum kept with the verification lines, and what is due again

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A verification compared whole tables: every line was read and sorted at each sync, so a
day's sync grew with the laptop's history. Now each line carries its term of the additive
checksum (docs/protocol.md, checksum kind ``sum``), ``sync_digest_total`` keeps per classes
and table the sums of the terms of the lines kept (moved by triggers as lines come and go),
and ``sync_digest_due`` lists the records written since their line was made: a verification
digests those and reads one row per table (``van_app/core/digest_lines.py``). Terms of the
lines kept before are computed here; totals start at the next verification.
"""

from __future__ import annotations

import hashlib
import struct

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SYNCED_TABLES = (
    "staff_account",
    "tour_pattern",
    "tour_stop",
    "beneficiary",
    "household_link",
    "social_consultation",
    "social_orientation",
    "social_addendum",
    "pmi_consultation",
    "pmi_addendum",
    "follow_up",
    "satisfaction_answer",
    "supervisor_review",
    "sync_conflict",
)
LANES = ("t0", "t1", "t2", "t3")


def _moved(sign: str, row: str) -> str:
    """The totals of ``row``'s classes and table, with its terms added or taken out."""
    lanes = ", ".join(f"{lane} = {lane} {sign} {row}.{lane}" for lane in LANES)
    return (
        f"UPDATE sync_digest_total SET lines = lines {sign} 1, {lanes} "
        f"WHERE classes = {row}.classes AND record_table = {row}.record_table;"
    )


def _due(record: str, table: str) -> str:
    """The record becomes due for every classes whose totals of its table are kept."""
    return (
        "INSERT INTO sync_digest_due (record_id, classes, record_table) "
        f"SELECT {record}, k.classes, k.record_table FROM sync_digest_total AS k "
        f"WHERE k.record_table = {table} AND NOT EXISTS (SELECT 1 FROM sync_digest_due AS d "
        f"WHERE d.record_id = {record} AND d.classes = k.classes);"
    )


def upgrade() -> None:
    for lane in LANES:
        op.add_column(
            "sync_digest_line",
            sa.Column(lane, sa.Integer(), nullable=False, server_default="0"),
        )
    op.create_table(
        "sync_digest_total",
        sa.Column("classes", sa.String(length=8), nullable=False),
        sa.Column("record_table", sa.String(length=64), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        *(sa.Column(lane, sa.Integer(), nullable=False) for lane in LANES),
        sa.PrimaryKeyConstraint("classes", "record_table"),
    )
    op.create_table(
        "sync_digest_due",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("classes", sa.String(length=8), nullable=False),
        sa.Column("record_table", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "classes"),
    )
    connection = op.get_bind()
    kept = connection.exec_driver_sql(
        "SELECT record_id, classes, version, digest FROM sync_digest_line"
    ).fetchall()
    if kept:
        connection.exec_driver_sql(
            "UPDATE sync_digest_line SET t0 = ?, t1 = ?, t2 = ?, t3 = ? "
            "WHERE record_id = ? AND classes = ?",
            [
                (
                    *struct.unpack(
                        ">4I",
                        hashlib.sha256(f"{rid}:{version}:{digest}\n".encode()).digest()[:16],
                    ),
                    rid,
                    classes,
                )
                for rid, classes, version, digest in kept
            ],
        )
    op.execute(
        "CREATE TRIGGER sync_digest_line_insert AFTER INSERT ON sync_digest_line BEGIN "
        + _moved("+", "NEW")
        + " DELETE FROM sync_digest_due WHERE record_id = NEW.record_id "
        "AND classes = NEW.classes; END"
    )
    op.execute(
        "CREATE TRIGGER sync_digest_line_update AFTER UPDATE ON sync_digest_line BEGIN "
        + _moved("-", "OLD")
        + " "
        + _moved("+", "NEW")
        + " DELETE FROM sync_digest_due WHERE record_id = NEW.record_id "
        "AND classes = NEW.classes; END"
    )
    op.execute(
        "CREATE TRIGGER sync_digest_line_delete AFTER DELETE ON sync_digest_line BEGIN "
        + _moved("-", "OLD")
        + " "
        + _due("OLD.record_id", "OLD.record_table")
        + " END"
    )
    for table in SYNCED_TABLES:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_digest_due_{event.lower()} AFTER {event} ON {table} "
                f"WHEN NEW.server_version IS NOT NULL BEGIN {_due('NEW.id', repr(table))} END"
            )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_digest_due_{event}")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_digest_line_{event}")
    op.drop_table("sync_digest_due")
    op.drop_table("sync_digest_total")
    with op.batch_alter_table("sync_digest_line") as batch:
        for lane in LANES:
            batch.drop_column(lane)
