"""Sync figures on loopback and over an emulated slow link (a script, not a test).

Run: .venv/bin/python bench/bench_sync.py [records …]   (default 10000 50000)
For each size: a fresh server (its own command line, a fresh SQLite file), real vans; prints
push and pull rates, CPU seconds per 10 000 records (server and client processes, from
/proc and getrusage), bytes on the wire per record against the gzip size of the same
records' JSON, HTTP requests, the local ceiling (``executemany`` of the pulled rows into a
fresh store through the same SQLCipher engine) with the pull's share of it, and one day's
data (30 consultations + 30 people) over 1 Mbit/s with 200 ms round trips on a small store
(2 000 records) and on the large one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("VAN_APP_KEYRING_BACKEND", "memory")

import requests  # noqa: E402

from van_app.core.keystore import KdfParams  # noqa: E402
from van_app.core.models import Beneficiary, SocialConsultation  # noqa: E402
from van_app.sync.client import SyncClient  # noqa: E402
from van_app.sync.credentials import TokenStore  # noqa: E402
from van_app.sync.engine import SyncEngine  # noqa: E402
from van_app.sync.enrolment import enrol_device  # noqa: E402
from van_app.sync.wire import record_fields  # noqa: E402

PASSWORD = "bench-password-2026"
FAST = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)
TODAY = dt.date(2026, 11, 23)
BANDWIDTH = 1_000_000 / 8  # bytes per second, each way
ONE_WAY = 0.1  # seconds: 200 ms round trip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "VAN_SYNC_DATABASE_URL": f"sqlite:///{folder / 'cms.db'}",
        "VAN_SYNC_ARGON2_TIME_COST": "1",
        "VAN_SYNC_ARGON2_MEMORY_KIB": "8192",
        "VAN_SYNC_ARGON2_PARALLELISM": "1",
    }
    cli = [sys.executable, "-m", "sync_server.cli"]
    for user, role in (("bench", "social_worker"), ("chef", "supervisor")):
        subprocess.run(
            [*cli, "create-user", user, "--display-name", user, "--role", role,
             "--cms", "CMS-BENCH", "--password", PASSWORD],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{url}/api/v1/health", timeout=0.5)
            break
        except requests.RequestException:
            time.sleep(0.05)
    return process, url


def van(folder: Path, url: str, user: str):  # type: ignore[no-untyped-def]
    tokens = TokenStore()
    store = enrol_device(folder, url, user, PASSWORD, tokens=tokens, kdf=FAST)
    return store, SyncClient(url, tokens.get(url, user))


def write_day(store, consultations: int) -> list:  # type: ignore[no-untyped-def]
    """``consultations`` signed social consultations, one person each, one transaction."""
    records = []
    with store.session() as session:
        for i in range(consultations):
            person = store.stamp(
                Beneficiary(
                    birth_name=f"Banc{i}", first_names="Essai", birth_date=dt.date(1970, 1, 1),
                    sex="F", commune_insee="26113", author="", device="",
                )
            )  # fmt: skip
            visit = store.stamp(
                SocialConsultation(
                    beneficiary_id=person.id, consultation_date=TODAY, duration_minutes=30,
                    arrival_mode="town_hall_poster", demand_types=["energy", "housing"],
                    actions=["information"], outcome="resolved_on_spot", status="signed",
                    signed_at=dt.datetime.now(dt.UTC),
                    note="Dossier FSL énergie préparé avec la personne ; pièces listées.",
                    author="", device="",
                )
            )  # fmt: skip
            session.add(person)
            session.flush()
            session.add(visit)
            records += [person, visit]
    return records


class SlowLink:
    """A proxy that delays each request and response by 100 ms plus its size at 1 Mbit/s."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target))
        time.sleep(2 * ONE_WAY)  # the TCP handshake over the slow link

        def forward(source: socket.socket, sink: socket.socket) -> None:
            try:
                while chunk := source.recv(65536):
                    time.sleep(ONE_WAY + len(chunk) / BANDWIDTH)
                    sink.sendall(chunk)
            except OSError:
                pass
            finally:
                for sock in (source, sink):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=forward, args=(client, upstream), daemon=True).start()
        forward(upstream, client)


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """Wall time and CPU of this process and the server between start and stop."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.wall = self.client = self.server = 0.0

    def __enter__(self) -> Meter:
        self._t, self._c, self._s = time.perf_counter(), own_cpu(), cpu_of(self.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t
        self.client = own_cpu() - self._c
        self.server = cpu_of(self.pid) - self._s


def ceiling(folder: Path, url: str, source) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Rows of ``source`` (every synced table) inserted with executemany into a fresh store of
    the same kind, in one transaction: records/s the database itself allows."""
    from sqlalchemy import insert, select

    from van_app.sync.wire import MODELS

    target, _ = van(folder, url, "chef")
    tables = []
    with source.read_session() as session:
        for model in MODELS.values():
            rows = [dict(r._mapping) for r in session.connection().execute(select(model.__table__))]
            tables.append((model, rows))
    with target.session() as session:  # the enrolment's own rows go: same ids again
        for model, _ in tables:
            session.connection().execute(model.__table__.delete())
    count = sum(len(rows) for _, rows in tables)
    start = time.perf_counter()
    with target.session() as session:
        connection = session.connection()
        for model, rows in tables:
            if rows:
                connection.execute(insert(model.__table__), rows)
    seconds = time.perf_counter() - start
    target.close()
    return count, count / seconds


