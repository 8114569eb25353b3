"""Identity records merge field by field; same-field conflicts are settled the same way in
any arrival order and the losing value is kept; tombstones are never resurrected."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Server, beneficiary, change, new_id

EARLY = "2026-03-02T09:00:00.000000Z"
LATE = "2026-03-02T11:00:00.000000Z"


def _setup(server: Server) -> tuple[str, int]:
    server.user("amartin", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    server.user("croux", ["supervisor"])
    person = new_id()
    [created] = server.push("amartin", change("beneficiary", person, beneficiary()))
    return person, created["version"]


def test_different_fields_changed_on_two_devices_both_survive(server: Server) -> None:
    person, base = _setup(server)
    [a] = server.push(
        "amartin",
        change("beneficiary", person, {"phone": "0611", "updated_at": LATE}, base_version=base),
    )
    [b] = server.push(
        "bnguyen",
        change(
            "beneficiary",
            person,
            {"commune_insee": "26198", "updated_at": EARLY},
            base_version=base,
        ),
    )
    assert (a["status"], b["status"]) == ("applied", "applied")
    fields = server.pulled("croux", "beneficiary")[person]["fields"]
    assert (fields["phone"], fields["commune_insee"]) == ("0611", "26198")
    assert fields["updated_at"] == LATE  # the later of the two
    assert server.pulled("croux", "sync_conflict") == {}


def _race(server: Server, order: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    person, base = _setup(server)
    edits = {
        "amartin": change(
            "beneficiary", person, {"phone": "0600", "updated_at": EARLY}, base_version=base
        ),
        "bnguyen": change(
            "beneficiary", person, {"phone": "0799", "updated_at": LATE}, base_version=base
        ),
    }
    statuses = {name: server.push(name, edits[name])[0]["status"] for name in order}
    assert statuses[order[0]] == "applied"
    assert statuses[order[1]] == "merged"
    fields = server.pulled("croux", "beneficiary")[person]["fields"]
    conflicts = [r["fields"] for r in server.pulled("croux", "sync_conflict").values()]
    return fields, conflicts


def test_same_field_conflict_has_one_winner_whatever_the_order(server: Server) -> None:
    first, conflicts_1 = _race(server, ["amartin", "bnguyen"])
    assert first["phone"] == "0799"  # the later updated_at wins
    [conflict] = conflicts_1
    assert conflict["table"] == "beneficiary" and conflict["field"] == "phone"
    assert (conflict["kept_value"], conflict["other_value"]) == ("0799", "0600")
    assert (conflict["kept_author"], conflict["other_author"]) == ("bnguyen", "amartin")
    assert (conflict["kept_updated_at"], conflict["other_updated_at"]) == (LATE, EARLY)
    assert server.pulled("amartin", "sync_conflict") == {}  # supervisors only


def test_same_field_conflict_in_the_other_order(server: Server) -> None:
    second, conflicts_2 = _race(server, ["bnguyen", "amartin"])
    assert second["phone"] == "0799"
    [conflict] = conflicts_2
    assert (conflict["kept_value"], conflict["other_value"]) == ("0799", "0600")
    assert (conflict["kept_author"], conflict["other_author"]) == ("bnguyen", "amartin")


def test_equal_timestamps_are_settled_by_device_id(server: Server) -> None:
    person, base = _setup(server)
    for name, phone in (("amartin", "0600"), ("bnguyen", "0799")):
        server.push(
            name,
            change("beneficiary", person, {"phone": phone, "updated_at": LATE}, base_version=base),
        )
    winner = max(("amartin", "0600"), ("bnguyen", "0799"), key=lambda p: server.devices[p[0]])
    assert server.pulled("croux", "beneficiary")[person]["fields"]["phone"] == winner[1]


def test_a_tombstone_is_never_resurrected(server: Server) -> None:
    person, base = _setup(server)
    [gone] = server.push("amartin", change("beneficiary", person, {}, deleted=True))
    assert gone["status"] == "applied"
    stale = server.push(
        "bnguyen",
        change("beneficiary", person, {"phone": "0611"}, base_version=base),
        change("beneficiary", person, beneficiary(deleted=False), base_version=None),
    )
    assert [r["code"] for r in stale] == ["deleted", "deleted"]
    [record] = server.pulled("croux", "beneficiary").values()
    assert record["deleted"] is True
    assert record["version"] == gone["version"]
    assert record["fields"]["phone"] == "0475000000"
    [again] = server.push("amartin", change("beneficiary", person, {}, deleted=True))
    assert (again["status"], again["version"]) == ("applied", gone["version"])


def test_only_the_author_or_a_supervisor_deletes_a_person_and_she_can_put_it_back(
    server: Server,
) -> None:
    person, _ = _setup(server)
    [refused] = server.push("bnguyen", change("beneficiary", person, {}, deleted=True))
    assert (refused["status"], refused["code"]) == ("rejected", "not_author")
    [gone] = server.push("croux", change("beneficiary", person, {}, deleted=True))
    assert gone["status"] == "applied"
    [not_hers] = server.push(
        "amartin", {**change("beneficiary", person, {"deleted": False}), "undelete": True}
    )
    assert (not_hers["status"], not_hers["code"]) == ("rejected", "not_author")
    [back] = server.push(
        "croux", {**change("beneficiary", person, {"deleted": False}), "undelete": True}
    )
    assert back["status"] == "applied"
    record = server.pulled("bnguyen", "beneficiary")[person]
    assert record["deleted"] is False and record["version"] == back["version"]
    [edited] = server.push(
        "bnguyen", change("beneficiary", person, {"phone": "0611"}, base_version=back["version"])
    )
    assert edited["status"] == "applied"


def test_a_stale_tombstone_still_wins(server: Server) -> None:
    person, base = _setup(server)
    server.push("bnguyen", change("beneficiary", person, {"phone": "0799"}, base_version=base))
    [gone] = server.push(
        "amartin", change("beneficiary", person, {}, deleted=True, base_version=base)
    )
    assert gone["status"] == "applied"
    assert server.pulled("croux", "beneficiary")[person]["deleted"] is True


def test_supervisors_mark_a_conflict_settled_with_a_tombstone(server: Server) -> None:
    _race(server, ["amartin", "bnguyen"])
    [conflict_id] = server.pulled("croux", "sync_conflict")
    [edit] = server.push("croux", change("sync_conflict", conflict_id, {"kept_value": "x"}))
    assert edit["code"] == "immutable"
    [nurse] = server.push("bnguyen", change("sync_conflict", conflict_id, {}, deleted=True))
    assert nurse["code"] == "forbidden_table"
    [settled] = server.push("croux", change("sync_conflict", conflict_id, {}, deleted=True))
    assert settled["status"] == "applied"
    assert server.pulled("croux", "sync_conflict")[conflict_id]["deleted"] is True
