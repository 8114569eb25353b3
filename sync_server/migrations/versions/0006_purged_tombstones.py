"""When a tombstone's fields were erased by the purge (docs/server.md, "Purge").

A purged tombstone keeps only its table, id, CMS and version: it still stops a stale change
from bringing the record back (invariant 7), it reaches laptops as the order to delete their
copy, and verification no longer counts it (the laptops hold nothing of it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_record", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("purged_at")
