"""Alembic environment: runs on the already keyed connection the app hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from van_app.core.db import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through van_app.core.db.migrate()")


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
