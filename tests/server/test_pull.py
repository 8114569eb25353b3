"""Pull: pages and cursor, field filtering per role, CMS scope, reviews, staff, summary."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlmodel import select

from sync_server.core.config import default_schema_path
from sync_server.core.db import session_scope
from sync_server.models import AuditEvent
from sync_server.services import accounts
from sync_server.wire_schema import load_schema
from tests.server.conftest import (
    STAMP,
    Server,
    beneficiary,
    change,
    new_id,
    pmi_consultation,
    social_consultation,
)

SCHEMA = load_schema(default_schema_path())


def _page(server: Server, username: str, since: int, limit: int) -> dict:
    response = server.client.get(
        f"/api/v1/sync/pull?since={since}&limit={limit}", headers=server.headers(username)
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_follow_the_cursor_without_skips_or_repeats(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    ids = [new_id() for _ in range(23)]
    server.push("amartin", *(change("beneficiary", i, beneficiary()) for i in ids[:10]))
    # Records changed again move to the end of the order; still pulled once per change.
    server.push("amartin", change("beneficiary", ids[0], {"phone": "0611"}, base_version=2))
    server.push("amartin", *(change("beneficiary", i, beneficiary()) for i in ids[10:]))
    since, seen, pages = 0, [], 0
    while True:
        page = _page(server, "amartin", since, 5)
        pages += 1
        versions = [r["version"] for r in page["records"]]
        assert versions == sorted(versions) and all(v > since for v in versions)
        seen += page["records"]
        assert page["next"] >= since
        since = page["next"]
        if not page["more"]:
            break
    assert pages == 5  # 24 records (23 people + the staff record), 5 a page
    assert page["server_max_version"] == since
    got = [r["id"] for r in seen if r["table"] == "beneficiary"]
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))
    assert _page(server, "amartin", since, 5) == {**page, "records": [], "more": False}


def test_limit_zero_only_says_whether_there_is_more(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    page = _page(server, "amartin", 0, 0)
    assert (page["records"], page["next"], page["more"]) == ([], 0, True)


@pytest.fixture
def team(server: Server) -> Server:
    """A CMS with each role, another CMS, and one visit of each service."""
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    server.user("croux", ["supervisor"])
    server.user("dboth", ["supervisor", "pmi_nurse"])
    server.user("nyons", ["social_worker", "pmi_nurse", "supervisor"], cms_code="CMS-NYO")
    person = new_id()
    server.push("amartin", change("beneficiary", person, beneficiary()))
    signed = {"status": "signed", "signed_at": STAMP}
    server.push(
        "amartin", change("social_consultation", new_id(), social_consultation(person, **signed))
    )
    server.push("bnguyen", change("pmi_consultation", new_id(), pmi_consultation(person)))
    answer = {"answered_on": "2026-03-02", "service": "social", "service_rendered": 4}
    answer |= {"reception": 4, "waiting_time": 3, "stop_id": None}
    server.push("amartin", change("satisfaction_answer", new_id(), answer))
    return server


def _fields_of(table: str, classes: str) -> set[str]:
    spec = SCHEMA[table].fields
    return {name for name, f in spec.items() if f.cls in classes and name != "id"}


@pytest.mark.parametrize(
    ("username", "classes", "satisfaction"),
    [
        ("amartin", "SC", False),
        ("bnguyen", "SM", False),
        ("croux", "SC", True),
        ("dboth", "SCM", True),
    ],
)
def test_role_matrix_of_pulled_fields(
    team: Server, username: str, classes: str, satisfaction: bool
) -> None:
    [social] = team.pulled(username, "social_consultation").values()
    [pmi] = team.pulled(username, "pmi_consultation").values()
    assert set(social["fields"]) == _fields_of("social_consultation", classes)
    assert set(pmi["fields"]) == _fields_of("pmi_consultation", classes)
    if "M" not in classes:
        assert "weight_g" not in pmi["fields"] and "note" not in pmi["fields"]
    if "C" not in classes:
        assert "note" not in social["fields"] and "demand_types" not in social["fields"]
    assert bool(team.pulled(username, "satisfaction_answer")) is satisfaction
    assert len(team.pulled(username, "beneficiary")) == 1


def test_another_cms_gets_nothing_of_ours(team: Server) -> None:
    records = team.pull_all("nyons")
    assert [(r["table"], r["fields"]["username"]) for r in records] == [("staff_account", "nyons")]


def test_everyone_of_the_cms_gets_the_staff_names(team: Server) -> None:
    staff = team.pulled("bnguyen", "staff_account")
    names = {r["fields"]["username"]: r["fields"] for r in staff.values()}
    assert set(names) == {"amartin", "bnguyen", "croux", "dboth"}
    assert names["amartin"]["active"] is True
    with session_scope(team.engine, write=True) as session:
        accounts.disable_user(session, "amartin")
    after = {
        r["fields"]["username"]: r["fields"]
        for r in team.pulled("bnguyen", "staff_account").values()
    }
    assert after["amartin"]["active"] is False


def test_reviews_go_to_supervisors_and_the_reviewed_author(team: Server) -> None:
    team.user("esocial", ["social_worker"])
    [visit_id] = team.pulled("amartin", "social_consultation")
    review = {
        "consultation_id": visit_id,
        "consultation_kind": "social",
        "status": "reviewed",
        "comment": "Bien.",
    }
    [result] = team.push("croux", change("supervisor_review", new_id(), review))
    assert result["status"] == "applied"
    assert len(team.pulled("amartin", "supervisor_review")) == 1
    assert len(team.pulled("dboth", "supervisor_review")) == 1
    assert team.pulled("esocial", "supervisor_review") == {}
    assert team.pulled("bnguyen", "supervisor_review") == {}
    summary = team.client.get("/api/v1/sync/summary", headers=team.headers("esocial")).json()
    assert summary["tables"]["supervisor_review"]["count"] == 0


READS = {"amartin": "SC", "bnguyen": "SM", "croux": "SC"}


def protocol_digest(record: dict, classes: str) -> str:
    """A record's digest as docs/protocol.md ("Verification") defines it, from its pulled
    fields and the shipped schema alone."""
    import json

    table = json.loads(default_schema_path().read_text("utf-8"))["tables"][record["table"]]
    parts = []
    for cls in "SCM":
        if cls not in classes:
            continue
        values = {
            name: record["fields"].get(name)
            for name, spec in table["fields"].items()
            if name != "id" and spec["class"] == cls
        }
        text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        parts.append(hashlib.sha256(text.encode()).hexdigest())
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:16]


def test_summary_checksums_match_what_was_pulled(team: Server) -> None:
    for username in ("amartin", "bnguyen", "croux"):
        latest: dict[tuple[str, str], str] = {}
        for record in team.pull_all(username):
            digest = protocol_digest(record, READS[username])
            latest[(record["table"], record["id"])] = f"{record['version']}:{digest}"
        response = team.client.get("/api/v1/sync/summary", headers=team.headers(username))
        summary = response.json()
        for table, info in summary["tables"].items():
            lines = sorted(f"{i}:{v}\n" for (t, i), v in latest.items() if t == table)
            assert info["count"] == len(lines), (username, table)
            assert info["checksum"] == hashlib.sha256("".join(lines).encode()).hexdigest()
    tables = team.client.get("/api/v1/sync/summary", headers=team.headers("amartin")).json()
    assert "satisfaction_answer" not in tables["tables"]


def additive(lines: list[str]) -> str:
    """docs/protocol.md: the sum modulo 2^128 of each line's SHA-256 first 16 bytes, in hex."""
    total = sum(int(hashlib.sha256(line.encode()).hexdigest()[:32], 16) for line in lines)
    return format(total % 2**128, "032x")


