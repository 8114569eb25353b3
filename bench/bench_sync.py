"""Sync figures on loopback and over an emulated slow link (a script, not a test).

Run: .venv/bin/python bench/bench_sync.py [consultations]   (default 10 000)
Starts the real server (its own command line, a fresh SQLite file), enrols real vans and
reports: push and pull rates, bytes on the wire per record against the gzip size of the
same records' JSON, HTTP requests for a quiet sync and for the whole push, and the time of
one day's data (30 consultations) over 1 Mbit/s with 200 ms round trips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
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


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url = server(folder)
        try:
            store, client = van(folder / "van", url, "bench")
            records = write_day(store, count)
            n_records = len(records)
            wire = [
                {"table": r.__tablename__, "id": r.id, "fields": record_fields(r)} for r in records
            ]
            gzip_size = len(gzip.compress(json.dumps(wire, separators=(",", ":")).encode(), 6))
            marks: dict[str, float] = {}
            engine = SyncEngine(
                store,
                client,
                progress=lambda phase, *_: marks.setdefault(phase, time.perf_counter()),
            )
            start = time.perf_counter()
            report = engine.run()
            total = time.perf_counter() - start
            push_time = marks.get("pull", time.perf_counter()) - start
            sent = client.stats.bytes_sent
            print(f"{count} consultations (+{count} people) = {n_records} records")
            print(f"  push: {n_records / push_time:8.0f} records/s  ({push_time:.1f} s)")
            print(
                f"  whole first sync: {total:.1f} s, {report.requests} HTTP requests, "
                f"verified={report.verified}"
            )
            print(
                f"  bytes sent per record: {sent / n_records:.0f} "
                f"(gzip of the same records' JSON: {gzip_size / n_records:.0f})"
            )
            quiet = SyncEngine(store, client).run()
            print(f"  quiet sync: {quiet.requests} HTTP request(s), verified={quiet.verified}")

            chef_store, chef_client = van(folder / "chef", url, "chef")
            start = time.perf_counter()
            pulled = SyncEngine(chef_store, chef_client).run()
            pull_time = time.perf_counter() - start
            print(
                f"  pull (a new supervisor device): {pulled.pulled / pull_time:8.0f} records/s "
                f"({pulled.pulled} records, {pull_time:.1f} s, {pulled.requests} requests, "
                f"{chef_client.stats.bytes_received / max(1, pulled.pulled):.0f} "
                "bytes/record received)"
            )

            link = SlowLink(int(url.rsplit(":", 1)[1]))
            day_store, day_client = van(folder / "day", url, "bench")
            slow = SyncClient(f"http://127.0.0.1:{link.port}", day_client.token)
            SyncEngine(day_store, slow).run()  # catch up first: the day's sync alone is timed
            write_day(day_store, 30)
            start = time.perf_counter()
            day = SyncEngine(day_store, slow).run()
            print(
                f"  one day (30 consultations + 30 people) over 1 Mbit/s, 200 ms RTT: "
                f"{time.perf_counter() - start:.1f} s, {day.requests} requests, "
                f"verified={day.verified}"
            )
            for s in (store, chef_store, day_store):
                s.close()
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
