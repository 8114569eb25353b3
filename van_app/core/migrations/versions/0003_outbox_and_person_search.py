"""outbox of local changes, and a full-text index of people's names

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

The FTS5 index holds the folded search key only (no other column), kept in step by
triggers so that every way of writing a person updates it. Prefix indexes on 2 and 3
characters keep search-as-you-type fast over 100 000 people.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("record_table", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("rejected_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_record_id"), ["record_id"], unique=False)

    op.execute(
        "CREATE VIRTUAL TABLE beneficiary_fts USING fts5("
        "search_key, content='beneficiary', content_rowid='rowid', prefix='2 3')"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_insert AFTER INSERT ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_delete AFTER DELETE ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(beneficiary_fts, rowid, search_key) "
        "VALUES ('delete', old.rowid, old.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_update AFTER UPDATE OF search_key ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(beneficiary_fts, rowid, search_key) "
        "VALUES ('delete', old.rowid, old.search_key); "
        "INSERT INTO beneficiary_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )
    op.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')")


def downgrade() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS beneficiary_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS beneficiary_fts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_record_id"))
    op.drop_table("outbox")
