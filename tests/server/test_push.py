"""Push: applied, exactly once on replay, every rejection reason, bad changes isolated."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import func, select

from sync_server.authz import Actor
from sync_server.core.config import default_schema_path
from sync_server.core.db import session_scope
from sync_server.main import create_app
from sync_server.models import AppliedChange, AuditEvent, SyncRecord
from sync_server.services.push import Change, push_changes
from sync_server.wire_schema import load_schema
from tests.server.conftest import (
    Server,
    beneficiary,
    change,
    fast_settings,
    new_id,
    pmi_consultation,
    social_consultation,
)


def _count(server: Server, table: str) -> int:
    with session_scope(server.engine) as session:
        return session.exec(
            select(func.count()).select_from(SyncRecord).where(SyncRecord.table_name == table)
        ).one()


def test_new_record_is_applied_with_the_pushers_author_device_and_cms(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    record_id = new_id()
    fields = beneficiary(author="amartin", device="local-device-name")
    [result] = server.push("amartin", change("beneficiary", record_id, fields))
    assert result["status"] == "applied"
    assert result["version"] > 0
    with session_scope(server.engine) as session:
        stored = session.get(SyncRecord, ("beneficiary", record_id))
    assert (stored.author, stored.cms_code, stored.version) == (
        "amartin",
        "CMS-DIE",
        result["version"],
    )
    assert stored.fields["device"] == server.devices["amartin"]
    assert stored.fields["birth_name"] == "MOREL"


def test_a_replayed_change_is_applied_exactly_once(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    record_id = new_id()
    first = change("beneficiary", record_id, beneficiary())
    [applied] = server.push("amartin", first)
    edit = change("beneficiary", record_id, {"phone": "0611"}, base_version=applied["version"])
    [edited] = server.push("amartin", edit)
    replays = server.push("amartin", first, edit, first)
    assert [r["status"] for r in replays] == ["duplicate"] * 3
    assert [r["version"] for r in replays] == [
        applied["version"],
        edited["version"],
        applied["version"],
    ]
    assert _count(server, "beneficiary") == 1
    with session_scope(server.engine) as session:
        stored = session.get(SyncRecord, ("beneficiary", record_id))
        assert stored.version == edited["version"]  # the replay did not bump it
        assert session.exec(select(func.count()).select_from(AppliedChange)).one() == 2


def test_a_change_id_of_another_account_is_not_a_duplicate(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    shared = change("beneficiary", new_id(), beneficiary())
    server.push("amartin", shared)
    [result] = server.push("bnguyen", shared)
    assert (result["status"], result["code"]) == ("rejected", "invalid")


def test_every_rejection_reason(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    server.user("cnurse", ["pmi_nurse"])
    server.user("elsewhere", ["social_worker"], cms_code="CMS-NYO")
    person = new_id()
    server.push("amartin", change("beneficiary", person, beneficiary()))
    visit, signed, addendum = new_id(), new_id(), new_id()
    server.push(
        "bnguyen",
        change("pmi_consultation", visit, pmi_consultation(person)),
        change("pmi_consultation", signed, pmi_consultation(person, status="signed")),
        change("pmi_addendum", addendum, {"consultation_id": signed, "note": "Complément."}),
    )
    cases = {
        "forbidden_table": ("bnguyen", change("social_consultation", new_id(), {})),
        "not_author": ("cnurse", change("pmi_consultation", visit, {"weight_g": 7500})),
        "signed": ("bnguyen", change("pmi_consultation", signed, {"weight_g": 7500})),
        "immutable": ("bnguyen", change("pmi_addendum", addendum, {"note": "Autre."})),
        # Another CMS's record, or another table's id: one answer, which reveals nothing.
        "id_taken": ("elsewhere", change("beneficiary", person, {"phone": "0600"})),
        "invalid": ("amartin", change("beneficiary", new_id(), beneficiary(birth_date="hier"))),
        "unknown_table": ("amartin", change("secret_table", new_id(), {})),
        "deleted": ("amartin", change("beneficiary", person, {}, deleted=True)),
    }
    for code, (username, pushed) in cases.items():
        if code == "deleted":  # the tombstone first, then a stale edit
            assert server.push(username, pushed)[0]["status"] == "applied"
            pushed = change("beneficiary", person, {"phone": "0611"}, base_version=1)
        [result] = server.push(username, pushed)
        assert (result["status"], result["code"]) == ("rejected", code), result
        assert result["reason"] and result["version"] is None
    with session_scope(server.engine) as session:
        stored = session.get(SyncRecord, ("pmi_consultation", visit))
        assert stored.fields["weight_g"] == 7450


def test_fields_of_a_class_the_user_may_not_read_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    """No shipped table lets a role write a class it cannot read; a schema that did would
    still not let a social worker write a medical field."""
    data = json.loads(default_schema_path().read_text("utf-8"))
    data["tables"]["pmi_consultation"]["writers"].append("social_worker")
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data), "utf-8")
    settings = fast_settings(schema_path=path)
    with TestClient(create_app(settings, engine=engine)) as client:
        server = Server(client, engine, settings)
        server.user("amartin", ["social_worker"])
        fields = {"consultation_date": "2026-03-02", "weight_g": 7000}
        [result] = server.push("amartin", change("pmi_consultation", new_id(), fields))
    assert (result["status"], result["code"]) == ("rejected", "forbidden_field")
    assert "weight_g" in result["reason"]


def test_signed_records_accept_a_replayed_identical_copy(server: Server) -> None:
    """After a server restore the client resends what it authored: no spurious rejection."""
    server.user("amartin", ["social_worker"])
    person, visit = new_id(), new_id()
    server.push("amartin", change("beneficiary", person, beneficiary()))
    fields = social_consultation(person, status="signed", signed_at="2026-03-02T10:00:00Z")
    [first] = server.push("amartin", change("social_consultation", visit, fields))
    [again] = server.push("amartin", change("social_consultation", visit, fields))
    assert (again["status"], again["version"]) == ("applied", first["version"])
    [changed] = server.push(
        "amartin", change("social_consultation", visit, {**fields, "note": "Autre."})
    )
    assert changed["code"] == "signed"


def test_invalid_values_are_rejected_with_the_field_named(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    cases = [
        beneficiary(phone="0" * 21),
        beneficiary(known_to_cms="oui"),
        beneficiary(unknown_field=1),
        beneficiary(information_date="2026-02-30"),
        beneficiary(updated_at="demain"),
        {k: v for k, v in beneficiary().items() if k != "birth_name"},
    ]
    results = server.push("amartin", *(change("beneficiary", new_id(), f) for f in cases))
    assert [r["code"] for r in results] == ["invalid"] * len(cases)
    assert "phone" in results[0]["reason"]
    assert "birth_name" in results[5]["reason"]
    [bad_id] = server.push("amartin", change("beneficiary", "not-a-uuid", beneficiary()))
    assert bad_id["code"] == "invalid"
    [mismatch] = server.push("amartin", change("beneficiary", new_id(), beneficiary(id=new_id())))
    assert mismatch["code"] == "invalid"
    assert _count(server, "beneficiary") == 0


def test_a_bad_change_does_not_block_the_rest_of_the_batch(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    good = [new_id() for _ in range(3)]
    results = server.push(
        "amartin",
        change("beneficiary", good[0], beneficiary()),
        change("beneficiary", new_id(), beneficiary(sex="inconnu")),
        change("beneficiary", good[1], beneficiary()),
        change("tour_stop", new_id(), {}),
        change("beneficiary", good[2], beneficiary()),
    )
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "applied",
        "rejected",
        "applied",
    ]
    versions = [r["version"] for r in results if r["status"] == "applied"]
    assert versions == sorted(versions)
    assert _count(server, "beneficiary") == 3


def test_rejections_are_remembered_for_replays(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    bad = change("beneficiary", new_id(), beneficiary(sex="inconnu"))
    [first] = server.push("amartin", bad)
    [again] = server.push("amartin", bad)
    assert first == again


def test_pushes_are_audited_without_content(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    record_id = new_id()
    server.push("amartin", change("beneficiary", record_id, beneficiary(birth_name="SECRET")))
    with session_scope(server.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "push")).one()
    assert event.username == "amartin"
    assert event.device_id == server.devices["amartin"]
    assert event.detail["changes"][0][1:4] == ["beneficiary", record_id, "applied"]
    assert "SECRET" not in str(event.detail)


def test_concurrent_pushes_take_distinct_versions_in_commit_order(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    schema = load_schema(default_schema_path())
    actor = Actor("amartin", ("social_worker",), "CMS-DIE", server.devices["amartin"])
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                changes = [
                    Change(new_id(), "beneficiary", new_id(), None, beneficiary()) for _ in range(3)
                ]
                outcome = push_changes(server.engine, schema, actor, changes)
                assert all(r["status"] == "applied" for r in outcome.results)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    records = server.pull_all("amartin", limit=7)
    people = [r for r in records if r["table"] == "beneficiary"]
    assert len(people) == 60
    versions = [r["version"] for r in records]
    assert versions == sorted(set(versions))
