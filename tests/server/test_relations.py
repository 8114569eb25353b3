"""The role matrix beyond tables and fields: ids across tables, what hangs on a consultation,
bases from the future and tombstones of others' people (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import (
    STAMP,
    Server,
    beneficiary,
    change,
    new_id,
    pmi_consultation,
    social_consultation,
)

SIGNED = {"status": "signed", "signed_at": STAMP}


@pytest.fixture
def cms(server: Server) -> dict[str, Any]:
    """Two social workers, a nurse and a supervisor; a person with a signed social visit, a
    draft social visit and a signed PMI visit."""
    server.user("amartin", ["social_worker"])
    server.user("esocial", ["social_worker"])
    server.user("bnguyen", ["pmi_nurse"])
    server.user("croux", ["supervisor"])
    person, signed, draft, pmi = new_id(), new_id(), new_id(), new_id()
    server.push("amartin", change("beneficiary", person, beneficiary()))
    server.push(
        "amartin",
        change("social_consultation", signed, social_consultation(person, **SIGNED)),
        change("social_consultation", draft, social_consultation(person)),
    )
    server.push("bnguyen", change("pmi_consultation", pmi, pmi_consultation(person, **SIGNED)))
    return {"server": server, "person": person, "signed": signed, "draft": draft, "pmi": pmi}


def one(server: Server, username: str, pushed: dict[str, Any]) -> tuple[str, str | None]:
    [result] = server.push(username, pushed)
    assert result["status"] != "rejected" or result["reason"], result
    return result["status"], result["code"]


def addendum(consultation_id: str) -> dict[str, Any]:
    return {"consultation_id": consultation_id, "note": "Complément."}


def test_an_id_is_unique_across_tables_and_a_review_never_leaks_through_one(cms) -> None:  # type: ignore[no-untyped-def]
    server = cms["server"]
    taken = change("social_consultation", cms["pmi"], social_consultation(cms["person"], **SIGNED))
    assert one(server, "amartin", taken) == ("rejected", "id_taken")
    review = {
        "consultation_id": cms["pmi"],
        "consultation_kind": "pmi",
        "status": "validated",
        "comment": "",
    }
    server.user("eblanc", ["supervisor", "pmi_nurse"])  # a PMI visit's reviewer reads it
    assert one(server, "eblanc", change("supervisor_review", new_id(), review))[0] == "applied"
    assert server.pulled("amartin", "supervisor_review") == {}
    assert len(server.pulled("bnguyen", "supervisor_review")) == 1


def test_what_hangs_on_a_consultation_follows_it(cms) -> None:  # type: ignore[no-untyped-def]
    server = cms["server"]
    signed, draft, pmi = cms["signed"], cms["draft"], cms["pmi"]
    cases = [
        # someone else's consultation
        ("esocial", change("social_addendum", new_id(), addendum(signed)), "not_author"),
        # a social addendum on a PMI visit: no such social consultation
        ("amartin", change("social_addendum", new_id(), addendum(pmi)), "invalid"),
        # an addendum goes on a signed consultation only
        ("amartin", change("social_addendum", new_id(), addendum(draft)), "not_signed"),
        # an orientation freezes with its consultation
        (
            "amartin",
            change("social_orientation", new_id(), {"consultation_id": signed,
                                                    "partner_code": "caf",
                                                    "orientation_date": "2026-03-02"}),
            "signed",
        ),
        # a review names the kind of what it reviews, and only a signed one
        (
            "croux",
            change("supervisor_review", new_id(), {"consultation_id": pmi,
                                                   "consultation_kind": "social",
                                                   "status": "validated", "comment": ""}),
            "invalid",
        ),
        (
            "croux",
            change("supervisor_review", new_id(), {"consultation_id": draft,
                                                   "consultation_kind": "social",
                                                   "status": "validated", "comment": ""}),
            "not_signed",
        ),
        # a follow-up of someone else's consultation
        (
            "esocial",
            change("follow_up", new_id(), {"beneficiary_id": cms["person"],
                                           "consultation_id": signed, "demand_type": "rsa",
                                           "opened_on": "2026-03-02", "due_on": "2026-03-16"}),
            "not_author",
        ),
    ]  # fmt: skip
    for username, pushed, code in cases:
        assert one(server, username, pushed) == ("rejected", code), (username, pushed["table"])
    fine = change("social_addendum", new_id(), addendum(signed))
    assert one(server, "amartin", fine)[0] == "applied"


def test_an_orientation_cannot_change_once_its_consultation_is_signed(server: Server) -> None:
    server.user("amartin", ["social_worker"])
    person, visit, orientation = new_id(), new_id(), new_id()
    server.push("amartin", change("beneficiary", person, beneficiary()))
    created = server.push(
        "amartin",
        change("social_consultation", visit, social_consultation(person)),
        change("social_orientation", orientation, {"consultation_id": visit,
                                                   "partner_code": "caf",
                                                   "orientation_date": "2026-03-02"}),
        change("social_consultation", visit, SIGNED, base_version=1),
    )  # fmt: skip
    assert [r["status"] for r in created] == ["applied"] * 3
    edit = change("social_orientation", orientation, {"partner_code": "cpam"})
    removal = change("social_orientation", orientation, {}, deleted=True)
    moved = change("social_orientation", orientation, {"consultation_id": new_id()})
    assert one(server, "amartin", edit) == ("rejected", "signed")
    assert one(server, "amartin", removal) == ("rejected", "signed")
    assert one(server, "amartin", moved) == ("rejected", "invalid")


def test_a_base_from_the_future_is_refused(cms) -> None:  # type: ignore[no-untyped-def]
    server, person = cms["server"], cms["person"]
    for base in (10**12, 2**80):
        pushed = change("beneficiary", person, {"phone": "0600"}, base_version=base)
        assert one(server, "bnguyen", pushed) == ("rejected", "invalid")
        per_field = {**change("beneficiary", person, {"phone": "0600"}), "bases": {"phone": base}}
        assert one(server, "bnguyen", per_field) == ("rejected", "invalid")
    assert server.pulled("croux", "beneficiary")[person]["fields"]["phone"] == "0475000000"


def test_a_person_is_deleted_by_her_author_or_the_supervisor_only(cms) -> None:  # type: ignore[no-untyped-def]
    server, person = cms["server"], cms["person"]

    def gone() -> dict[str, Any]:
        return change("beneficiary", person, {}, deleted=True)

    assert one(server, "bnguyen", gone()) == ("rejected", "not_author")
    assert one(server, "esocial", gone()) == ("rejected", "not_author")
    assert server.pulled("croux", "beneficiary")[person]["deleted"] is False
    assert one(server, "amartin", gone())[0] == "applied"


def test_orientations_saved_with_the_signature_are_taken_later_ones_are_not(cms) -> None:  # type: ignore[no-untyped-def]
    server, signed = cms["server"], cms["signed"]

    def orientation(created_at: str) -> dict[str, Any]:
        fields = {"consultation_id": signed, "partner_code": "caf",
                  "orientation_date": "2026-03-02", "created_at": created_at,
                  "updated_at": created_at}  # fmt: skip
        return change("social_orientation", new_id(), fields)

    assert one(server, "amartin", orientation(STAMP))[0] == "applied"  # the same save
    later = STAMP.replace("09:15", "11:15")
    assert one(server, "amartin", orientation(later)) == ("rejected", "signed")


def test_a_pmi_visit_is_reviewed_only_by_a_supervisor_who_is_also_a_nurse(cms) -> None:  # type: ignore[no-untyped-def]
    server, pmi, signed = cms["server"], cms["pmi"], cms["signed"]
    server.user("eblanc", ["supervisor", "pmi_nurse"])

    def review(consultation: str, kind: str, status: str = "validated") -> dict[str, Any]:
        fields = {"consultation_id": consultation, "consultation_kind": kind,
                  "status": status, "comment": ""}  # fmt: skip
        return change("supervisor_review", new_id(), fields)

    for status in ("validated", "completion_requested"):
        refused = review(pmi, "pmi", status)
        assert one(server, "croux", refused) == ("rejected", "forbidden_parent")
    assert server.pulled("croux", "supervisor_review") == {}, "nothing written"
    assert one(server, "eblanc", review(pmi, "pmi"))[0] == "applied"
    assert one(server, "croux", review(signed, "social"))[0] == "applied"


def test_a_review_is_history_never_rewritten(cms) -> None:  # type: ignore[no-untyped-def]
    server, signed = cms["server"], cms["signed"]
    review_id = new_id()
    asked = {"consultation_id": signed, "consultation_kind": "social",
             "status": "completion_requested", "comment": "Préciser le montant."}  # fmt: skip
    assert one(server, "croux", change("supervisor_review", review_id, asked))[0] == "applied"
    rewrite = change("supervisor_review", review_id, {"status": "validated", "comment": ""})
    assert one(server, "croux", rewrite) == ("rejected", "immutable")
    erase = change("supervisor_review", review_id, {}, deleted=True)
    assert one(server, "croux", erase) == ("rejected", "immutable")
    validated = {**asked, "status": "validated", "comment": ""}
    assert one(server, "croux", change("supervisor_review", new_id(), validated))[0] == "applied"
    kept = server.pulled("croux", "supervisor_review")
    assert sorted(r["fields"]["status"] for r in kept.values()) == [
        "completion_requested",
        "validated",
    ]
