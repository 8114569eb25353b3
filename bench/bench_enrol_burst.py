"""A burst of unauthenticated enrolments against a real server (a script, not a test).

Run: .venv/bin/python bench/bench_enrol_burst.py [requests]   (default 80)
Starts the real server (its own command line, a fresh SQLite file, the production Argon2id
cost: 64 MiB per check), enrols one honest laptop, then fires the burst (unknown usernames,
all at once) while the honest laptop keeps syncing. Prints the server's peak memory, the
honest sync's latency (p50, p95, max) before and during the burst, and how the burst was
answered (401 checked, 429 throttled, 503 queue full).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(burst: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-enrol-"))
    env = {**os.environ, "VAN_SYNC_DATABASE_URL": f"sqlite:///{folder / 'cms.db'}"}
    cli = [sys.executable, "-m", "sync_server.cli"]
    subprocess.run(
        [*cli, "create-user", "honest", "--display-name", "Honnête", "--role", "social_worker",
         "--cms", "CMS-DIE", "--password", PASSWORD],
        env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/v1"
    headers = {"X-Protocol-Version": "2"}
    try:
        for _ in range(200):
            try:
                requests.get(f"{url}/health", timeout=0.5)
                break
            except requests.RequestException:
                time.sleep(0.05)
        token = requests.post(
            f"{url}/auth/enrol",
            json={"username": "honest", "password": PASSWORD, "device_name": "Camion"},
            headers=headers,
            timeout=60,
        ).json()["token"]
        sync_headers = {**headers, "Authorization": f"Bearer {token}"}

        def one_sync() -> float:
            start = time.perf_counter()
            response = requests.post(f"{url}/sync", json={"changes": []}, headers=sync_headers)
            assert response.status_code == 200, response.text
            return time.perf_counter() - start

        quiet = [one_sync() for _ in range(20)]
        baseline = rss_mib(server.pid)
        peak = [baseline]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak.append(rss_mib(server.pid))
                time.sleep(0.05)

        def stranger(i: int) -> int:
            return requests.post(
                f"{url}/auth/enrol",
                json={"username": f"inconnu{i}", "password": "x" * 12, "device_name": "?"},
                headers=headers,
                timeout=120,
            ).status_code

        sampler = threading.Thread(target=sample)
        sampler.start()
        during: list[float] = []
        started = time.perf_counter()
        with ThreadPoolExecutor(burst) as pool:
            futures = [pool.submit(stranger, i) for i in range(burst)]
            while not all(f.done() for f in futures):
                during.append(one_sync())
                time.sleep(0.05)
            statuses = [f.result() for f in futures]
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        high_water = rss_mib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=10)

    def ms(values: list[float], q: float) -> str:
        ordered = sorted(values)
        return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.0f} ms"

    print(f"burst: {burst} enrolments with unknown usernames, answered in {elapsed:.1f} s")
    print(
        "answers: "
        + ", ".join(f"{code} × {statuses.count(code)}" for code in sorted(set(statuses)))
    )
    memory = f"{baseline:.0f} MiB before, peak {max(peak):.0f} MiB (VmHWM {high_water:.0f})"
    print(f"server memory: {memory}")
    print(
        f"honest sync before: p50 {statistics.median(quiet) * 1000:.0f} ms; during the burst "
        f"({len(during)} syncs): p50 {ms(during, 0.5)}, p95 {ms(during, 0.95)}, "
        f"max {max(during) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
