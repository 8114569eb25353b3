"""A hostile client, over real HTTP (uvicorn on 127.0.0.1), on SQLite and on PostgreSQL.

Every class of bad string (lone surrogates, NUL, control characters, line breaks where one
line is expected, too long) in every position a client controls: a bad change is refused
alone with ``code: invalid`` and a French reason while the rest of the batch applies; a bad
request is a 4xx; never a 5xx; and every other user of the CMS still pulls afterwards.
Property-based values too: whatever is accepted comes back exactly as sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import select

from sync_server.core.db import session_scope
from sync_server.main import create_app
from sync_server.models import AuditEvent
from tests.server.conftest import (
    Server,
    beneficiary,
    change,
    fast_settings,
    new_id,
    protocol_headers,
    social_consultation,
    uvicorn_serving,
)

BAD_STRINGS = {
    "lone high surrogate": "Ana\ud800",
    "lone low surrogate": "\udfffAna",
    "NUL": "Ana\x00",
    "control": "Ana\x01",
    "escape": "\x1b[31mAna",
    "DEL": "Ana\x7f",
    "C1 control": "Ana\x85",
}
ONE_LINE_ONLY = {"line break": "Ana\nMarie", "tab": "Ana\tMarie"}


@contextlib.contextmanager
def serving(engine: Engine, **overrides: Any) -> Iterator[Server]:
    """The app under uvicorn on a real socket, on the test's database (either backend)."""
    app = create_app(fast_settings(**overrides), engine=engine)
    with uvicorn_serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        team = Server(client, engine, app.state.settings)  # type: ignore[arg-type]
        team.user("amartin", ["social_worker"])
        team.user("bnguyen", ["pmi_nurse"])
        team.user("croux", ["supervisor"])
        yield team


@pytest.fixture
def live(engine: Engine) -> Iterator[Server]:
    with serving(engine) as team:
        yield team


def raw_push(team: Server, username: str, changes: list[Any]) -> httpx.Response:
    """A body written by hand: json.dumps escapes a lone surrogate as the JSON text allows."""
    body = json.dumps({"changes": changes}).encode("ascii")
    headers = {**team.headers(username), "Content-Type": "application/json"}
    return team.client.post("/api/v1/sync/push", content=body, headers=headers)  # type: ignore[union-attr]


def everyone_still_pulls(team: Server) -> None:
    for username in ("amartin", "bnguyen", "croux"):
        assert team.pull_all(username)
        summary = team.client.get("/api/v1/sync/summary", headers=team.headers(username))
        assert summary.status_code == 200


def positions(bad: str) -> dict[str, dict[str, Any]]:
    """Where a client puts a string in a change: each one a change of its own."""
    person = new_id()
    return {
        "value": change("beneficiary", new_id(), beneficiary(birth_name=bad)),
        "list item": change(
            "social_consultation", new_id(), social_consultation(person, demand_types=[bad])
        ),
        "field name": change("beneficiary", new_id(), {**beneficiary(), bad: "x"}),
        "change id": change("beneficiary", new_id(), beneficiary(), change_id=bad),
        "record id": change("beneficiary", bad, beneficiary()),
        "table": change(bad, new_id(), beneficiary()),
        "seen value": {
            **change("beneficiary", new_id(), beneficiary()),
            "seen": {"phone": bad},
        },
        "conflict value": {
            **change(
                "sync_conflict",
                new_id(),
                {
                    "table": "beneficiary",
                    "record_id": person,
                    "field": "phone",
                    "value_class": "S",
                    "kept_value": bad,
                    "other_value": "x",
                },
            ),
            "replay": True,
            "origins": {},
        },
    }


@pytest.mark.parametrize("bad", [*BAD_STRINGS.values(), *ONE_LINE_ONLY.values()])
def test_a_bad_string_anywhere_in_a_change_is_refused_alone(live: Server, bad: str) -> None:
    for position, hostile in positions(bad).items():
        good = change("beneficiary", new_id(), beneficiary())
        response = raw_push(live, "amartin", [hostile, good])
        assert response.status_code == 200, (position, response.text)
        first, second = response.json()["results"]
        assert first["status"] == "rejected", position
        assert first["code"] in ("invalid", "unknown_table", "forbidden_table"), position
        assert first["reason"], position
        assert second["status"] == "applied", position
    everyone_still_pulls(live)


@pytest.mark.parametrize("bad", BAD_STRINGS.values())
def test_free_text_refuses_control_characters_but_keeps_line_breaks(live: Server, bad: str) -> None:
    person = new_id()
    live.push("amartin", change("beneficiary", person, beneficiary()))
    note = "Première ligne.\n\tDeuxième ligne."
    fine, refused = (
        raw_push(
            live,
            "amartin",
            [change("social_consultation", new_id(), social_consultation(person, note=text))],
        ).json()["results"][0]
        for text in (note, note + bad)
    )
    assert fine["status"] == "applied" and refused["code"] == "invalid"
    [stored] = [r for r in live.pull_all("bnguyen") if r["table"] == "social_consultation"]
    assert "note" not in stored["fields"]  # C class: the nurse does not read it
    [mine] = [r for r in live.pull_all("amartin") if r["table"] == "social_consultation"]
    assert mine["fields"]["note"] == note


