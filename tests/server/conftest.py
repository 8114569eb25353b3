"""Server fixtures: each test runs on SQLite (a temporary file) and on PostgreSQL (a database
made for this test session, dropped after; skipped only if nothing answers on 5432)."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uuid6
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlmodel import delete

from sync_server import PROTOCOL_VERSION
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.core.security import hash_password
from sync_server.main import create_app
from sync_server.models import metadata
from sync_server.services import accounts
from sync_server.services.versions import ensure_server_meta

PG_HOST, PG_PORT = "127.0.0.1", 5432
PASSWORD = "Soleil-du-Diois-2026"
CMS = "CMS-DIE"


def fast_settings(database_url: str = "", **overrides: Any) -> Settings:
    """Argon2id at a test cost (the production cost is argon2-cffi's default)."""
    if database_url:
        overrides["database_url"] = database_url  # else VAN_SYNC_DATABASE_URL (a test folder)
    return Settings(
        argon2_time_cost=1,
        argon2_memory_kib=8 * 1024,
        argon2_parallelism=1,
        **overrides,
    )


def postgres_available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _no_user_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in these tests may write the real server database of the account."""
    monkeypatch.setenv("VAN_SYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'default-sync.db'}")
    monkeypatch.setenv("VAN_SYNC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("VAN_SYNC_PASSWORD", raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("PostgreSQL ne répond pas sur 127.0.0.1:5432")
    name = f"van_sync_test_{secrets.token_hex(6)}"
    admin = create_engine(
        f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def session_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per backend for the whole session; tests empty it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sync') / 'sync.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(session_engine: Engine) -> Engine:
    """The backend's database, emptied, with a new server id."""
    with session_scope(session_engine, write=True) as session:
        for table in reversed(metadata.sorted_tables):
            session.exec(delete(table))  # type: ignore[call-overload]
        ensure_server_meta(session)
    database = session_engine.url.database
    if session_engine.url.get_backend_name() == "sqlite" and database:
        # A new database, not a restored one: its high-water mark goes with the old one.
        Path(f"{database}.high-water.json").unlink(missing_ok=True)
    return session_engine


@dataclass
class Server:
    """A test server: the app, its database, and helpers to make users and devices."""

    client: TestClient
    engine: Engine
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)

    def add_user(
        self,
        username: str,
        roles: list[str],
        cms_code: str = CMS,
        display_name: str | None = None,
    ) -> None:
        with session_scope(self.engine, write=True) as session:
            accounts.create_user(
                session,
                username=username,
                display_name=display_name or username.title(),
                roles=roles,
                cms_code=cms_code,
                password_hash=hash_password(self.settings, PASSWORD),
            )

    def enrol(self, username: str, device_name: str = "Portable du camion") -> str:
        response = self.client.post(
            "/api/v1/auth/enrol",
            json={"username": username, "password": PASSWORD, "device_name": device_name},
            headers=protocol_headers(),
        )
        assert response.status_code == 200, response.text
        self.tokens[username] = response.json()["token"]
        self.devices[username] = response.json()["device_id"]
        return response.json()["token"]

    def user(self, username: str, roles: list[str], cms_code: str = CMS) -> str:
        self.add_user(username, roles, cms_code)
        return self.enrol(username)

    def headers(self, username: str) -> dict[str, str]:
        return {**protocol_headers(), "Authorization": f"Bearer {self.tokens[username]}"}

    def push(self, username: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post(
            "/api/v1/sync/push", json={"changes": list(changes)}, headers=self.headers(username)
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull_all(self, username: str, since: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        while True:
            response = self.client.get(
                f"/api/v1/sync/pull?since={since}&limit={limit}", headers=self.headers(username)
            )
            assert response.status_code == 200, response.text
            page = response.json()
            records += page["records"]
            since = page["next"]
            if not page["more"]:
                return records

    def pulled(self, username: str, table: str) -> dict[str, dict[str, Any]]:
        """The latest pulled state of each record of a table, by id."""
        latest: dict[str, dict[str, Any]] = {}
        for record in self.pull_all(username):
            if record["table"] == table:
                latest[record["id"]] = record
        return latest


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1, in a thread; its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def protocol_headers() -> dict[str, str]:
    return {"X-Protocol-Version": str(PROTOCOL_VERSION)}


@pytest.fixture
def server(engine: Engine) -> Iterator[Server]:
    settings = fast_settings()
    with TestClient(create_app(settings, engine=engine)) as client:
        yield Server(client, engine, settings)


# -- changes ---------------------------------------------------------------------------------

STAMP = "2026-03-02T09:15:00.000000Z"


def new_id() -> str:
    return str(uuid6.uuid7())


def change(
    table: str,
    record_id: str,
    fields: dict[str, Any],
    *,
    base_version: int | None = None,
    deleted: bool = False,
    change_id: str | None = None,
) -> dict[str, Any]:
    return {
        "change_id": change_id or str(uuid.uuid4()),
        "table": table,
        "id": record_id,
        "base_version": base_version,
        "fields": fields,
        "deleted": deleted,
    }


def beneficiary(**overrides: Any) -> dict[str, Any]:
    fields = {
        "created_at": STAMP,
        "updated_at": STAMP,
        "deleted": False,
        "birth_name": "MOREL",
        "usual_name": None,
        "first_names": "Lucie",
        "birth_date": "1988-04-12",
        "sex": "F",
        "birthplace": None,
        "commune_insee": "26113",
        "phone": "0475000000",
        "known_to_cms": False,
        "information_date": "2026-03-02",
    }
    fields.update(overrides)
    return fields


def social_consultation(beneficiary_id: str, **overrides: Any) -> dict[str, Any]:
    fields = {
        "created_at": STAMP,
        "updated_at": STAMP,
        "beneficiary_id": beneficiary_id,
        "stop_id": None,
        "consultation_date": "2026-03-02",
        "duration_minutes": 30,
        "known_before": False,
        "status": "draft",
        "signed_at": None,
        "arrival_mode": "spontaneous",
        "demand_types": ["rsa"],
        "actions": ["inform"],
        "outcome": None,
        "note": "Demande d'aide pour le dossier RSA.",
    }
    fields.update(overrides)
    return fields


def pmi_consultation(beneficiary_id: str, **overrides: Any) -> dict[str, Any]:
    fields = {
        "created_at": STAMP,
        "updated_at": STAMP,
        "beneficiary_id": beneficiary_id,
        "stop_id": None,
        "consultation_date": "2026-03-02",
        "duration_minutes": 20,
        "known_before": True,
        "status": "draft",
        "signed_at": None,
        "kind": "child",
        "weight_g": 7450,
        "length_mm": 680,
        "head_circumference_mm": 440,
        "feeding_mode": "mixed",
        "vaccinations": ["DTP-1"],
        "development": [],
        "advice_topics": ["sleep"],
        "orientation_partner": None,
        "orientation_date": None,
        "next_appointment": None,
        "gestational_age_weeks": None,
        "expected_term_date": None,
        "maternal_weight_g": None,
        "blood_pressure_systolic": None,
        "blood_pressure_diastolic": None,
        "early_prenatal_interview_done": None,
        "note": "Pesée mensuelle.",
    }
    fields.update(overrides)
    return fields
