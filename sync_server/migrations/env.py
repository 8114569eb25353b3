"""Alembic environment of the server: runs on the connection ``core.db.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from sync_server.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through sync_server.core.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
