"""The administration commands, called in-process on the test database."""

from __future__ import annotations

import datetime as dt
import getpass

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from sync_server.cli import build_parser, main, parse_period
from sync_server.core.db import session_scope
from sync_server.models import AuditEvent, Device, utcnow
from tests.server.conftest import Server, protocol_headers


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """``main`` on the test database, with Argon2id at a test cost."""
    monkeypatch.setenv("VAN_SYNC_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("VAN_SYNC_ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("VAN_SYNC_ARGON2_PARALLELISM", "1")
    url = engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> int:
        return main([*args, "--database-url", url])

    return run


def _enrol(server: Server, username: str, password: str) -> int:
    response = server.client.post(
        "/api/v1/auth/enrol",
        json={"username": username, "password": password, "device_name": "Portable"},
        headers=protocol_headers(),
    )
    if response.status_code == 200:
        server.tokens[username] = response.json()["token"]
        server.devices[username] = response.json()["device_id"]
    return response.status_code


def test_create_user_with_a_password_option_and_list_it(
    cli, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(
        "create-user", "amartin", "--display-name", "Agnès Martin", "--role", "social_worker",
        "--role", "supervisor", "--cms", "CMS-DIE", "--password", "Lavande-2026",
    )  # fmt: skip
    assert code == 0
    assert "Compte « amartin » créé" in capsys.readouterr().out
    assert _enrol(server, "amartin", "Lavande-2026") == 200
    assert cli("list-users") == 0
    listing = capsys.readouterr().out
    assert "amartin" in listing and "Agnès Martin" in listing and "actif" in listing
    with session_scope(server.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user_created")).one()
    assert event.detail["target"] == "amartin"


def test_password_from_the_environment_or_asked_twice(
    cli, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAN_SYNC_PASSWORD", "Depuis-env-2026")
    assert cli("create-user", "bnguyen", "--display-name", "Binh", "--role", "pmi_nurse",
               "--cms", "CMS-DIE") == 0  # fmt: skip
    monkeypatch.delenv("VAN_SYNC_PASSWORD")
    answers = iter(["Tape-deux-fois", "Tape-deux-fois", "un", "deux"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert cli("create-user", "croux", "--display-name", "Claire", "--role", "supervisor",
               "--cms", "CMS-DIE") == 0  # fmt: skip
    assert cli("create-user", "dlopez", "--display-name", "D", "--role", "supervisor",
               "--cms", "CMS-DIE") == 1  # fmt: skip
    assert "diffèrent" in capsys.readouterr().err
    assert _enrol(server, "bnguyen", "Depuis-env-2026") == 200
    assert _enrol(server, "croux", "Tape-deux-fois") == 200


def test_refusals_are_explained_in_french(cli, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--display-name", "A", "--cms", "CMS-DIE", "--password", "Assez-long-1"]
    assert cli("create-user", "amartin", "--role", "social_worker", *base) == 0
    assert cli("create-user", "amartin", "--role", "social_worker", *base) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert cli("create-user", "x", "--role", "chef", *base) == 1
    assert "Rôle inconnu" in capsys.readouterr().err
    short = ["--display-name", "A", "--cms", "C", "--password", "court"]
    assert cli("create-user", "y", "--role", "supervisor", *short) == 1
    assert "trop court" in capsys.readouterr().err
    assert cli("disable-user", "personne") == 1
    assert cli("revoke-device", "nimporte") == 1
    assert "Aucun" in capsys.readouterr().err


def test_disable_user_and_revoke_device_take_effect_at_once(
    cli, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    assert cli("list-devices", "amartin") == 0
    listing = capsys.readouterr().out
    assert server.devices["amartin"] in listing and server.devices["bnguyen"] not in listing
    assert cli("revoke-device", server.devices["amartin"]) == 0
    assert cli("disable-user", "bnguyen") == 0
    for username, code in (("amartin", "device_revoked"), ("bnguyen", "user_disabled")):
        response = server.client.get("/api/v1/sync/summary", headers=server.headers(username))
        assert (response.status_code, response.json()["code"]) == (401, code)
    assert cli("list-devices") == 0
    assert "révoqué" in capsys.readouterr().out
    with session_scope(server.engine) as session:
        device = session.get(Device, server.devices["amartin"])
        actions = {e.action for e in session.exec(select(AuditEvent)).all()}
    assert device.revoked_at is not None
    assert {"device_revoked", "user_disabled"} <= actions


def test_seed_demo_creates_the_van_apps_demo_accounts_once(
    cli, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("seed-demo") == 0
    assert "amartin, bnguyen, croux" in capsys.readouterr().out
    assert cli("seed-demo") == 0
    assert "existent déjà" in capsys.readouterr().out
    for username in ("amartin", "bnguyen", "croux"):
        assert _enrol(server, username, "demo") == 200
    staff = server.pulled("croux", "staff_account")
    names = {r["fields"]["username"]: r["fields"] for r in staff.values()}
    assert names["croux"]["display_name"] == "Claire Roux"
    assert names["amartin"]["roles"] == ["social_worker"]
    assert {f["cms_code"] for f in names.values()} == {"CMS-DIE"}


def test_demo_accounts_match_the_van_app() -> None:
    from sync_server.cli import DEMO_CMS, DEMO_PASSWORD, DEMO_USERS
    from van_app.core import demo

    van_app_demo = (
        tuple((u, n, list(r)) for u, n, r in demo.DEMO_USERS),
        demo.DEMO_CMS,
        demo.DEMO_PASSWORD,
    )
    assert van_app_demo == (DEMO_USERS, DEMO_CMS, DEMO_PASSWORD)


def test_help_is_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["create-user", "--help"])
    text = capsys.readouterr().out
    assert "créer un compte" in text and "rôle (répétable)" in text


def test_enable_user_lets_the_laptops_sync_again_but_not_a_revoked_one(
    cli, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server.user("amartin", ["social_worker"])
    first_device, first_token = server.devices["amartin"], server.tokens["amartin"]
    server.enrol("amartin", "Second portable")
    assert cli("revoke-device", first_device) == 0
    assert cli("disable-user", "amartin") == 0
    assert cli("enable-user", "amartin") == 0
    assert "réactivé" in capsys.readouterr().out
    response = server.client.get("/api/v1/sync/summary", headers=server.headers("amartin"))
    assert response.status_code == 200
    revoked = {**protocol_headers(), "Authorization": f"Bearer {first_token}"}
    response = server.client.get("/api/v1/sync/summary", headers=revoked)
    assert (response.status_code, response.json()["code"]) == (401, "device_revoked")
    staff = server.pulled("amartin", "staff_account")
    assert [r["fields"]["active"] for r in staff.values()] == [True]
    assert cli("enable-user", "personne") == 1
    assert "Aucun compte" in capsys.readouterr().err
    with session_scope(server.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "user_enabled" in actions


@pytest.mark.parametrize(
    ("text", "hours"), [("14d", 336), ("14j", 336), ("2w", 336), ("2s", 336), ("36h", 36)]
)
def test_periods_of_silent_since(text: str, hours: int) -> None:
    assert parse_period(text) == dt.timedelta(hours=hours)


def test_devices_silent_since_lists_the_laptops_that_stopped_syncing(
    cli, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utcnow()
    ages = {"amartin": 20, "bnguyen": 3, "croux": None, "dlopez": 40, "evidal": 30}
    for username in ages:
        server.user(username, ["social_worker"])
    with session_scope(server.engine, write=True) as session:
        for username, days in ages.items():
            device = session.get(Device, server.devices[username])
            device.last_seen_at = None if days is None else now - dt.timedelta(days=days)
            if username == "croux":  # enrolled a month ago, never synced since
                device.created_at = now - dt.timedelta(days=31)
            session.add(device)
    assert cli("revoke-device", server.devices["dlopez"]) == 0  # a revoked one is not missed
    assert cli("disable-user", "evidal") == 0  # nor one of someone who left
    capsys.readouterr()
    assert cli("devices", "--silent-since", "14d") == 0
    listing = capsys.readouterr().out
    assert "2 poste(s) sans synchronisation depuis plus de 14 jour(s)" in listing
    assert server.devices["amartin"] in listing and server.devices["croux"] in listing
    for quiet in ("bnguyen", "dlopez", "evidal"):
        assert server.devices[quiet] not in listing
    assert cli("devices", "--silent-since", "2w") == 0
    assert capsys.readouterr().out == listing
    assert cli("devices", "--silent-since", "36h") == 0
    assert server.devices["bnguyen"] in capsys.readouterr().out
    assert cli("devices", "--silent-since", "60d") == 0
    assert "Tous les postes actifs" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli("devices", "--silent-since", "deux semaines")
    assert "illisible" in capsys.readouterr().err
