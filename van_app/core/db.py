"""The encrypted SQLite engine (SQLCipher) and its migrations.

Every connection is keyed before anything else runs, then set to WAL with
``synchronous=FULL`` (a consultation acknowledged to the user survives a power cut) and
``temp_store=MEMORY`` (no plaintext spills into temp files). Transactions are explicit:
pysqlite's implicit BEGIN is switched off and SQLAlchemy's ``begin`` emits ``BEGIN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KEY_BYTES = 32


class WrongKeyError(Exception):
    """The database could not be opened with this key (wrong key or not our database)."""


def connection_pragmas() -> list[str]:
    """Pragmas applied to every connection right after the key."""
    return [
        "PRAGMA foreign_keys = ON",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA temp_store = MEMORY",
        "PRAGMA busy_timeout = 10000",
    ]


def _open_connection(path: Path, key: bytes) -> sqlcipher.Connection:
    if len(key) != KEY_BYTES:
        raise ValueError("the database key must be 32 bytes")
    conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongKeyError(str(path)) from exc
    for pragma in connection_pragmas():
        conn.execute(pragma)
    return conn


def make_engine(path: Path, key: bytes) -> Engine:
    """An engine on the encrypted database at ``path``; files are created owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    previous_umask = os.umask(0o077)
    try:
        _open_connection(path, key).close()  # fail early on a wrong key, create the file
    finally:
        os.umask(previous_umask)

    def creator() -> sqlcipher.Connection:
        old = os.umask(0o077)  # the WAL and shm files are created lazily
        try:
            return _open_connection(path, key)
        finally:
            os.umask(old)

    engine = create_engine(
        "sqlite://",
        creator=creator,
        module=sqlcipher,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Objects Alembic compares with the models: not the FTS5 index, built by hand in 0003."""
    return not (type_ == "table" and name.startswith("beneficiary_fts"))


def alembic_config(connection=None) -> Config:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default), in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction, or not at all."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def add_in_dependency_order(session: Session, records: Iterable[SQLModel]) -> None:
    """Insert records of several tables so that foreign keys always point to existing rows.

    The models declare foreign keys but no relationships, so the unit of work does not order
    tables by itself: flush table by table, parents first.
    """
    order = {table.name: i for i, table in enumerate(SQLModel.metadata.sorted_tables)}
    by_table: dict[str, list[SQLModel]] = {}
    for record in records:
        by_table.setdefault(record.__tablename__, []).append(record)  # type: ignore[arg-type]
    for name in sorted(by_table, key=order.__getitem__):
        session.add_all(by_table[name])
        session.flush()
