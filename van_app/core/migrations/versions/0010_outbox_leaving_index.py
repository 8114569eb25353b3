"""an index for what a push reads from the outbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A push batch reads the entries still to leave (not refused), replays first, oldest first,
``seq > last`` a chunk at a time. Without an index on (replay, seq) each batch scanned the
whole outbox: fifty thousand changes made a hundred batches each reading fifty thousand rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_leaving",
        "outbox",
        ["replay", "seq"],
        sqlite_where=sa.text("rejected_reason IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_leaving", table_name="outbox")
