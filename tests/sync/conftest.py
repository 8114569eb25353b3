"""The real server (uvicorn on 127.0.0.1) and real van devices enrolled against it.

The server runs in a child process started with its own command line, as at the CMS, so a
test can kill it with SIGKILL; accounts are made with ``van-sync-server create-user``.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests import factories
from tests.conftest import FAST_KDF
from van_app.core.local_store import LocalStore
from van_app.sync.client import SyncClient
from van_app.sync.credentials import TokenStore
from van_app.sync.engine import SyncEngine
from van_app.sync.enrolment import enrol_device

PASSWORD = "Soleil-du-Diois-2026"
SERVER_ENV = {
    "VAN_SYNC_ARGON2_TIME_COST": "1",
    "VAN_SYNC_ARGON2_MEMORY_KIB": "8192",
    "VAN_SYNC_ARGON2_PARALLELISM": "1",
}
ACCOUNTS = {
    "amartin": ("Agnès Martin", ["social_worker"], "CMS-DIE"),
    "bnguyen": ("Binh Nguyen", ["pmi_nurse"], "CMS-DIE"),
    "croux": ("Claire Roux", ["supervisor"], "CMS-DIE"),
    "dvalence": ("Denis Valence", ["social_worker"], "CMS-VALENCE"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sync_server.cli", *args]


@dataclass
class SyncServer:
    """A server process on a database file; ``kill()`` is SIGKILL, ``start()`` starts again."""

    database_url: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, **SERVER_ENV, "VAN_SYNC_DATABASE_URL": self.database_url}

    def admin(self, *args: str) -> str:
        """``van-sync-server <args>`` on this server's database, as the administrator types it.

        Run in this process (the command's own ``main``) to spare a Python start per call.
        """
        from sync_server.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main([*args, "--database-url", self.database_url])
        assert code in (0, None), out.getvalue()
        return out.getvalue()

    def start(self) -> None:
        self.process = subprocess.Popen(
            server_command("serve", "--port", str(self.port)),
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/v1/health", timeout=0.5)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError("the sync server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """One server process per test module; each test works in a CMS of its own."""
    saved = {name: os.environ.get(name) for name in SERVER_ENV}
    os.environ.update(SERVER_ENV)
    folder = tmp_path_factory.mktemp("cms")
    server = SyncServer(f"sqlite:///{folder / 'cms.db'}", free_port())
    server.start()
    yield server
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_TEST_NUMBER = iter(range(1, 1_000_000))


@dataclass
class Van:
    """One laptop: its own data folder, its local store, its engine against one server."""

    data_dir: Path
    store: LocalStore
    client: SyncClient

    @property
    def username(self) -> str:
        return self.store.user.username

    def engine(self, **options) -> SyncEngine:  # type: ignore[no-untyped-def]
        return SyncEngine(self.store, self.client, **options)

    def sync(self, **options):  # type: ignore[no-untyped-def]
        return self.engine(**options).run()

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def enrol(tmp_path: Path, sync_server: SyncServer) -> Iterator[Callable[..., Van]]:
    """enrol("amartin") → a new laptop enrolled online for that account.

    Accounts are created for this test only, in a CMS of its own ("dvalence" in a second
    one), so tests sharing the server never see each other's records.
    """
    number = next(_TEST_NUMBER)
    vans: list[Van] = []
    created: set[str] = set()

    def make(account: str, server_url: str | None = None) -> Van:
        name, roles, cms = ACCOUNTS[account]
        username = f"{account}{number}"
        if username not in created:
            role_args = [arg for role in roles for arg in ("--role", role)]
            sync_server.admin(
                "create-user", username, "--display-name", name, *role_args,
                "--cms", f"{cms}-{number}", "--password", PASSWORD,
            )  # fmt: skip
            created.add(username)
        url = server_url or sync_server.url
        folder = tmp_path / f"van-{username}-{len(vans)}"
        tokens = TokenStore()
        store = enrol_device(folder, url, username, PASSWORD, tokens=tokens, kdf=FAST_KDF)
        van = Van(folder, store, SyncClient(url, tokens.get(url, username)))
        vans.append(van)
        return van

    yield make
    for van in vans:
        van.close()


def add_person(van: Van, birth_name: str = "Achard", first: str = "Josiane", **values) -> str:  # type: ignore[no-untyped-def]
    """A person registered on ``van`` (tests.factories.add_person on its store)."""
    return factories.add_person(van.store, birth_name=birth_name, first_names=first, **values)
