"""The backup and restore runbook of docs/server.md, end to end with real laptops.

The commands are the guide's (``pg_dump --format=custom`` / ``dropdb`` / ``createdb`` /
``pg_restore --no-owner``, ``sqlite3 … ".backup …"``, then ``mark-restored``), run on a real
server process. A laptop enrolled before the backup recovers by itself; one enrolled after it
is refused (``invalid_token``: "Réinscrire ce poste…"), gets a new token with its
professional's password, and everything written anywhere is on the server once.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import FAST_KDF
from tests.sync.conftest import (
    PASSWORD,
    PG_ADMIN_URL,
    SyncServer,
    Van,
    _server_env,
    add_person,
    free_port,
    postgres_answers,
    serving,
)
from tests.sync.helpers import rows
from tests.sync.test_laptop_access import server_people
from van_app.core.outbox import OutboxEntry
from van_app.sync.client import DeviceNotAuthorizedError, SyncClient
from van_app.sync.credentials import TokenStore
from van_app.sync.enrolment import enrol_device, obtain_token

PG = "postgresql://postgres@127.0.0.1:5432"
CMS = "CMS-RUNBOOK"


@pytest.fixture(autouse=True)
def _memory_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAN_APP_KEYRING_BACKEND", "memory")


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)


class SqliteRunbook:
    """docs/server.md, "Backups and restores", SQLite."""

    def __init__(self, server: SyncServer, folder: Path) -> None:
        self.server, self.folder = server, folder
        self.database = Path(server.database_url.removeprefix("sqlite:///"))

    def backup(self) -> Path:
        copy = self.folder / "sync-backup.db"
        _run("sqlite3", str(self.database), f".backup {copy}")
        return copy

    def restore(self, copy: Path) -> None:
        self.server.stop()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(copy, self.database)
        self.server.admin("mark-restored")
        self.server.start()


class PostgresRunbook:
    """docs/server.md, "Backups and restores", PostgreSQL."""

    def __init__(self, server: SyncServer, folder: Path, name: str) -> None:
        self.server, self.folder, self.name = server, folder, name

    def backup(self) -> Path:
        dump = self.folder / "van_sync.dump"
        _run("pg_dump", "--format=custom", f"--file={dump}", f"{PG}/{self.name}")
        return dump

    def restore(self, dump: Path) -> None:
        self.server.stop()
        target = ("-h", "127.0.0.1", "-U", "postgres")
        _run("dropdb", *target, self.name)
        _run("createdb", *target, self.name)
        _run("pg_restore", "--no-owner", f"--dbname={PG}/{self.name}", str(dump))
        self.server.admin("mark-restored")
        self.server.start()


@pytest.fixture(params=["sqlite", "postgresql"])
def runbook(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqliteRunbook | PostgresRunbook]:
    folder = tmp_path_factory.mktemp("runbook")
    if request.param == "sqlite":
        if shutil.which("sqlite3") is None:
            pytest.skip("sqlite3 (Debian's sqlite3 package) is not installed")
        with serving(folder) as server:
            yield SqliteRunbook(server, folder)
        return
    if not postgres_answers() or shutil.which("pg_dump") is None:
        pytest.skip("PostgreSQL or its client tools are not here")
    name = f"van_sync_runbook_{secrets.token_hex(6)}"
    (folder / "state").mkdir()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with _server_env():
            server = SyncServer(
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                free_port(),
                state_dir=folder / "state",
            )
            server.start()
            try:
                yield PostgresRunbook(server, folder, name)
            finally:
                server.stop()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _account(server: SyncServer, username: str) -> None:
    server.admin(
        "create-user", username, "--display-name", username.title(), "--role", "social_worker",
        "--cms", CMS, "--password", PASSWORD,
    )  # fmt: skip


def _laptop(server: SyncServer, folder: Path, username: str) -> Van:
    tokens = TokenStore()
    store = enrol_device(folder, server.url, username, PASSWORD, tokens=tokens, kdf=FAST_KDF)
    return Van(folder, store, SyncClient(server.url, tokens.get(server.url, username)))


def test_the_runbook_restores_and_every_laptop_recovers(
    runbook: SqliteRunbook | PostgresRunbook, tmp_path: Path
) -> None:
    server = runbook.server
    _account(server, "amartin")
    _account(server, "dvalence")  # her laptop is enrolled after the backup
    early = _laptop(server, tmp_path / "early", "amartin")
    before = add_person(early, "Avant")
    assert early.sync().verified
    copy = runbook.backup()

    late = _laptop(server, tmp_path / "late", "dvalence")  # enrolled after the backup
    synced_late = add_person(late, "Tardif")
    assert late.sync().verified
    waiting_late = add_person(late, "Attente")  # never synced before the restore
    lost_early = add_person(early, "Perdue")  # synced, then lost with the restore
    assert early.sync().verified

    runbook.restore(copy)

    # The laptop enrolled before the backup sends back what it wrote by itself (what the
    # other laptop wrote, only that laptop may send back).
    early.sync()
    # The one enrolled after it: "Réinscrire ce poste…", then its password gives a new token.
    with pytest.raises(DeviceNotAuthorizedError) as refused:
        late.sync()
    assert refused.value.code == "invalid_token"
    late.client = SyncClient(server.url, obtain_token(late.store, server.url, PASSWORD))
    reports = [late.sync(), late.sync()]
    assert reports[-1].verified, reports[-1].mismatches
    reports = [early.sync(), early.sync()]
    assert reports[-1].verified, reports[-1].mismatches

    people = server_people(server, early)
    assert set(people) == {before, synced_late, waiting_late, lost_early}
    assert rows(late, OutboxEntry) == [] and rows(early, OutboxEntry) == []
    early.close()
    late.close()
