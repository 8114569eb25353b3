"""The server answers its health check without login, and documents itself."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sync_server import PROTOCOL_VERSION
from sync_server.main import create_app
from tests.server.conftest import fast_settings


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
