"""The authorization rules on their own: classes per role, tables, fields, types, records."""

from __future__ import annotations

import datetime as dt

import pytest

from sync_server import authz
from sync_server.authz import Actor, StoredRecord
from sync_server.core.config import default_schema_path
from sync_server.services.accounts import login_wait_seconds
from sync_server.wire_schema import FieldSpec, TableSpec, load_schema

SCHEMA = load_schema(default_schema_path())
NURSE = Actor("bnguyen", ("pmi_nurse",), "CMS-DIE", "dev-b")
SOCIAL = Actor("amartin", ("social_worker",), "CMS-DIE", "dev-a")


@pytest.mark.parametrize(
    ("roles", "classes"),
    [
        (["social_worker"], "SC"),
        (["pmi_nurse"], "SM"),
        (["supervisor"], "SC"),
        (["supervisor", "pmi_nurse"], "SCM"),
        (["administrator"], "S"),
        ([], ""),
    ],
)
def test_readable_classes_per_role(roles: list[str], classes: str) -> None:
    assert authz.readable_classes(roles) == frozenset(classes)


def test_administrators_and_unknown_roles_do_not_sync() -> None:
    assert not authz.can_sync(["administrator"])
    assert not authz.can_sync(["janitor"])
    assert authz.readable_tables(SCHEMA, ["administrator"]) == []
    assert authz.can_sync(["administrator", "supervisor"])


def test_satisfaction_answers_and_conflicts_go_to_supervisors_only() -> None:
    social = authz.readable_tables(SCHEMA, ["social_worker"])
    supervisor = authz.readable_tables(SCHEMA, ["supervisor"])
    assert "satisfaction_answer" not in social
    assert "sync_conflict" not in social
    assert {"satisfaction_answer", "sync_conflict", "pmi_consultation"} <= set(supervisor)


def test_writers_come_from_the_schema() -> None:
    assert authz.check_table(SCHEMA, "social_consultation", ["social_worker"]) is None
    assert authz.check_table(SCHEMA, "social_consultation", ["pmi_nurse"]).code == (
        "forbidden_table"
    )
    assert authz.check_table(SCHEMA, "staff_account", ["supervisor"]).code == "forbidden_table"
    assert authz.check_table(SCHEMA, "tour_stop", ["social_worker"]).code == "forbidden_table"
    assert authz.check_table(SCHEMA, "nope", ["supervisor"]).code == "unknown_table"


def test_pushed_fields_must_exist_and_be_readable() -> None:
    table = SCHEMA["pmi_consultation"]
    assert authz.check_fields(table, ["pmi_nurse"], {"weight_g": 7000}) is None
    assert authz.check_fields(table, ["pmi_nurse"], {"secret": 1}).code == "invalid"
    assert authz.check_fields(table, ["social_worker"], {"weight_g": 7000}).code == (
        "forbidden_field"
    )
    synthetic = TableSpec(
        "x", {"note": FieldSpec("str", "M", False, 10)}, writers=frozenset({"social_worker"})
    )
    rejection = authz.check_fields(synthetic, ["social_worker"], {"note": "a"})
    assert rejection.code == "forbidden_field"
    assert "note" in rejection.reason


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        (FieldSpec("str", "S", False, 5), "26113", True),
        (FieldSpec("str", "S", False, 5), "261130", False),
        (FieldSpec("str", "S", False, 5), 26113, False),
        (FieldSpec("str", "S", False, 5), "a\x00", False),
        (FieldSpec("str", "S", False, 5), None, False),
        (FieldSpec("str", "S", True, 5), None, True),
        (FieldSpec("int", "M", True), 7450, True),
        (FieldSpec("int", "M", True), True, False),
        (FieldSpec("int", "M", True), 7.5, False),
        (FieldSpec("int", "M", True), "7450", False),
        (FieldSpec("int", "M", True), 2**60, False),
        (FieldSpec("bool", "S", False), False, True),
        (FieldSpec("bool", "S", False), 0, False),
        (FieldSpec("date", "S", False), "2026-03-02", True),
        (FieldSpec("date", "S", False), "2026-02-30", False),
        (FieldSpec("date", "S", False), "02/03/2026", False),
        (FieldSpec("date", "S", False), "2026-03-02T10:00:00Z", False),
        (FieldSpec("time", "S", False), "09:30:00", True),
        (FieldSpec("time", "S", False), "25:00:00", False),
        (FieldSpec("time", "S", False), "9h30", False),
        (FieldSpec("datetime", "S", False), "2026-03-02T09:15:00.123456Z", True),
        (FieldSpec("datetime", "S", False), "2026-03-02T09:15:00+01:00", True),
        (FieldSpec("datetime", "S", False), "2026-03-02T09:15:00", False),
        (FieldSpec("datetime", "S", False), "2026-13-02T09:15:00Z", False),
        (FieldSpec("list", "C", False), ["rsa", "caf"], True),
        (FieldSpec("list", "C", False), ["rsa", 3], False),
        (FieldSpec("list", "C", False), "rsa", False),
        (FieldSpec("list", "C", False), ["x" * 201], False),
    ],
)
def test_values_are_checked_against_the_wire_type(spec: FieldSpec, value: object, ok: bool) -> None:
    problem = authz.value_problem(spec, value)
    assert (problem is None) is ok, problem