def slow_day(
    folder: Path, url: str, name: str, server_pid: int
) -> tuple[float, int, int, bool, Meter]:
    """A van catches up, then one day (30 + 30) is timed over the slow link; then another
    day on loopback, its CPU measured (what the store's size costs, round trips aside)."""
    link = SlowLink(int(url.rsplit(":", 1)[1]))
    day_store, day_client = van(folder / name, url, "bench")
    slow = SyncClient(f"http://127.0.0.1:{link.port}", day_client.token)
    caught = SyncEngine(day_store, day_client).run()  # catch up on loopback: not timed
    write_day(day_store, 30)
    start = time.perf_counter()
    day = SyncEngine(day_store, slow).run()
    seconds = time.perf_counter() - start
    write_day(day_store, 30)
    with Meter(server_pid) as local:
        SyncEngine(day_store, day_client).run()
    day_store.close()
    return seconds, caught.pulled, day.requests, day.verified, local


def _day(figures: dict[str, str], size: str, found: tuple[float, int, int, bool, Meter]) -> None:
    seconds, held, requests_, ok, local = found
    figures[f"day, {size} store"] = (
        f"{seconds:.2f} s ({held} records held, {requests_} req, verified={ok})"
    )
    figures[f"day on loopback, {size} store"] = (
        f"{local.wall:.2f} s, CPU {local.client:.2f} laptop + {local.server:.2f} server"
    )


def run(n_records: int) -> dict[str, str]:
    consultations = n_records // 2
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url = server(folder)
        try:
            store, client = van(folder / "van", url, "bench")
            write_day(store, 1000)  # the small store's history: 2 000 records
            SyncEngine(store, client).run()
            _day(figures, "small", slow_day(folder, url, "small", process.pid))

            records = write_day(store, consultations)
            wire = [
                {"table": r.__tablename__, "id": r.id, "fields": record_fields(r)} for r in records
            ]
            gzip_size = len(gzip.compress(json.dumps(wire, separators=(",", ":")).encode(), 6))
            sent_before, requests_before = client.stats.bytes_sent, client.stats.requests
            marks: dict[str, float] = {}
            engine = SyncEngine(
                store,
                client,
                progress=lambda phase, *_: marks.setdefault(phase, time.perf_counter()),
            )
            with Meter(process.pid) as push:
                report = engine.run()
            n = len(records)
            figures["push, records/s"] = f"{n / push.wall:.0f} ({push.wall:.1f} s whole sync)"
            figures["push CPU s / 10 000 (server + client)"] = (
                f"{(push.server + push.client) * 10_000 / n:.2f} "
                f"({push.server * 10_000 / n:.2f} + {push.client * 10_000 / n:.2f})"
            )
            sent = client.stats.bytes_sent - sent_before
            figures["bytes sent / record vs gzip"] = (
                f"{sent / n:.0f} vs {gzip_size / n:.0f} = {sent / gzip_size:.2f}x"
            )
            figures["push requests"] = (
                f"{client.stats.requests - requests_before} (verified={report.verified}, "
                f"pulled back {report.pulled})"
            )
            quiet = SyncEngine(store, client).run()
            figures["quiet sync requests"] = f"{quiet.requests} (verified={quiet.verified})"

            chef_store, chef_client = van(folder / "chef", url, "chef")
            with Meter(process.pid) as pull:
                pulled = SyncEngine(chef_store, chef_client).run()
            rate = pulled.pulled / pull.wall
            figures["pull to a new device, records/s"] = (
                f"{rate:.0f} ({pulled.pulled} in {pull.wall:.1f} s, {pulled.requests} req, "
                f"{chef_client.stats.bytes_received / max(1, pulled.pulled):.0f} B/record)"
            )
            figures["pull CPU s / 10 000 (server + client)"] = (
                f"{(pull.server + pull.client) * 10_000 / pulled.pulled:.2f} "
                f"({pull.server * 10_000 / pulled.pulled:.2f} + "
                f"{pull.client * 10_000 / pulled.pulled:.2f})"
            )
            count, local = ceiling(folder / "ceiling", url, chef_store)
            figures["local ceiling (executemany), records/s"] = (
                f"{local:.0f} ({count} rows); pull = {100 * rate / local:.0f} % of it"
            )
            _day(figures, "large", slow_day(folder, url, "large", process.pid))
            for s in (store, chef_store):
                s.close()
        finally:
            process.terminate()
            process.wait()
    return figures


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 50_000]
    results = {n: run(n) for n in sizes}
    print("1 Mbit/s, 200 ms RTT for the day; SQLite server; SQLCipher van stores")
    for key in results[sizes[0]]:
        print(f"{key:<42}" + " | ".join(f"{n:>6}: {results[n][key]}" for n in sizes))


if __name__ == "__main__":
    main()
