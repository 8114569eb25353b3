"""The audit lines of reads (pull, summary, fetch), written without waiting behind a push.

On SQLite every write takes the one write lock: a pull that wrote its audit line in its own
write transaction waited for any push in progress. Here the line is written at once when the
lock is free (``busy_timeout`` 0 for that attempt), else handed to a writer thread that waits
for the lock, so the read answers at once; lines wait in memory only while a push holds the
lock (and are written at exit). PostgreSQL writes them as before: an insert there never waits
for the version counter's lock.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import OperationalError

from sync_server.core.db import IMMEDIATE, session_scope, write_gate
from sync_server.models import AuditEvent, utcnow
from sync_server.services.audit import audit

_BUSY_MS = 30000  # the engine's busy timeout (core/db.py), put back after an attempt


class _Locked(Exception):
    """Another writer of this process holds the database (``core/db.py``, ``write_gate``)."""


def _insert(engine: Engine, rows: list[dict[str, Any]], *, wait: bool) -> None:
    """Insert audit rows in one transaction; without ``wait``, fail at once if locked."""
    gate = write_gate(engine)
    if gate is not None and not gate.acquire(blocking=wait):
        raise _Locked
    try:
        _insert_now(engine, rows, wait=wait)
    finally:
        if gate is not None:
            gate.release()


def _insert_now(engine: Engine, rows: list[dict[str, Any]], *, wait: bool) -> None:
    with engine.connect() as connection:
        connection.execution_options(**{IMMEDIATE: True})  # the write lock at BEGIN
        raw = connection.connection.dbapi_connection
        if not wait:
            raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
        try:
            with connection.begin():
                connection.execute(insert(AuditEvent.__table__), rows)  # type: ignore[arg-type]
        finally:
            if not wait:
                raw.execute(f"PRAGMA busy_timeout={_BUSY_MS}")  # type: ignore[union-attr]


class _Pending:
    """Lines that met the lock taken, for one engine, and the one thread writing them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.writer: threading.Thread | None = None

    def add(self, row: dict[str, Any]) -> None:
        with self.lock:
            self.rows.append(row)
            if self.writer is None or not self.writer.is_alive():
                self.writer = threading.Thread(target=self.drain, daemon=True)
                self.writer.start()

    def drain(self) -> None:
        """Write what waits, waiting for the lock as long as it takes."""
        while True:
            with self.lock:
                rows, self.rows = self.rows, []
            if not rows:
                return
            try:
                _insert(self.engine, rows, wait=True)
            except OperationalError:
                with self.lock:
                    self.rows[:0] = rows  # still locked after the busy timeout: again


_PENDING: dict[int, _Pending] = {}
_REGISTRY_LOCK = threading.Lock()


def audit_read(
    engine: Engine,
    action: str,
    *,
    username: str | None = None,
    device_id: str | None = None,
    **detail: Any,
) -> None:
    """Append a read's audit line without waiting for a push to commit."""
    if engine.dialect.name != "sqlite":
        with session_scope(engine, write=True) as session:
            audit(session, action, username=username, device_id=device_id, **detail)
        return
    with _REGISTRY_LOCK:
        pending = _PENDING.get(id(engine))
        if pending is None or pending.engine is not engine:
            pending = _PENDING[id(engine)] = _Pending(engine)
    row = {"at": utcnow(), "username": username, "device_id": device_id}
    row.update(action=action, detail=detail)
    try:
        _insert(engine, [row], wait=False)
    except (OperationalError, _Locked):  # a push holds the lock: written when it commits
        pending.add(row)


@atexit.register
def _write_at_exit() -> None:
    for pending in list(_PENDING.values()):
        with contextlib.suppress(Exception):  # at exit: nothing more to do
            pending.drain()


def flush(engine: Engine) -> None:
    """Write every line still waiting for this engine (waits for the lock)."""
    pending = _PENDING.get(id(engine))
    if pending is not None and pending.engine is engine:
        pending.drain()
        if pending.writer is not None:
            pending.writer.join()