def test_record_ids_are_canonical_uuids() -> None:
    assert authz.check_record_id("01a2089e-55e1-7198-82d2-fb8b6acfc372") is None
    assert authz.check_record_id("01A2089E-55E1-7198-82D2-FB8B6ACFC372") is not None
    assert authz.check_record_id("01a2089e55e1719882d2fb8b6acfc372") is not None
    assert authz.check_record_id("../../etc/passwd") is not None


def _stored(**overrides: object) -> StoredRecord:
    values = {"cms_code": "CMS-DIE", "author": "bnguyen", "deleted": False, "fields": {}}
    values.update(overrides)
    return StoredRecord(**values)  # type: ignore[arg-type]


def test_existing_records_rules() -> None:
    pmi = SCHEMA["pmi_consultation"]
    other_nurse = Actor("cdupont", ("pmi_nurse",), "CMS-DIE", "dev-c")
    elsewhere = Actor("bnguyen", ("pmi_nurse",), "CMS-NYO", "dev-b")
    check = authz.check_existing_record
    assert check(pmi, NURSE, _stored(), {"note": "x"}, False) is None
    assert check(pmi, other_nurse, _stored(), {"note": "x"}, False).code == "not_author"
    assert check(pmi, elsewhere, _stored(), {"note": "x"}, False).code == "other_cms"
    signed = _stored(fields={"status": "signed", "note": "a"})
    assert check(pmi, NURSE, signed, {"note": "b"}, False).code == "signed"
    assert check(pmi, NURSE, signed, {"note": "a", "updated_at": "x"}, False) is None  # no-op
    assert check(pmi, NURSE, signed, {}, True).code == "signed"
    assert check(pmi, NURSE, _stored(deleted=True), {"note": "b"}, False).code == "deleted"
    assert check(pmi, NURSE, _stored(deleted=True), {}, True) is None
    addendum = SCHEMA["pmi_addendum"]
    assert check(addendum, NURSE, _stored(fields={"note": "a"}), {"note": "b"}, False).code == (
        "immutable"
    )
    assert check(addendum, NURSE, _stored(fields={"note": "a"}), {"note": "a"}, False) is None


def test_new_records_belong_to_the_pusher_and_their_cms() -> None:
    stop = SCHEMA["tour_stop"]
    supervisor = Actor("croux", ("supervisor",), "CMS-DIE", "dev-c")
    assert authz.check_new_record(stop, supervisor, {"cms_code": "CMS-DIE"}) is None
    assert authz.check_new_record(stop, supervisor, {"cms_code": "CMS-NYO"}).code == "other_cms"
    assert authz.check_new_record(stop, supervisor, {"author": "amartin"}).code == "not_author"
    assert authz.missing_required(stop, {"place": "Mairie"}).code == "invalid"


def test_pulled_fields_are_filtered_by_class_and_never_nulled() -> None:
    fields = {"consultation_date": "2026-03-02", "weight_g": 7450, "note": "secret", "id": "x"}
    pmi = SCHEMA["pmi_consultation"]
    assert authz.visible_fields(pmi, ["social_worker"], fields) == {
        "consultation_date": "2026-03-02"
    }
    assert authz.visible_fields(pmi, ["pmi_nurse"], fields) == {
        "consultation_date": "2026-03-02",
        "weight_g": 7450,
        "note": "secret",
    }
    conflict = SCHEMA["sync_conflict"]
    medical = {"field": "weight_g", "value_class": "M", "kept_value": 1, "other_value": 2}
    assert authz.visible_fields(conflict, ["supervisor"], medical) == {
        "field": "weight_g",
        "value_class": "M",
    }


def test_reviews_go_to_supervisors_and_the_reviewed_author() -> None:
    assert authz.may_read_review(["supervisor"], "croux", "amartin")
    assert authz.may_read_review(["social_worker"], "amartin", "amartin")
    assert not authz.may_read_review(["social_worker"], "dlopez", "amartin")


def test_login_delay_grows_after_five_failures_and_caps_at_a_hundred_an_hour() -> None:
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    seconds = [now - dt.timedelta(seconds=s) for s in (50, 40, 30, 20)]
    assert login_wait_seconds(seconds, now) == 0
    five = [*seconds, now]
    assert login_wait_seconds(five, now) == 1
    assert login_wait_seconds(five, now + dt.timedelta(seconds=1)) == 0
    eight = [now - dt.timedelta(seconds=s) for s in range(8)]
    assert login_wait_seconds(eight, now) == 8
    old = [now - dt.timedelta(hours=2)] * 50
    assert login_wait_seconds(old, now) == 0
    spread = [
        now - dt.timedelta(minutes=59, seconds=30) + dt.timedelta(seconds=i) for i in range(100)
    ]
    assert login_wait_seconds(spread, now, max_delay=1) == 30
