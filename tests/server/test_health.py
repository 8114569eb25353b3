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
