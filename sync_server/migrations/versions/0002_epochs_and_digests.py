"""Epochs of restores from backups, value digests of records.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_meta") as batch:
        batch.add_column(
            sa.Column("restore_floor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("epoch_start", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("sync_record") as batch:
        batch.add_column(sa.Column("digests", sa.JSON(), nullable=True))
    op.create_table(
        "server_epoch",
        sa.Column("server_id", sa.String(length=36), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=False),
        sa.Column("floor", sa.BigInteger(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("server_id"),
    )
    op.create_index("ix_server_epoch_previous_id", "server_epoch", ["previous_id"])


def downgrade() -> None:
    op.drop_index("ix_server_epoch_previous_id", table_name="server_epoch")
    op.drop_table("server_epoch")
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("digests")
    with op.batch_alter_table("server_meta") as batch:
        batch.drop_column("restored_at")
        batch.drop_column("epoch_start")
        batch.drop_column("restore_floor")