def test_additive_summaries_follow_writes_exclusions_and_every_way_of_asking(team: Server) -> None:
    """The ``sum`` checksum is the protocol's sum over the pulled records' lines, for each
    reader, before and after more writes (kept lines moved, not read again), with records
    left out, through GET, POST and the combined call."""
    team.user("esocial", ["social_worker"])
    [visit_id] = team.pulled("amartin", "social_consultation")
    review = {"consultation_id": visit_id, "consultation_kind": "social", "status": "reviewed"}
    team.push("croux", change("supervisor_review", new_id(), review | {"comment": "Bien."}))
    readers = READS | {"esocial": "SC"}

    def check(username: str, exclude: list[str]) -> None:
        latest: dict[tuple[str, str], str] = {}
        for record in team.pull_all(username):
            digest = protocol_digest(record, readers[username])
            latest[(record["table"], record["id"])] = f"{record['version']}:{digest}"
        headers = team.headers(username)
        answers = [
            team.client.post(
                "/api/v1/sync/summary",
                json={"exclude": exclude, "checksum_kind": "sum"},
                headers=headers,
            ).json(),
            team.client.post(
                "/api/v1/sync",
                json={"since": 10**6, "limit": 0, "exclude": exclude, "checksum_kind": "sum"},
                headers=headers,
            ).json()["summary"],
        ]
        if not exclude:
            answers.append(
                team.client.get("/api/v1/sync/summary?checksum_kind=sum", headers=headers).json()
            )
        for summary in answers:
            assert summary["checksum_kind"] == "sum"
            for table, info in summary["tables"].items():
                lines = [
                    f"{i}:{v}\n" for (t, i), v in latest.items() if t == table and i not in exclude
                ]
                assert info["count"] == len(lines), (username, table)
                assert info["checksum"] == additive(lines), (username, table)

    for username in readers:
        check(username, [])
    # More writes: a record changed, a new one; then a record left out.
    [(person, held)] = team.pulled("amartin", "beneficiary").items()
    edit = change(
        "beneficiary", person, beneficiary(first_names="Inès"), base_version=held["version"]
    )
    [result] = team.push("amartin", edit)
    assert result["status"] == "applied", result
    team.push("amartin", change("beneficiary", new_id(), beneficiary(birth_name="ROUX")))
    for username in readers:
        check(username, [])
        check(username, [person, "not-a-record"])


