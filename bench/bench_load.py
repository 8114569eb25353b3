"""Twenty vans syncing a day's data at once, against a real server (a script, not a test).

Run: .venv/bin/python bench/bench_load.py [vans] [rounds] [--real]   (default 20 vans, 5 rounds)
By default each van is a small protocol client making a day's requests (what the server
sees); ``--real`` runs the real sync engine on an encrypted store per van instead (on one
small machine the twenty clients' own work then dominates).
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
PAGE = 1000  # as the laptop pulls (van_app/sync/engine.py)
NOTE = "Dossier FSL énergie préparé avec la personne ; pièces listées."


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


def light_van(folder: str, url: str, user: str, rounds: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """A van as the server sees it: the requests of a day's sync (combined call with the
    day's 60 changes and, as the laptop sends it when it pushes, without a summary; the
    remaining pages; the summary) from a small HTTP client, so that twenty of them on this
    machine measure the server, not twenty SQLCipher clients."""
    import gzip
    import json
    import uuid

    import requests

    headers = {"X-Protocol-Version": "2", "Content-Type": "application/json"}
    http = requests.Session()
    try:
        answer = http.post(
            f"{url}/api/v1/auth/enrol",
            json={"username": user, "password": PASSWORD, "device_name": "van"},
            headers=headers,
            timeout=120,
        ).json()
    except Exception:
        traceback.print_exc()
        barrier.abort()
        return
    device = answer["device_id"]
    headers["Authorization"] = f"Bearer {answer['token']}"
    since = 0

    def call(method: str, path: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
        data = gzip.compress(json.dumps(body).encode(), 6) if body is not None else None
        extra = {"Content-Encoding": "gzip"} if data else {}
        reply = http.request(
            method, f"{url}{path}", data=data, headers={**headers, **extra}, timeout=120
        )
        reply.raise_for_status()
        return reply.json()

    for round_ in range(rounds):
        changes = []
        for i in range(DAY):
            person, visit = str(uuid.uuid4()), str(uuid.uuid4())
            stamp = "2026-11-23T10:00:00.000000Z"
            common = {"created_at": stamp, "updated_at": stamp, "author": user,
                      "device": device, "deleted": False}  # fmt: skip
            changes.append({"change_id": f"c{person}", "table": "beneficiary", "id": person,
                "base_version": None, "fields": {**common, "birth_name": f"Banc{round_}{i}",
                "first_names": "Essai", "birth_date": "1970-01-01", "sex": "F",
                "commune_insee": "26113", "known_to_cms": False}})  # fmt: skip
            changes.append({"change_id": f"c{visit}", "table": "social_consultation",
                "id": visit, "base_version": None, "fields": {**common,
                "beneficiary_id": person, "consultation_date": "2026-11-23", "known_before": False,
                "duration_minutes": 30, "arrival_mode": "town_hall_poster",
                "demand_types": ["energy", "housing"], "actions": ["information"],
                "outcome": "resolved_on_spot", "status": "signed", "signed_at": stamp,
                "note": NOTE}})  # fmt: skip
        barrier.wait()
        start = time.perf_counter()
        error = None
        try:
            page = call("POST", "/api/v1/sync", {"changes": changes, "since": since,
                        "limit": PAGE, "exclude": [], "skip_own": True,
                        "checksum_kind": "sum", "summary": False})  # fmt: skip
            refused = [r for r in page["results"] if r["status"] == "rejected"]
            if refused:
                error = f"rejected: {refused[0]['code']} {refused[0]['reason']}"[:300]
            since = page["next"]
            while page["more"]:
                page = call("GET", f"/api/v1/sync/pull?since={since}&limit={PAGE}&skip_own=1")
                since = page["next"]
            call("GET", "/api/v1/sync/summary?checksum_kind=sum")
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        results.put((time.perf_counter() - start, error))


def run(
    url: str, label: str, vans: int, rounds: int, one_cms: bool, workers: int, real: bool
) -> None:
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
                    target=van if real else light_van,
                    args=(str(folder / user), base, user, rounds, barrier, results),
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
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    real = "--real" in sys.argv  # real vans (SQLCipher store, sync engine) in processes
    vans = int(args[0]) if args else 20
    rounds = int(args[1]) if len(args) > 1 else 5
    kind = "real vans" if real else "protocol clients"
    print(f"{vans} {kind}, {rounds} rounds, each a day of {DAY} consultations + {DAY} people")
    for one_cms in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/cms.db", "SQLite", vans, rounds, one_cms, 1, real)
        made = postgres_database()
        if made is None:
            print("PostgreSQL: nothing answers on 127.0.0.1:5432, skipped")
            continue
        admin, name = made
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
            run(url, "PostgreSQL", vans, rounds, one_cms, 2, real)
        finally:
            from sqlalchemy import text

            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
