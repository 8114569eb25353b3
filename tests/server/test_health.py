"""The server answers its health check without login, and documents itself."""

from __future__ import annotations

import logging
import logging.config
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine, text

from sync_server import PROTOCOL_VERSION
from sync_server.core.logs import logging_config
from sync_server.main import create_app
from tests.server.conftest import fast_settings, postgres_available

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def uvicorn_serving_logged(app: Any) -> Iterator[str]:
    """The app under uvicorn with the logging already configured (as ``serve`` runs it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_health_needs_no_login_and_states_protocol() -> None:
    client = TestClient(create_app(fast_settings()))
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["protocol_version"] == PROTOCOL_VERSION
    assert "/api/v1/health" in client.get("/openapi.json").json()["paths"]


def test_interactive_api_pages_only_in_development() -> None:
    production = TestClient(create_app(fast_settings()))
    assert production.get("/docs").status_code == 404
    assert production.get("/redoc").status_code == 404
    assert production.get("/openapi.json").status_code == 200  # the protocol's contract
    development = TestClient(create_app(fast_settings(environment="development")))
    assert development.get("/docs").status_code == 200


def test_readiness_answers_while_the_database_does(tmp_path: Path) -> None:
    client = TestClient(create_app(fast_settings(f"sqlite:///{tmp_path / 'sync.db'}")))
    response = client.get("/api/v1/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready", "database": "ok"})


def test_readiness_fails_when_the_sqlite_file_is_removed(tmp_path: Path) -> None:
    database = tmp_path / "sync.db"
    app = create_app(fast_settings(f"sqlite:///{database}"))
    client = TestClient(app)
    assert client.get("/api/v1/ready").status_code == 200
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
    assert "Base de données du serveur indisponible" in response.json()["detail"]
    assert client.get("/api/v1/health").status_code == 200  # alive, not ready
    app.state.engine.dispose()


def test_readiness_fails_when_the_postgresql_database_is_dropped() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL ne répond pas sur 127.0.0.1:5432")
    name = f"van_sync_ready_{secrets.token_hex(6)}"
    admin = create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        app = create_app(fast_settings(f"{PG}/{name}"))
        client = TestClient(app)
        assert client.get("/api/v1/ready").status_code == 200
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert response.json()["code"] == "not_ready"
        assert response.headers["Retry-After"] == "30"
        app.state.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        fast_settings(environment="prod")


def test_log_files_rotate_and_access_lines_keep_no_query_string(tmp_path: Path) -> None:
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'sync.db'}", log_dir=tmp_path / "logs", log_max_bytes=2000
    )
    logging.config.dictConfig(logging_config(settings))
    try:
        with uvicorn_serving_logged(create_app(settings)) as url:
            for _ in range(30):
                requests.get(f"{url}/api/v1/sync/pull?since=0&limit=MOREL-Lucie", timeout=5)
            requests.get(f"{url}/api/v1/ready", timeout=5)
        logging.getLogger("sync_server").info("arrêt du test")
    finally:
        for handler in logging.getLogger("uvicorn.access").handlers:
            handler.close()
        for handler in logging.getLogger("sync_server").handlers:
            handler.close()
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert "access.log" in files and "access.log.1" in files  # rotated by size
    access = "".join((tmp_path / "logs" / f).read_text() for f in files if "access" in f)
    assert "/api/v1/sync/pull" in access and "/api/v1/ready" in access
    assert "MOREL" not in access and "since=" not in access
    assert "arrêt du test" in (tmp_path / "logs" / "server.log").read_text(encoding="utf-8")
