"""verification lines kept between syncs, dropped by triggers when a record changes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

``sync_digest_line`` holds, per record and set of readable classes, the version and value
digest a verification compares (van_app/sync/verify.py). A trigger on each synced table drops
a record's lines when its row is updated or deleted, so a kept line is always that of the
row as it stands, and a verification digests only the records written since the last one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
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


def upgrade() -> None:
    op.create_table(
        "sync_digest_line",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("classes", sa.String(length=8), nullable=False),
        sa.Column("record_table", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "classes"),
    )
    for table in SYNCED_TABLES:
        for event, row in (("UPDATE", "OLD"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_digest_line_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN DELETE FROM sync_digest_line WHERE record_id = {row}.id; END"
            )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_digest_line_{event}")
    op.drop_table("sync_digest_line")
