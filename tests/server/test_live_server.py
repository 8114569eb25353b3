"""The real server under uvicorn, on a real socket, answers health and enrolment."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync_server.core.db import session_scope
from sync_server.core.security import hash_password
from sync_server.main import create_app
from sync_server.services import accounts
from tests.server.conftest import (
    PASSWORD,
    beneficiary,
    change,
    fast_settings,
    new_id,
    uvicorn_serving,
)


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    settings = fast_settings(database_url=f"sqlite:///{tmp_path / 'live.db'}")
    app = create_app(settings)
    with session_scope(app.state.engine, write=True) as session:
        accounts.create_user(
            session,
            username="amartin",
            display_name="Agnès Martin",
            roles=["social_worker"],
            cms_code="CMS-DIE",
            password_hash=hash_password(settings, PASSWORD),
        )
    with uvicorn_serving(app) as url:
        yield url
    app.state.engine.dispose()


def test_health_enrol_and_a_gzip_push_over_http(live_url: str) -> None:
    with httpx.Client(base_url=live_url, timeout=10) as http:
        assert http.get("/api/v1/health").json()["status"] == "ok"
        headers = {"X-Protocol-Version": "2"}
        enrol = http.post(
            "/api/v1/auth/enrol",
            json={"username": "amartin", "password": PASSWORD, "device_name": "Camion"},
            headers=headers,
        )
        assert enrol.status_code == 200, enrol.text
        headers["Authorization"] = f"Bearer {enrol.json()['token']}"
        body = {"changes": [change("beneficiary", new_id(), beneficiary())]}
        push = http.post(
            "/api/v1/sync/push",
            content=gzip.compress(json.dumps(body).encode()),
            headers={**headers, "Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
        assert push.json()["results"][0]["status"] == "applied"
        pull = http.get("/api/v1/sync/pull?since=0", headers=headers)
        assert [r["table"] for r in pull.json()["records"]] == ["staff_account", "beneficiary"]
