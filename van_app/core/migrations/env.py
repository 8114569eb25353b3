"""Alembic environment: runs on the already keyed connection the app hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import van_app.core.local_meta
import van_app.core.models  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through van_app.core.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
