"""Records set aside when they cannot be served; the check of stored strings at upgrade.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_record") as batch:
        batch.add_column(sa.Column("quarantined", sa.String(length=200), nullable=True))
    with op.batch_alter_table("server_meta") as batch:
        batch.add_column(sa.Column("strings_checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("server_meta") as batch:
        batch.drop_column("strings_checked_at")
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("quarantined")
