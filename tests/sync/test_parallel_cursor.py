"""Many vans at once on PostgreSQL: a pull cursor never skips a committed change.

The server runs with two worker processes (``serve --workers 2``); pushers in threads push
small batches of new people at the same time while pullers page through with small limits,
each following its own cursor. Versions are taken in one push transaction and committed in
their order, so every puller must end up having seen every person pushed (invariant 4). A
push and a pull from one device also never wait on each other (a pull takes no lock).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.server.conftest import beneficiary, change, new_id
from tests.sync.conftest import PG_ADMIN_URL, SERVER_ENV, free_port, postgres_answers

PUSHERS, PULLERS, PUSHES, PER_PUSH = 4, 3, 25, 4
PASSWORD = "mot-de-passe-long"
HEADERS = {"X-Protocol-Version": "2"}


@pytest.fixture(scope="module")
def pg_workers(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A two-worker server on a fresh PostgreSQL database with the accounts, dropped after."""
    if not postgres_answers():
        pytest.skip("PostgreSQL ne répond pas sur 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"van_sync_par_{secrets.token_hex(6)}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    state = tmp_path_factory.mktemp("state")
    env = {**os.environ, **SERVER_ENV, "VAN_SYNC_DATABASE_URL": url}
    env["VAN_SYNC_STATE_DIR"] = str(state)
    env["VAN_SYNC_MAX_PASSWORD_CHECKS"] = "16"
    cli = [sys.executable, "-m", "sync_server.cli"]
    process = None
    try:
        for i in range(PUSHERS + PULLERS):
            subprocess.run(
                [*cli, "create-user", f"pro{i}", "--display-name", f"Pro {i}",
                 "--role", "social_worker", "--cms", "CMS-PAR", "--password", PASSWORD],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        port = free_port()
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if requests.get(f"{base}/api/v1/health", timeout=0.5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        yield base
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _enrol(base: str, username: str) -> requests.Session:
    http = requests.Session()
    answer = http.post(
        f"{base}/api/v1/auth/enrol",
        json={"username": username, "password": PASSWORD, "device_name": "poste"},
        headers=HEADERS,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    http.headers.update({**HEADERS, "Authorization": f"Bearer {answer.json()['token']}"})
    return http


def test_parallel_pushes_never_make_a_cursor_skip(pg_workers: str) -> None:
    base = pg_workers
    pushers = [_enrol(base, f"pro{i}") for i in range(PUSHERS)]
    pullers = [_enrol(base, f"pro{PUSHERS + i}") for i in range(PULLERS)]
    pushed: set[str] = set()
    seen: list[set[str]] = [set() for _ in pullers]
    cursors = [0] * PULLERS
    done = threading.Event()
    errors: list[str] = []
    lock = threading.Lock()

    def push(http: requests.Session) -> None:
        for _ in range(PUSHES):
            ids = [new_id() for _ in range(PER_PUSH)]
            body = {"changes": [change("beneficiary", i, beneficiary()) for i in ids]}
            answer = http.post(f"{base}/api/v1/sync/push", json=body, timeout=60)
            if answer.status_code != 200:
                errors.append(answer.text)
                return
            statuses = {r["status"] for r in answer.json()["results"]}
            if statuses != {"applied"}:
                errors.append(str(statuses))
            with lock:
                pushed.update(ids)

    def pull(index: int) -> None:
        http = pullers[index]
        while True:
            finished = done.is_set()  # read before the page: the last pass is complete
            more = True
            while more:
                page = http.get(
                    f"{base}/api/v1/sync/pull",
                    params={"since": cursors[index], "limit": 3},
                    timeout=60,
                ).json()
                seen[index].update(r["id"] for r in page["records"] if r["table"] == "beneficiary")
                if page["next"] < cursors[index]:
                    errors.append(f"cursor went back: {cursors[index]} -> {page['next']}")
                cursors[index] = page["next"]
                more = page["more"]
            if finished:
                return

    threads = [threading.Thread(target=push, args=(http,)) for http in pushers]
    threads += [threading.Thread(target=pull, args=(i,)) for i in range(PULLERS)]
    for thread in threads:
        thread.start()
    for thread in threads[:PUSHERS]:
        thread.join(300)
    done.set()
    for thread in threads[PUSHERS:]:
        thread.join(300)
    assert not errors, errors[:3]
    assert len(pushed) == PUSHERS * PUSHES * PER_PUSH
    for index in range(PULLERS):
        missing = pushed - seen[index]
        assert not missing, f"puller {index} skipped {len(missing)} committed records"


def test_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sync_server.cli", "serve", "--workers", "2"]
    env = {**os.environ, "VAN_SYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    answer = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 2 and "PostgreSQL" in answer.stderr
