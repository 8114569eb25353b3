"""Engine, sessions and migrations of the server database (SQLite file or PostgreSQL).

Writes that take a version (pushes, account changes) serialize: on PostgreSQL by locking the
version counter row (``SELECT … FOR UPDATE``), on SQLite by starting write transactions with
``BEGIN IMMEDIATE``. So versions commit in the order they are assigned (sync invariant 4).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from sync_server.services.json_text import dumps

IMMEDIATE = "van_sync_immediate"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # hide_parameters: a database error in the log never shows the values (names, notes).
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, json_serializer=dumps)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,
        json_serializer=dumps,  # JSON a push wrote already goes in as it is (json_text.py)
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session whose transaction commits at the end of the block (rolls back on error).

    ``write=True`` takes SQLite's write lock at BEGIN, so a read-then-write transaction never
    fails to upgrade its lock while another writer holds it.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={IMMEDIATE: write})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema and make sure it has its server id."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    from sync_server.services.versions import ensure_server_meta

    with session_scope(engine, write=True) as session:
        ensure_server_meta(session)
