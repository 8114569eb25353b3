"""The real server (uvicorn on 127.0.0.1) and real van devices enrolled against it.

The server runs in a child process started with its own command line, as at the CMS, so a
test can kill it with SIGKILL; accounts are made with ``van-sync-server create-user``.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
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
    "eblanc": ("Emma Blanc", ["supervisor", "pmi_nurse"], "CMS-DIE"),
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
    state_dir: Path | None = None  # where a PostgreSQL server keeps its high-water mark

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, **SERVER_ENV, "VAN_SYNC_DATABASE_URL": self.database_url}
        if self.state_dir is not None:
            env["VAN_SYNC_STATE_DIR"] = str(self.state_dir)
        return env

    def admin(self, *args: str) -> str:
        """``van-sync-server <args>`` on this server's database, as the administrator types it.

        Run in this process (the command's own ``main``) to spare a Python start per call.
        """
        from sync_server.cli import main

        out = io.StringIO()
        saved = os.environ.get("VAN_SYNC_STATE_DIR")
        if self.state_dir is not None:
            os.environ["VAN_SYNC_STATE_DIR"] = str(self.state_dir)
        try:
            with contextlib.redirect_stdout(out):
                code = main([*args, "--database-url", self.database_url])
        finally:
            if saved is None:
                os.environ.pop("VAN_SYNC_STATE_DIR", None)
            else:
                os.environ["VAN_SYNC_STATE_DIR"] = saved
        assert code in (0, None), out.getvalue()
        return out.getvalue()

    @property
    def log_path(self) -> Path:
        """The server's own output, kept to read when a test meets a 5xx."""
        folder = self.state_dir or Path(self.database_url.removeprefix("sqlite:///")).parent
        return folder / "server.log"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                server_command("serve", "--port", str(self.port)),
                env=self.env(),
                stdout=log,
                stderr=log,
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


@contextlib.contextmanager
def _server_env() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in SERVER_ENV}
    os.environ.update(SERVER_ENV)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[SyncServer]:
    """A server process on an SQLite file in ``folder``, stopped after."""
    with _server_env():
        server = SyncServer(f"sqlite:///{folder / 'cms.db'}", free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """One server process per test module; each test works in a CMS of its own."""
    with serving(tmp_path_factory.mktemp("cms")) as server:
        yield server


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), 0.5):
        return True
    return False


@pytest.fixture(scope="module")
def pg_sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """The same server on a fresh PostgreSQL database (dropped after); skipped only when
    nothing answers on 127.0.0.1:5432."""
    if not postgres_answers():
        pytest.skip("PostgreSQL ne répond pas sur 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"van_sync_e2e_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with _server_env():
            server = SyncServer(
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                free_port(),
                state_dir=tmp_path_factory.mktemp("state"),
            )
            server.start()
            yield server
            server.stop()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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


def _enrolling(tmp_path: Path, server: SyncServer) -> Iterator[Callable[..., Van]]:
    number = next(_TEST_NUMBER)
    vans: list[Van] = []
    created: set[str] = set()

    def make(account: str, server_url: str | None = None) -> Van:
        name, roles, cms = ACCOUNTS[account]
        username = f"{account}{number}"
        if username not in created:
            role_args = [arg for role in roles for arg in ("--role", role)]
            server.admin(
                "create-user", username, "--display-name", name, *role_args,
                "--cms", f"{cms}-{number}", "--password", PASSWORD,
            )  # fmt: skip
            created.add(username)
        url = server_url or server.url
        folder = tmp_path / f"van-{username}-{len(vans)}"
        tokens = TokenStore()
        store = enrol_device(folder, url, username, PASSWORD, tokens=tokens, kdf=FAST_KDF)
        van = Van(folder, store, SyncClient(url, tokens.get(url, username)))
        vans.append(van)
        return van

    yield make
    for van in vans:
        van.close()


@pytest.fixture
def enrol(tmp_path: Path, sync_server: SyncServer) -> Iterator[Callable[..., Van]]:
    """enrol("amartin") → a new laptop enrolled online for that account.

    Accounts are created for this test only, in a CMS of its own ("dvalence" in a second
    one), so tests sharing the server never see each other's records.
    """
    yield from _enrolling(tmp_path, sync_server)


@pytest.fixture
def pg_enrol(tmp_path: Path, pg_sync_server: SyncServer) -> Iterator[Callable[..., Van]]:
    """``enrol`` against the server on PostgreSQL."""
    yield from _enrolling(tmp_path, pg_sync_server)


def add_person(van: Van, birth_name: str = "Achard", first: str = "Josiane", **values) -> str:  # type: ignore[no-untyped-def]
    """A person registered on ``van`` (tests.factories.add_person on its store)."""
    return factories.add_person(van.store, birth_name=birth_name, first_names=first, **values)
