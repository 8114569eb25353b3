"""Engine, sessions and migrations of the server database (SQLite file or PostgreSQL).

Writes that take a version (pushes, account changes) serialize: on PostgreSQL by locking the
version counter row (``SELECT … FOR UPDATE``), on SQLite by starting write transactions with
``BEGIN IMMEDIATE``. So versions commit in the order they are assigned (sync invariant 4).

On SQLite the server's own writers also queue on a lock of the process (``write_gate``)
before ``BEGIN IMMEDIATE``: SQLite's busy handler makes a waiting writer sleep and retry, up
to 100 ms at a time, so twenty vans pushing at once waited far longer than the pushes took.
The lock hands the database to the next writer as soon as the last one commits.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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


_GATES: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def write_gate(engine: Engine) -> threading.RLock | None:
    """The lock this process's writers of an SQLite database take before ``BEGIN
    IMMEDIATE`` (None for PostgreSQL, whose lock waits wake at once)."""
    if engine.dialect.name != "sqlite":
        return None
    with _GATES_LOCK:
        gate = _GATES.get(engine)
        if gate is None:
            gate = _GATES[engine] = threading.RLock()
        return gate


def _gated(engine: Engine) -> AbstractContextManager[Any]:
    gate = write_gate(engine)
    return nullcontext() if gate is None else gate


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session whose transaction commits at the end of the block (rolls back on error).

    ``write=True`` takes SQLite's write lock at BEGIN (after the process's ``write_gate``), so
    a read-then-write transaction never fails to upgrade its lock while another writer holds
    it.
    """
    with (
        _gated(engine) if write else nullcontext(),
        Session(engine, expire_on_commit=False) as session,
    ):
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
