"""The device whose push wrote a record's current version, when it holds that version whole.

A pull leaves such records out for that device (it holds them already); any later write of
the record moves ``version`` past ``echo_version``, which ends the exemption by itself.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_record", sa.Column("echo_device", sa.String(length=36), nullable=True))
    op.add_column("sync_record", sa.Column("echo_version", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("echo_version")
        batch.drop_column("echo_device")