@pytest.mark.parametrize("bad", BAD_STRINGS.values())
def test_bad_strings_in_requests_are_4xx_never_5xx(live: Server, bad: str) -> None:
    http = live.client
    escaped = json.dumps(bad)
    enrolments = [
        f'{{"username": {escaped}, "password": "x", "device_name": "Camion"}}',
        f'{{"username": "amartin", "password": "x", "device_name": {escaped}}}',
        f'{{"username": "amartin", "password": {escaped}, "device_name": "Camion"}}',
        f'{{"username": "amartin", "password": "x", "device_name": "C", "install_id": {escaped}}}',
        f'{{"username": "amartin", "password": "x", "device_name": "C", '
        f'"install_id": "{"0" * 32}", "recovery_key": {escaped}}}',
    ]
    for body in enrolments:
        response = http.post(  # type: ignore[union-attr]
            "/api/v1/auth/enrol",
            content=body.encode("ascii"),
            headers={**protocol_headers(), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["detail"]
    headers = live.headers("amartin")
    for method, path, body in (
        ("POST", "/api/v1/sync/fetch", {"records": [{"table": "beneficiary", "id": bad}]}),
        ("POST", "/api/v1/sync/fetch", {"records": [{"table": bad, "id": new_id()}]}),
        ("POST", "/api/v1/sync/digests", {"table": bad}),
        ("POST", "/api/v1/sync/summary", {"exclude": [bad]}),
        ("POST", "/api/v1/sync", {"changes": [], "since": 0, "exclude": [bad]}),
        ("POST", "/api/v1/auth/recovery", {"install_id": bad, "recovery_key": "A" * 43 + "="}),
        ("POST", "/api/v1/auth/recovery", {"install_id": "0" * 32, "recovery_key": bad}),
        ("POST", "/api/v1/auth/password", {"current_password": bad, "new_password": "x" * 9}),
        ("POST", "/api/v1/auth/password", {"current_password": "x", "new_password": bad * 9}),
    ):
        response = http.request(  # type: ignore[union-attr]
            method,
            path,
            content=json.dumps(body).encode("ascii"),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code < 500, (path, response.text)
    for query in ("since=abc", "since=%00", "limit=-1", "since=1e99"):
        response = http.get(f"/api/v1/sync/pull?{query}", headers=headers)  # type: ignore[union-attr]
        assert 400 <= response.status_code < 500, query
    response = http.get(  # type: ignore[union-attr]
        "/api/v1/sync/pull", headers={**headers, "X-Server-Id": "not an id"}
    )
    assert response.status_code == 422
    everyone_still_pulls(live)


HOSTILE_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), min_size=0, max_size=40)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=HOSTILE_TEXT, item=HOSTILE_TEXT)
def test_whatever_is_accepted_comes_back_exactly(live: Server, value: str, item: str) -> None:
    person, visit = new_id(), new_id()
    results = raw_push(
        live,
        "amartin",
        [
            change("beneficiary", person, beneficiary(usual_name=value)),
            change("social_consultation", visit, social_consultation(person, actions=[item])),
        ],
    )
    assert results.status_code == 200, results.text
    outcome = [r["status"] for r in results.json()["results"]]
    assert set(outcome) <= {"applied", "rejected"}
    pulled = {r["id"]: r for r in live.pull_all("amartin")}
    if outcome[0] == "applied":
        assert pulled[person]["fields"]["usual_name"] == value
    if outcome == ["applied", "applied"]:
        assert pulled[visit]["fields"]["actions"] == [item]
    for username in ("bnguyen", "croux"):
        assert live.pull_all(username)


def burst(team: Server, count: int) -> list[int]:
    """``count`` wrong passwords for one account, all at once from threads."""

    def attempt(_: int) -> int:
        return httpx.post(
            f"{team.client.base_url}/api/v1/auth/enrol",  # type: ignore[union-attr]
            json={"username": "bnguyen", "password": "mauvais", "device_name": "Camion"},
            headers=protocol_headers(),
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def checked_passwords(team: Server) -> int:
    with session_scope(team.engine) as session:
        return len(
            session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "login_failed", AuditEvent.username == "bnguyen"
                )
            ).all()
        )


def test_a_burst_of_wrong_passwords_checks_at_most_five(live: Server) -> None:
    statuses = burst(live, 30)
    assert 1 <= statuses.count(401) <= 5
    assert set(statuses) <= {401, 429, 503}
    assert checked_passwords(live) <= 5


def test_the_hourly_cap_holds_through_a_burst(engine: Engine) -> None:
    # Without the growing delays, only the cap of 100 per hour stands in the way.
    with serving(engine, login_free_failures=1000, login_max_failures_per_hour=100) as team:
        assert burst(team, 40).count(401) == 40
        assert burst(team, 40).count(401) == 40
        statuses = burst(team, 40)
        assert statuses.count(401) == 20 and statuses.count(429) == 20
        assert checked_passwords(team) == 100


def test_forged_timestamps_are_refused_or_brought_back(live: Server) -> None:
    future = "9999-12-31T00:00:00.000000Z"
    person, old = new_id(), new_id()
    [clamped, refused] = live.push(
        "amartin",
        change("beneficiary", person, beneficiary(updated_at=future, created_at=future)),
        change("beneficiary", old, beneficiary(created_at="1900-01-01T00:00:00.000000Z")),
    )
    assert clamped["status"] == "applied" and refused["code"] == "invalid"
    stored = live.pulled("croux", "beneficiary")[person]["fields"]
    assert stored["updated_at"] < "2100" and stored["created_at"] < "2100"
    # A later honest edit still wins a same-field conflict against that laptop.
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    [late] = live.push(
        "bnguyen",
        change("beneficiary", person, {"phone": "0611", "updated_at": now}, base_version=0),
    )
    assert late["status"] in ("applied", "merged")
    assert live.pulled("croux", "beneficiary")[person]["fields"]["phone"] == "0611"
