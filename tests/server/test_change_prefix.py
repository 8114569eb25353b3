"""A batch's change ids as one prefix: "<change_prefix>.<record id>" for changes sent without
one, exactly once like any other change id (docs/protocol.md, "Push")."""

from __future__ import annotations

import pytest

from tests.server.conftest import Server, beneficiary, change, new_id, social_consultation


def _without_id(item: dict) -> dict:
    return {k: v for k, v in item.items() if k != "change_id"}


def test_changes_without_ids_take_the_batch_prefix_and_apply_once(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    person, visit = new_id(), new_id()
    body = {
        "change_prefix": "cAbC-12_x",
        "changes": [
            _without_id(change("beneficiary", person, beneficiary())),
            _without_id(change("social_consultation", visit, social_consultation(person))),
        ],
    }
    first = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [r["change_id"] for r in results] == [f"cAbC-12_x.{person}", f"cAbC-12_x.{visit}"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    # The answer was lost: the same batch again is the same changes, not new ones.
    again = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert [r["version"] for r in again.json()["results"]] == [r["version"] for r in results]
    # A retry in a later batch names its first id explicitly: still a duplicate.
    explicit = change("beneficiary", person, beneficiary(), change_id=f"cAbC-12_x.{person}")
    later = server.client.post(
        "/api/v1/sync/push",
        json={"change_prefix": "cOther", "changes": [explicit]},
        headers=server.headers("amartin"),
    )
    assert later.json()["results"][0]["status"] == "duplicate"


def test_the_combined_call_takes_the_prefix_too(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    person = new_id()
    body = {
        "change_prefix": "cSync",
        "changes": [_without_id(change("beneficiary", person, beneficiary()))],
        "since": 0,
        "limit": 50,
    }
    response = server.client.post("/api/v1/sync", json=body, headers=server.headers("amartin"))
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["change_id"], result["status"]) == (f"cSync.{person}", "applied")


def test_without_a_prefix_a_change_without_id_is_refused_alone(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    kept = change("beneficiary", new_id(), beneficiary())
    body = {"changes": [_without_id(change("beneficiary", new_id(), beneficiary())), kept]}
    response = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert (first["status"], first["code"]) == ("rejected", "invalid")
    assert (second["change_id"], second["status"]) == (kept["change_id"], "applied")


def test_a_derived_id_too_long_refuses_that_change_alone(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    long_id = "x" * 60  # a valid record id, but prefix + "." + id is over 64 characters
    kept = change("beneficiary", new_id(), beneficiary())
    body = {
        "change_prefix": "cLongPrefix",
        "changes": [_without_id(change("beneficiary", long_id, beneficiary())), kept],
    }
    response = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    first, second = response.json()["results"]
    assert first["status"] == "rejected"
    assert second["status"] == "applied"


@pytest.mark.parametrize(
    "prefix", ["", "a.b", "a:b", "-lead", "x" * 25, "é", "c\u0000", 17, ["c"], {"c": 1}]
)
def test_a_bad_prefix_is_a_clear_422(server: Server, prefix: object) -> None:
    server.user("amartin", ["social_worker"])
    body = {"change_prefix": prefix, "changes": [change("beneficiary", new_id(), beneficiary())]}
    response = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_the_422_says_in_french_which_member_is_wrong(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    body = {"change_prefix": "a.b", "changes": []}
    response = server.client.post("/api/v1/sync/push", json=body, headers=server.headers("amartin"))
    assert response.status_code == 422
    assert response.json()["detail"] == "Requête invalide — change_prefix : valeur invalide."
