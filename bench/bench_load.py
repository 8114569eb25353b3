"""Twenty vans syncing a day's data at once, against a real server (a script, not a test).

Run: .venv/bin/python bench/bench_load.py [vans] [rounds]   (default 20 vans, 5 rounds)
Two shapes: one CMS with twenty professionals (each van also pulls the others' day), and
twenty CMSs with one professional each. On SQLite (one server process) and on PostgreSQL
(``serve --workers 2``, on a database made for the run and dropped after; skipped when
nothing answers on 127.0.0.1:5432). Each van is a process with its own encrypted store; in
each round every van writes a day (30 signed consultations, 30 people), all wait at a
barrier, then all sync at once. Prints p50 / p95 / max of the syncs' wall time and errors.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("VAN_APP_KEYRING_BACKEND", "memory")

from bench.bench_sync import FAST, PASSWORD, free_port, write_day  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DAY = 30


def start_server(url: str, folder: Path, users: list[tuple[str, str]], workers: int):  # type: ignore[no-untyped-def]
    import requests

    env = {
        **os.environ,
        "VAN_SYNC_DATABASE_URL": url,
        "VAN_SYNC_STATE_DIR": str(folder / "state"),
        "VAN_SYNC_ARGON2_TIME_COST": "1",
        "VAN_SYNC_ARGON2_MEMORY_KIB": "8192",
        "VAN_SYNC_ARGON2_PARALLELISM": "1",
        "VAN_SYNC_MAX_PASSWORD_CHECKS": "32",
    }
    cli = [sys.executable, "-m", "sync_server.cli"]
    for user, cms in users:
        subprocess.run(
            [*cli, "create-user", user, "--display-name", user, "--role", "social_worker",
             "--cms", cms, "--password", PASSWORD],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            requests.get(f"{base}/api/v1/health", timeout=0.5)
            break
        except requests.RequestException:
            time.sleep(0.05)
    return process, base


def van(folder: str, url: str, user: str, rounds: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One laptop: enrol, then each round write a day, wait for the others, sync."""
    from van_app.sync.client import SyncClient
    from van_app.sync.credentials import TokenStore
    from van_app.sync.engine import SyncEngine
    from van_app.sync.enrolment import enrol_device

    try:
        tokens = TokenStore()
        store = enrol_device(Path(folder), url, user, PASSWORD, tokens=tokens, kdf=FAST)
        client = SyncClient(url, tokens.get(url, user))
        SyncEngine(store, client).run()
    except Exception:
        traceback.print_exc()
        barrier.abort()
        return
    for _ in range(rounds):
        write_day(store, DAY)
        barrier.wait()
        start = time.perf_counter()
        try:
            report = SyncEngine(store, client).run()
            error = None if report.verified else "not verified"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        results.put((time.perf_counter() - start, error))
    store.close()


def run(url: str, label: str, vans: int, rounds: int, one_cms: bool, workers: int) -> None:
    users = [(f"van{i:02d}", "CMS-LOAD" if one_cms else f"CMS-{i:02d}") for i in range(vans)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, base = start_server(url, folder, users, workers)
        try:
            ctx = mp.get_context("spawn")
            barrier = ctx.Barrier(vans)
            results = ctx.Queue()
            processes = [
                ctx.Process(
                    target=van, args=(str(folder / user), base, user, rounds, barrier, results)
                )
                for user, _ in users
            ]
            for process in processes:
                process.start()
            times, errors = [], []
            for _ in range(vans * rounds):
                try:
                    seconds, error = results.get(timeout=600)
                except Exception:
                    errors.append("timeout")
                    break
                times.append(seconds)
                if error:
                    errors.append(error)
            for process in processes:
                process.join(60)
        finally:
            server.terminate()
            server.wait()
    shape = f"{vans} users, one CMS" if one_cms else f"{vans} CMSs"
    if not times:
        print(f"{label:>10} | {shape:<20} | no sync finished; errors: {errors[:3]}")
        return
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"{label:>10} | {shape:<20} | p50 {statistics.median(times):5.2f} s | "
        f"p95 {p95:5.2f} s | max {times[-1]:5.2f} s | {len(times)} syncs | "
        f"errors {len(errors)}{' ' + repr(errors[:2]) if errors else ''}",
        flush=True,
    )


def postgres_database():  # type: ignore[no-untyped-def]
    """A fresh database for the run, or None when nothing answers on 5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), 0.5):
            pass
    except OSError:
        return None
    from sqlalchemy import create_engine, text

    name = f"van_sync_load_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name


def main() -> None:
    vans = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"{vans} vans, {rounds} rounds, each a day of {DAY} consultations + {DAY} people")
    for one_cms in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/cms.db", "SQLite", vans, rounds, one_cms, 1)
        made = postgres_database()
        if made is None:
            print("PostgreSQL: nothing answers on 127.0.0.1:5432, skipped")
            continue
        admin, name = made
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
            run(url, "PostgreSQL", vans, rounds, one_cms, 2)
        finally:
            from sqlalchemy import text

            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