def test_a_checksum_kind_not_in_the_protocol_is_a_422(team: Server) -> None:
    headers = team.headers("amartin")
    bad = team.client.get("/api/v1/sync/summary?checksum_kind=md5", headers=headers)
    assert bad.status_code == 422
    sent = {**headers, "Content-Type": "application/json"}
    for kind in ("xor", "sum\x00", "\ud800", "s" * 10_000, None, 1):
        body = json.dumps({"since": 0, "limit": 0, "checksum_kind": kind})  # \ud800 escaped
        for path in ("/api/v1/sync/summary", "/api/v1/sync"):
            answer = team.client.post(path, content=body, headers=sent)
            assert answer.status_code == 422, (path, kind)
            assert answer.json()["detail"], (path, kind)
    plain = team.client.get("/api/v1/sync/summary", headers=headers).json()
    assert plain["checksum_kind"] == "sorted"


def test_combined_sync_pushes_pulls_and_checks_in_one_request(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    record_id = new_id()
    body = {"changes": [change("beneficiary", record_id, beneficiary())], "since": 0, "limit": 50}
    response = server.client.post("/api/v1/sync", json=body, headers=server.headers("amartin"))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["results"][0]["status"] == "applied"
    assert record_id in {r["id"] for r in data["records"]}  # the page is read after the push
    assert (data["more"], data["next"]) == (False, data["server_max_version"])
    assert data["summary"]["tables"]["beneficiary"]["count"] == 1
    assert data["server_id"] == data["summary"]["server_id"]
    quiet = {"changes": [], "since": data["next"], "limit": 50}
    again = server.client.post("/api/v1/sync", json=quiet, headers=server.headers("amartin"))
    assert (again.json()["results"], again.json()["records"]) == ([], [])
    assert again.json()["summary"] == data["summary"]
    paged = {"since": 0, "limit": 1}
    first = server.client.post("/api/v1/sync", json=paged, headers=server.headers("amartin"))
    assert first.json()["more"] is True and len(first.json()["records"]) == 1


def test_a_combined_call_may_leave_the_summary_out(server: Server) -> None:
    """A client that pushes checks later: ``"summary": false`` pushes and pulls as before,
    answers ``null`` for the summary and reads (and audits) no summary."""
    server.user("amartin", ["social_worker"])
    headers = server.headers("amartin")

    def summaries() -> int:
        with session_scope(server.engine) as session:
            events = session.exec(
                select(AuditEvent).where(
                    AuditEvent.username == "amartin", AuditEvent.action == "summary"
                )
            ).all()
        return len(events)

    record_id = new_id()
    body = {"changes": [change("beneficiary", record_id, beneficiary())], "since": 0,
            "limit": 50, "summary": False}  # fmt: skip
    data = server.client.post("/api/v1/sync", json=body, headers=headers).json()
    assert data["results"][0]["status"] == "applied"
    assert record_id in {r["id"] for r in data["records"]}
    assert data["summary"] is None
    assert (data["more"], data["next"]) == (False, data["server_max_version"])
    assert data["server_max_version"] == data["results"][0]["version"]
    assert summaries() == 0
    asked = {"changes": [], "since": data["next"], "limit": 50, "summary": True}
    again = server.client.post("/api/v1/sync", json=asked, headers=headers).json()
    assert again["summary"]["tables"]["beneficiary"]["count"] == 1
    assert again["server_id"] == data["server_id"]
    assert summaries() == 1
    sent = {**headers, "Content-Type": "application/json"}
    for value in ("no", "false", 0, None, "\ud800", [False]):  # a JSON true or false only
        bad = json.dumps({"since": 0, "limit": 0, "summary": value})
        answer = server.client.post("/api/v1/sync", content=bad, headers=sent)
        assert answer.status_code == 422, value
        assert answer.json()["detail"], value
    assert summaries() == 1


def test_pulls_and_summaries_are_audited(team: Server) -> None:
    team.pull_all("bnguyen")
    team.client.get("/api/v1/sync/summary", headers=team.headers("bnguyen"))
    with session_scope(team.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.username == "bnguyen")).all()
    actions = [e.action for e in events]
    assert {"enrol", "push", "pull", "summary"} <= set(actions)
    pull = next(e for e in events if e.action == "pull")
    assert set(pull.detail) == {"since", "next", "count", "records", "address"}
    handed = team.pull_all("bnguyen")
    with session_scope(team.engine) as session:
        last = session.exec(
            select(AuditEvent)
            .where(AuditEvent.username == "bnguyen", AuditEvent.action == "pull")
            .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        ).first()
    assert last is not None  # who received which record: every id handed out is kept
    assert set(last.detail["records"]) <= {r["id"] for r in handed}
    assert last.detail["address"] == "testclient"
