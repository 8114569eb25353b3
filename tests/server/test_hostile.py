"""Hostile input gets a French 4xx with a code and changes nothing; never a 500."""

from __future__ import annotations

import gzip
import json
import time
import zlib

import pytest

from tests.server.conftest import Server, beneficiary, change, new_id

PUSH = "/api/v1/sync/push"


@pytest.fixture
def amartin(server: Server) -> Server:
    server.user("amartin", ["social_worker"])
    return server


def _post(server: Server, body: bytes, **headers: str):
    return server.client.post(
        PUSH,
        content=body,
        headers={**server.headers("amartin"), "Content-Type": "application/json", **headers},
    )


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"[]",
        b'{"changes": "all"}',
        b'{"changes": [' + b"[" * 5000 + b"]" * 5000 + b"]}",  # too deep for the parser: 400
    ],
)
def test_malformed_requests_are_refused_whole_in_french(amartin: Server, body: bytes) -> None:
    response = _post(amartin, body)
    _assert_error(response, 400 if body.count(b"[") > 100 else 422, "invalid")
    assert response.json()["detail"].startswith("Requête invalide")
    assert amartin.pull_all("amartin")[-1]["table"] == "staff_account"  # nothing applied


@pytest.mark.parametrize(
    "body",
    [
        b'{"changes": [1, 2]}',
        b'{"changes": [{"change_id": 5, "table": "beneficiary", "id": "x"}]}',
        b'{"changes": [{"table": "beneficiary", "id": "x"}]}',
        b'{"changes": [{"change_id": "c", "table": "beneficiary", "id": "x", "fields": []}]}',
        b'{"changes": [{"change_id": "c", "table": "t", "id": "x", "base_version": "new"}]}',
        b'{"changes": [{"change_id": "' + b"c" * 100 + b'", "table": "t", "id": "x"}]}',
        b'{"changes": [{"change_id": "c", "table": "t", "id": "x", "deleted": "maybe"}]}',
        b'{"changes": [{"change_id": "c\\ud800", "table": "beneficiary", "id": "x"}]}',
        b'{"changes": [{"change_id": "c", "table": "beneficiary", "id": "x\\u0000"}]}',
    ],
)
def test_a_change_that_does_not_fit_is_refused_alone_in_french(
    amartin: Server, body: bytes
) -> None:
    response = _post(amartin, body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results and all(r["status"] == "rejected" for r in results)
    assert all(r["code"] == "invalid" and r["reason"] for r in results)
    assert amartin.pull_all("amartin")[-1]["table"] == "staff_account"  # nothing applied


@pytest.mark.parametrize(
    "value",
    [
        "x" * 100_000,
        {"nested": {"deep": [1, 2, 3]}},
        [1, 2],
        float("inf"),
        -1,
        "1988-04-12T00:00:00Z",
        "\ud800",
    ],
)
def test_hostile_field_values_reject_only_their_change(amartin: Server, value: object) -> None:
    good, bad = new_id(), new_id()
    body = {
        "changes": [
            change("beneficiary", bad, beneficiary(birth_date=value)),
            change("beneficiary", good, beneficiary()),
        ]
    }
    response = _post(amartin, json.dumps(body).encode())
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert (first["status"], first["code"]) == ("rejected", "invalid")
    assert second["status"] == "applied"


def test_unknown_fields_tables_and_ids(amartin: Server) -> None:
    results = amartin.push(
        "amartin",
        change("beneficiary", new_id(), beneficiary(**{"__class__": 1})),
        change("../etc", new_id(), {}),
        change("beneficiary", "' OR 1=1 --", beneficiary()),
        change("beneficiary", new_id(), beneficiary(), base_version=-5),
    )
    assert [r["code"] for r in results] == ["invalid", "unknown_table", "invalid", "invalid"]


def test_too_big_bodies_get_413(amartin: Server) -> None:
    huge = json.dumps({"changes": [], "pad": "x" * (2 * 1024 * 1024 + 10)}).encode()
    _assert_error(_post(amartin, huge), 413, "too_large")
    many = {"changes": [change("beneficiary", new_id(), {}) for _ in range(501)]}
    response = _post(amartin, json.dumps(many).encode())
    _assert_error(response, 413, "too_many_changes")
    assert "500" in response.json()["detail"]


def test_gzip_bodies_are_accepted_and_bombs_stopped(amartin: Server) -> None:
    record_id = new_id()
    body = json.dumps({"changes": [change("beneficiary", record_id, beneficiary())]}).encode()
    response = _post(amartin, gzip.compress(body), **{"Content-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"

    inflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = inflater.compress(b'{"changes": [], "pad": "' + b" " * (32 * 1024 * 1024))
    bomb += inflater.flush()
    assert len(bomb) < 100_000  # 32 MB once inflated: 16 times the limit
    started = time.monotonic()
    _assert_error(_post(amartin, bomb, **{"Content-Encoding": "gzip"}), 413, "too_large")
    assert time.monotonic() - started < 2

    _assert_error(
        _post(amartin, b"\x1f\x8bnot gzip", **{"Content-Encoding": "gzip"}), 400, "invalid"
    )
    _assert_error(
        _post(amartin, gzip.compress(body)[:-8], **{"Content-Encoding": "gzip"}), 400, "invalid"
    )
    _assert_error(_post(amartin, body, **{"Content-Encoding": "br"}), 415, "unsupported_encoding")


def test_responses_are_gzipped_when_asked(amartin: Server) -> None:
    amartin.push("amartin", *(change("beneficiary", new_id(), beneficiary()) for _ in range(20)))
    response = amartin.client.get(
        "/api/v1/sync/pull?since=0",
        headers={**amartin.headers("amartin"), "Accept-Encoding": "gzip"},
    )
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["records"]) == 21


def test_query_and_route_errors_are_json_in_french(amartin: Server) -> None:
    headers = amartin.headers("amartin")
    client = amartin.client
    _assert_error(client.get("/api/v1/sync/pull?since=-1", headers=headers), 422, "invalid")
    _assert_error(client.get("/api/v1/sync/pull?since=abc", headers=headers), 422, "invalid")
    _assert_error(
        client.get("/api/v1/sync/pull?since=" + "9" * 400, headers=headers), 422, "invalid"
    )
    _assert_error(client.get("/api/v1/nowhere", headers=headers), 404, "not_found")
    _assert_error(client.get(PUSH, headers=headers), 405, "method_not_allowed")
    big = client.get("/api/v1/sync/pull?since=0&limit=1000000", headers=headers)
    assert big.status_code == 200  # clamped to the server's maximum
    response = client.post(
        "/api/v1/auth/enrol",
        json={"username": "x" * 65, "password": "p", "device_name": "d"},
        headers=headers,
    )
    _assert_error(response, 422, "invalid")
    assert "x" * 65 not in response.text  # the input is not echoed back
    weird = {**headers, "Authorization": ("Bearer " + "é" * 10).encode("utf-8")}
    assert client.get("/api/v1/sync/summary", headers=weird).status_code in (400, 401)
