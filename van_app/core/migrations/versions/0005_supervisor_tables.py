"""the supervisor's tables: repeating tour patterns, pulled sync conflicts, merged people

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import van_app.core.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", van_app.core.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", van_app.core.models.UTCDateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "sync_conflict",
        *_synced_columns(),
        sa.Column("table", text(length=64), nullable=False),
        sa.Column("record_id", text(length=36), nullable=False),
        sa.Column("field", text(length=64), nullable=False),
        sa.Column("value_class", text(length=1), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=True),
        sa.Column("other_value", sa.JSON(), nullable=True),
        sa.Column("kept_author", text(length=64), nullable=True),
        sa.Column("kept_device", text(length=64), nullable=True),
        sa.Column("kept_updated_at", van_app.core.models.UTCDateTime(), nullable=True),
        sa.Column("other_author", text(length=64), nullable=True),
        sa.Column("other_device", text(length=64), nullable=True),
        sa.Column("other_updated_at", van_app.core.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_record_id"), ["record_id"], unique=False)

    op.create_table(
        "tour_pattern",
        *_synced_columns(),
        sa.Column("commune_insee", text(length=5), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("week_of_month", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("place", text(length=200), nullable=False),
        sa.Column("services", text(length=16), nullable=False),
        sa.Column("skipped_dates", sa.JSON(), nullable=False),
        sa.Column("cms_code", text(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tour_pattern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tour_pattern_commune_insee"), ["commune_insee"], unique=False
        )

    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", text(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_beneficiary_merged_into_id"), ["merged_into_id"], unique=False
        )

    with op.batch_alter_table("tour_stop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pattern_id", text(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_tour_stop_pattern_id"), ["pattern_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tour_stop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tour_stop_pattern_id"))
        batch_op.drop_column("pattern_id")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiary_merged_into_id"))
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("tour_pattern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tour_pattern_commune_insee"))
    op.drop_table("tour_pattern")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_record_id"))
    op.drop_table("sync_conflict")
