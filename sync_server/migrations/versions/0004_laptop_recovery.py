"""Laptop recovery keys (a second professional, a reset password), laptops of devices.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "laptop_recovery",
        sa.Column("install_id", sa.String(length=64), nullable=False),
        sa.Column("cms_code", sa.String(length=32), nullable=False),
        sa.Column("recovery_key", sa.String(length=64), nullable=False),
        sa.Column("deposited_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("install_id"),
    )
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("install_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_device_install_id", ["install_id"])


def downgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_index("ix_device_install_id")
        batch.drop_column("install_id")
    op.drop_table("laptop_recovery")
