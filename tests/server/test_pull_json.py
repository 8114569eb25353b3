"""The pull route sends pages encoded as they are read: the content must be ``PullOut``'s."""

from __future__ import annotations

import json

from sync_server.api.schemas import PullOut, SyncOut
from sync_server.authz import Actor
from sync_server.core.config import default_schema_path
from sync_server.services.pull import pull_page
from sync_server.services.served import Served, serve, with_records
from sync_server.wire_schema import load_schema
from tests.server.conftest import (
    CMS,
    Server,
    beneficiary,
    change,
    new_id,
    pmi_consultation,
    social_consultation,
)

SCHEMA = load_schema(default_schema_path())
ODD = 'Éloïse "dite" \\ Zoé\nà la ligne\t𝄞 — ½ < > & \u2028'


def test_encoded_pages_hold_what_pull_out_gives_for_every_role(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    server.user("pnurse", ["pmi_nurse"])
    server.user("chef", ["supervisor"])
    people = [new_id() for _ in range(4)]
    server.push("amartin", *(change("beneficiary", p, beneficiary(birth_name=ODD)) for p in people))
    server.push(
        "amartin", change("social_consultation", new_id(), social_consultation(people[0], note=ODD))
    )
    server.push("pnurse", change("pmi_consultation", new_id(), pmi_consultation(people[1])))
    server.push("amartin", change("beneficiary", people[2], {}, base_version=None, deleted=True))
    for username, roles in (
        ("amartin", ("social_worker",)),
        ("pnurse", ("pmi_nurse",)),
        ("chef", ("supervisor",)),
    ):
        actor = Actor(username, roles, CMS, server.devices[username])
        since = 0
        while True:
            page = pull_page(server.engine, SCHEMA, actor, since, 3)
            expected = PullOut.model_validate(page, from_attributes=True).model_dump(mode="json")
            assert json.loads(page.json()) == expected
            response = server.client.get(
                f"/api/v1/sync/pull?since={since}&limit=3", headers=server.headers(username)
            )
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            assert response.json()["records"] == expected["records"]
            since = page.next
            if not page.more:
                break


def test_a_record_that_cannot_be_encoded_is_reported_not_served() -> None:
    served = Served()
    serve(served, "beneficiary", "a", 1, False, {"birth_name": "ok"})
    serve(served, "beneficiary", "b", 2, False, {"birth_name": "bad \ud800"})
    serve(served, "beneficiary", "c", 3, False, {"birth_name": "nul \x00"})
    assert [r["id"] for r in served.records] == ["a"]
    assert [(record_id, reason) for _, record_id, reason in served.bad] == [
        ("b", "caractère Unicode invalide"),
        ("c", "caractère nul"),
    ]
    assert json.loads(served.encoded[0]) == served.records[0]


def test_the_combined_call_answers_a_sync_out_with_the_page_as_pull_gives_it(
    server: Server,
) -> None:
    server.user("amartin", ["social_worker"])
    server.user("chef", ["supervisor"])
    server.push("amartin", change("beneficiary", new_id(), beneficiary(birth_name=ODD)))
    body = {"changes": [change("beneficiary", new_id(), beneficiary())], "since": 0, "limit": 2}
    response = server.client.post("/api/v1/sync", json=body, headers=server.headers("chef"))
    assert response.status_code == 200, response.text
    answer = SyncOut.model_validate_json(response.content).model_dump(mode="json")
    assert answer == response.json()
    assert [r["status"] for r in answer["results"]] == ["applied"]
    pulled = server.client.get("/api/v1/sync/pull?since=0&limit=2", headers=server.headers("chef"))
    assert answer["records"] == pulled.json()["records"] and len(answer["records"]) == 2
    assert answer["next"] == pulled.json()["next"] and answer["more"] is True
    assert set(answer["summary"]["tables"]) >= {"beneficiary"}


def test_records_go_in_front_of_any_answer() -> None:
    assert json.loads(with_records([b'{"a":1}', b"2"], b'{"next":3}')) == {
        "records": [{"a": 1}, 2],
        "next": 3,
    }
    assert json.loads(with_records([], b"{}")) == {"records": []}


def test_what_a_reader_saw_is_kept_by_content_never_served_stale(server: Server) -> None:
    """Twenty vans pulling one record decode and encode it once (``served.SEEN``), but a
    record whose stored fields change without a new version (the purge erases a tombstone's
    fields, a repair rewrites a value) is served as it now is, to every reader."""
    from sqlmodel import select

    from sync_server.core.db import session_scope
    from sync_server.models import SyncRecord

    server.user("amartin", ["social_worker"])
    server.user("pnurse", ["pmi_nurse"])
    person = new_id()
    server.push("amartin", change("beneficiary", person, beneficiary(birth_name="AVANT")))
    for username in ("amartin", "pnurse", "amartin"):
        [record] = server.pulled(username, "beneficiary").values()
        assert record["fields"]["birth_name"] == "AVANT"
    with session_scope(server.engine, write=True) as session:
        row = session.exec(select(SyncRecord).where(SyncRecord.id == person)).one()
        row.fields = {**row.fields, "birth_name": "APRÈS"}
        session.add(row)
    for username in ("amartin", "pnurse"):
        [record] = server.pulled(username, "beneficiary").values()
        assert record["fields"]["birth_name"] == "APRÈS", username
