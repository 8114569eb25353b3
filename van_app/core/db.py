"""The encrypted SQLite engine (SQLCipher) and its migrations.

Every connection is keyed before anything else runs, then set to WAL with
``synchronous=FULL`` (a consultation acknowledged to the user survives a power cut) and
``temp_store=MEMORY`` (no plaintext spills into temp files). Transactions are explicit:
pysqlite's implicit BEGIN is switched off and SQLAlchemy's ``begin`` emits ``BEGIN``, or
``BEGIN IMMEDIATE`` for the sessions that may write (``session_scope``): such a transaction
holds the write lock from its start, so another writer (a save during a background sync)
waits its turn (``busy_timeout``) instead of failing with "database is locked" when its read
snapshot cannot be upgraded. Long reads use ``read_only=True`` sessions (plain ``BEGIN``) and
never hold writers up.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel

from van_app import __version__

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KEY_BYTES = 32
READ_ONLY = "van_read_only"  # session flag: a transaction that only reads
IMMEDIATE = "van_immediate"  # execution option: a transaction that may write


class ReadOnlySessionError(RuntimeError):
    """A write was attempted in a session opened to read (a programming error)."""


class WrongKeyError(Exception):
    """The database could not be opened with this key (wrong key or not our database)."""


class StoreTooNewError(Exception):
    """The store was upgraded by a newer app than this one; ``str(exc)`` is French."""


log = logging.getLogger(__name__)
# The copy of the store taken before a migration, beside it: still encrypted with the same
# key; removed after the next verified sync (``discard_pre_upgrade_copy``).
PRE_UPGRADE_SUFFIX = ".pre-upgrade"
APP_VERSION_META = "app_version"  # the app that last migrated the store (local_meta)


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
        hide_parameters=True,  # a database error in the log never shows names or notes
    )

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

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


def migrate(engine: Engine, revision: str = "head", *, store_file: Path | None = None) -> None:
    """Bring the schema to ``revision`` (the newest by default), in one transaction.

    ``store_file``: the database file, copied beside it first when a migration is pending
    (an upgrade that went wrong can be undone by the support). StoreTooNewError when a newer
    app already upgraded the store: this one cannot read it, and must not touch it.
    """
    current = current_revision(engine)
    script = ScriptDirectory.from_config(alembic_config())
    if current is not None:
        try:
            script.get_revision(current)
        except (CommandError, ResolutionError):
            raise StoreTooNewError(_too_new_message(engine)) from None
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return
    if store_file is not None and current is not None:
        _copy_before_upgrade(engine, store_file)
    with engine.connect() as connection:
        connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            command.upgrade(alembic_config(connection), revision)
            if revision == "head":
                connection.execute(
                    text("INSERT OR REPLACE INTO local_meta (key, value) VALUES (:key, :value)"),
                    {"key": APP_VERSION_META, "value": __version__},
                )


def _too_new_message(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            newer = connection.execute(
                text("SELECT value FROM local_meta WHERE key = :key"), {"key": APP_VERSION_META}
            ).scalar()
    except Exception:  # the newer schema may differ: the version is a bonus
        newer = None
    log.error("store upgraded by a newer app (%s); this is %s", newer or "?", __version__)
    needed = f"la version {newer}" if newer else "une version plus récente"
    return (
        f"Les données de ce poste ont été mises à jour par {needed} de l'application, plus "
        f"récente que celle-ci ({__version__}). Installez {needed} ou une plus récente "
        "(le support du CMS la fournit) : les données du poste sont intactes."
    )


def pre_upgrade_copy(store_file: Path) -> Path:
    return store_file.with_name(store_file.name + PRE_UPGRADE_SUFFIX)


def _copy_before_upgrade(engine: Engine, store_file: Path) -> None:
    """The store as it was, in one file: the WAL folded in first, then the file copied."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = pre_upgrade_copy(store_file)
    partial = copy.with_name(copy.name + ".tmp")
    old = os.umask(0o077)
    try:
        shutil.copyfile(store_file, partial)
    finally:
        os.umask(old)
    os.replace(partial, copy)
    log.info("store copied before its upgrade")


def discard_pre_upgrade_copy(store_file: Path) -> None:
    """After a verified sync the server holds everything: the copy is no longer needed."""
    copy = pre_upgrade_copy(store_file)
    if copy.exists():
        copy.unlink()
        log.info("copy of the store before its upgrade removed after a verified sync")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session whose work commits as one transaction, or not at all.

    ``read_only``: the transaction takes no write lock (plain BEGIN) and refuses to flush a
    change; for long reads (figures, exports, searches) that must not hold up a save.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.info[READ_ONLY] = read_only
        session.connection(execution_options={IMMEDIATE: not read_only})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_reading(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlySessionError("write attempted in a read-only session")


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
