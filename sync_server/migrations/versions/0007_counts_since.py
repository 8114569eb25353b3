"""What a summary needs to keep a CMS's per-table counts from what was written since.

A summary checks a kept verification against each table's count of records, newest version
and records set aside; counting them read every record of the CMS at each summary. Now a
record says which version created it (``created_version``), so the records created since the
counts were kept are found among those written since, on the (cms_code, version) index, and
the records set aside, few, have their own partial index. Records kept before take their
current version: a count kept from now on only looks at versions written after it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_record", sa.Column("created_version", sa.BigInteger(), nullable=True))
    op.execute("UPDATE sync_record SET created_version = version")
    op.create_index(
        "ix_sync_record_cms_aside",
        "sync_record",
        ["cms_code", "table_name"],
        sqlite_where=sa.text("quarantined IS NOT NULL"),
        postgresql_where=sa.text("quarantined IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_record_cms_aside", table_name="sync_record")
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("created_version")
