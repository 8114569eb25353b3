"""Enrolment, device tokens, 401s at once, protocol version, login rate limiting, audit."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from sync_server.core.db import session_scope
from sync_server.core.security import token_digest
from sync_server.models import AuditEvent, Device, LoginAttempt, utcnow
from sync_server.services import accounts
from tests.server.conftest import PASSWORD, Server, protocol_headers

ENROL = "/api/v1/auth/enrol"
SUMMARY = "/api/v1/sync/summary"


def _enrol(server: Server, username: str, password: str) -> tuple[int, dict, dict]:
    response = server.client.post(
        ENROL,
        json={"username": username, "password": password, "device_name": "Portable"},
        headers=protocol_headers(),
    )
    return response.status_code, response.json(), dict(response.headers)


def _audit(server: Server, action: str) -> list[AuditEvent]:
    with session_scope(server.engine) as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


def test_enrol_gives_a_random_token_stored_only_as_its_hash(server: Server) -> None:
    server.add_user("amartin", ["social_worker"], display_name="Agnès Martin")
    status, body, _ = _enrol(server, "amartin", PASSWORD)
    assert status == 200
    assert body["user"] == {
        "username": "amartin",
        "display_name": "Agnès Martin",
        "roles": ["social_worker"],
        "cms_code": "CMS-DIE",
    }
    assert len(body["token"]) >= 22  # ≥ 128 bits in URL-safe base64
    with session_scope(server.engine) as session:
        device = session.get(Device, body["device_id"])
    assert device.token_sha256 == token_digest(body["token"])
    assert body["token"] not in device.token_sha256
    headers = {**protocol_headers(), "Authorization": f"Bearer {body['token']}"}
    assert server.client.get(SUMMARY, headers=headers).status_code == 200
    assert _audit(server, "enrol")[0].username == "amartin"


def test_wrong_password_and_unknown_user_look_the_same(server: Server) -> None:
    server.add_user("amartin", ["social_worker"])
    wrong = _enrol(server, "amartin", "pas-le-bon")
    unknown = _enrol(server, "personne", PASSWORD)
    assert wrong[0] == unknown[0] == 401
    assert wrong[1] == unknown[1]
    assert wrong[1]["code"] == "invalid_credentials"
    assert "mot de passe" in wrong[1]["detail"]
    assert [e.username for e in _audit(server, "login_failed")] == ["amartin", "personne"]


def test_revoked_device_and_disabled_user_are_refused_at_once(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    assert server.client.get(SUMMARY, headers=server.headers("amartin")).status_code == 200
    with session_scope(server.engine, write=True) as session:
        accounts.revoke_device(session, server.devices["amartin"])
        accounts.disable_user(session, "bnguyen")
    revoked = server.client.get(SUMMARY, headers=server.headers("amartin"))
    disabled = server.client.get(SUMMARY, headers=server.headers("bnguyen"))
    assert (revoked.status_code, revoked.json()["code"]) == (401, "device_revoked")
    assert (disabled.status_code, disabled.json()["code"]) == (401, "user_disabled")
    assert _enrol(server, "bnguyen", PASSWORD)[1]["code"] == "user_disabled"
    status, _, _ = _enrol(server, "amartin", PASSWORD)  # a new enrolment works again
    assert status == 200


def test_unknown_or_missing_token(server: Server) -> None:
    bogus = {**protocol_headers(), "Authorization": "Bearer abc"}
    response = server.client.get(SUMMARY, headers=bogus)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    response = server.client.get(SUMMARY, headers=protocol_headers())
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_old_or_silent_clients_are_told_to_update(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    auth = {"Authorization": f"Bearer {server.tokens['amartin']}"}
    for headers in (auth, {**auth, "X-Protocol-Version": "0"}, {**auth, "X-Protocol-Version": "x"}):
        response = server.client.get(SUMMARY, headers=headers)
        assert response.status_code == 426
        assert response.json()["code"] == "client_too_old"
        assert "mise à jour" in response.json()["detail"]
    response = server.client.post(
        ENROL, json={"username": "amartin", "password": PASSWORD, "device_name": "x"}
    )
    assert response.status_code == 426
    assert server.client.get("/api/v1/health").status_code == 200  # no header needed


def test_administrators_do_not_sync(server: Server) -> None:
    server.add_user("admin", ["administrator"])
    status, body, _ = _enrol(server, "admin", PASSWORD)
    assert (status, body["code"]) == (403, "forbidden_role")


def test_login_rate_limit_per_account(server: Server) -> None:
    server.add_user("amartin", ["social_worker"])
    server.add_user("bnguyen", ["pmi_nurse"])
    for _ in range(5):
        assert _enrol(server, "amartin", "faux")[0] == 401
    status, body, headers = _enrol(server, "amartin", PASSWORD)  # even the right password waits
    assert (status, body["code"]) == (429, "rate_limited")
    assert int(headers["retry-after"]) >= 1
    assert "réessayez" in body["detail"]
    assert _enrol(server, "bnguyen", PASSWORD)[0] == 200  # another account is not affected
    with session_scope(server.engine) as session:
        assert len(session.exec(select(LoginAttempt)).all()) == 5  # throttled tries not counted
    assert _audit(server, "login_throttled")[0].username == "amartin"


def test_login_delay_passes_then_doubles(server: Server) -> None:
    server.add_user("amartin", ["social_worker"])
    earlier = utcnow() - dt.timedelta(seconds=30)
    with session_scope(server.engine, write=True) as session:
        for _ in range(5):
            accounts.record_failure(session, "amartin", earlier)
    assert _enrol(server, "amartin", "faux")[0] == 401  # the 1 s delay has passed
    status, _, headers = _enrol(server, "amartin", PASSWORD)
    assert status == 429
    assert int(headers["retry-after"]) == 2  # 6 failures: 2 s


def test_a_hundred_failures_an_hour_stop_all_checks(server: Server) -> None:
    server.add_user("amartin", ["social_worker"])
    start = utcnow() - dt.timedelta(minutes=50)
    with session_scope(server.engine, write=True) as session:
        for i in range(100):
            session.add(LoginAttempt(username="amartin", at=start + dt.timedelta(seconds=i)))
    status, _, headers = _enrol(server, "amartin", PASSWORD)
    assert status == 429
    assert 9 * 60 <= int(headers["retry-after"]) <= 10 * 60 + 1
