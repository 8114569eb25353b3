"""per-field versions of values the server has not confirmed; outbox replays and seen values

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_field_version",
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("record_table", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replay", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("seen", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("seen")
        batch_op.drop_column("replay")
    op.drop_table("sync_field_version")
