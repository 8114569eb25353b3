"""beneficiary search key: accent- and case-free names for search as you type

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The key is filled for the rows already there, so people registered under the first schema
are found by the new search. The normalisation is frozen here on purpose: a migration must
do tomorrow what it did today, whatever becomes of the app's own search code.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in stripped).split())


def upgrade() -> None:
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "search_key",
                sqlmodel.sql.sqltypes.AutoString(length=400),
                nullable=False,
                server_default="",
            )
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, birth_name, usual_name, first_names FROM beneficiary")
    ).all()
    for row in rows:
        key = " ".join(
            part
            for part in (_fold(row.birth_name), _fold(row.usual_name), _fold(row.first_names))
            if part
        )
        connection.execute(
            sa.text("UPDATE beneficiary SET search_key = :key WHERE id = :id"),
            {"key": key, "id": row.id},
        )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_search_key", ["search_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiary_search_key")
        batch_op.drop_column("search_key")
