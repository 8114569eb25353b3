"""The migrations build exactly the models' schema, and a restart keeps the server id."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.main import create_app
from sync_server.models import metadata
from sync_server.services.versions import read_meta
from tests.server.conftest import fast_settings


def test_migrations_match_the_models(session_engine: Engine) -> None:
    with session_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_a_new_database_gets_a_server_id_that_survives_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'sync.db'}"
    create_app(fast_settings(database_url=url))
    engine = make_engine(url)
    with session_scope(engine) as session:
        first = read_meta(session)
    migrate(engine)  # a restart: upgrade head again
    create_app(fast_settings(database_url=url))
    with session_scope(engine) as session:
        again = read_meta(session)
    assert (again.server_id, again.max_version) == (first.server_id, 0)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
