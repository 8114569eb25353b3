"""On SQLite the server's writers queue on a lock of the process before ``BEGIN IMMEDIATE``:
none of them meets SQLite's own lock, whose busy handler sleeps up to 100 ms between tries
(twenty vans pushing at once waited far longer than their pushes took)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import event, text

from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.services import read_audit


def test_writers_of_the_process_never_meet_sqlites_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    migrate(engine)

    @event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Without the process's lock, a second writer now fails at once: "database is locked".
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    engine.dispose()  # connections made again, with the pragma
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    order: list[str] = []

    def first() -> None:
        with session_scope(engine, write=True) as session:
            session.exec(text("UPDATE server_meta SET max_version = max_version"))  # type: ignore[call-overload]
            order.append("first")
            holding.set()
            release.wait(10)

    def others(name: str) -> None:
        holding.wait(10)
        try:
            with session_scope(engine, write=True) as session:
                session.exec(text("UPDATE server_meta SET max_version = max_version"))  # type: ignore[call-overload]
                order.append(name)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first)]
    threads += [threading.Thread(target=others, args=(f"writer {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    holding.wait(10)
    # A read's audit line meets the held lock: it waits aside, it does not fail the read.
    read_audit.audit_read(engine, "summary", username="amartin", device_id=None)
    release.set()
    for thread in threads:
        thread.join(30)
    read_audit.flush(engine)
    assert not failures, failures
    assert order[0] == "first" and sorted(order[1:]) == [f"writer {n}" for n in range(4)]
    with session_scope(engine) as session:
        written = session.exec(  # type: ignore[call-overload]
            text("SELECT count(*) FROM audit_event WHERE action = 'summary'")
        ).one()[0]
    assert written == 1
    engine.dispose()
