"""The push's shortcuts give exactly what the long way gives: the envelope of a change without
building ``ChangeIn``, and datetimes already in their one spelling kept without re-writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sync_server import authz
from sync_server.api.routes.sync import _change
from sync_server.api.schemas import ChangeIn
from sync_server.services import push_writes
from sync_server.services.push_rules import Change


def long_way(item: Any) -> Change:
    try:
        c = ChangeIn.model_validate(item)
    except ValidationError:
        change_id = item.get("change_id") if isinstance(item, dict) else None
        return Change(str(change_id), "", "", invalid=True)
    return Change(
        c.change_id, c.table, c.id, c.base_version, c.fields, c.deleted,
        bases=c.bases, replay=c.replay, origins=c.origins, seen=c.seen, undelete=c.undelete,
    )  # fmt: skip


text = st.one_of(
    st.text(max_size=70),
    st.sampled_from(["", "a", "x" * 64, "x" * 65, "c\ud800", "é", "beneficiary", "0-1"]),
)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text,
    st.lists(st.integers(), max_size=2), st.dictionaries(text, st.integers(), max_size=2),
)  # fmt: skip
int_map = st.one_of(
    st.none(),
    st.dictionaries(text, st.integers(min_value=-(2**70), max_value=2**70), max_size=3),
    st.dictionaries(text, anything, max_size=2),
    anything,
)
entry = st.fixed_dictionaries(
    {},
    optional={
        "change_id": st.one_of(text, anything),
        "table": st.one_of(text, anything),
        "id": st.one_of(text, anything),
        "base_version": st.one_of(st.none(), st.integers(), anything),
        "bases": int_map,
        "origins": int_map,
        "fields": st.one_of(st.dictionaries(text, anything, max_size=3), anything),
        "seen": st.one_of(st.dictionaries(text, anything, max_size=3), anything),
        "deleted": st.one_of(st.booleans(), anything),
        "replay": st.one_of(st.booleans(), anything),
        "undelete": st.one_of(st.booleans(), anything),
        "extra": anything,
    },
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(entry, anything))
def test_envelope_as_changein_gives_it(item: Any) -> None:
    assert _change(item) == long_way(item)


def test_envelope_of_a_laptops_change() -> None:
    item = {
        "change_id": "c1.1", "table": "beneficiary", "id": "01a24bb3-5fc3-7381-b7cb-b615d47e6896",
        "base_version": None, "deleted": False, "fields": {"birth_name": "Banc"},
        "bases": {"birth_name": 3}, "seen": {"birth_name": "B"},
    }  # fmt: skip
    assert _change(item) == long_way(item)


def old_canonical(value: Any) -> Any:
    parsed = authz.parse_datetime(value)
    if parsed is not None:
        return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


DAY = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
stamp = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), timezones=st.just(dt.UTC)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ").rjust(27, "0")
    ),
    st.from_regex(DAY + r"\.[0-9]{6}Z\Z"),
    st.from_regex(DAY + r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z"),
    st.sampled_from(
        [
            "0999-01-01T00:00:00.000000Z",
            "2026-02-30T00:00:00.000000Z",
            "٢٠٢٦-01-01T00:00:00.000000Z",
        ]
    ),
    text,
    anything,
)


@settings(max_examples=1500, deadline=None)
@given(stamp)
def test_datetimes_spelled_as_before(value: Any) -> None:
    spec = authz.FieldSpec("datetime", "S", True)
    assert authz.canonical_value(spec, value) == old_canonical(value)
    valid = authz.parse_datetime(value) is not None
    assert (authz.canonical_datetime(value) is not None) == valid
    problem = authz.checked_fields(
        authz.TableSpec("t", {"at": spec}, frozenset({"social_worker"})), ("social_worker",),
        {"at": value},
    )[1]  # fmt: skip
    assert (problem is None) == (value is None or valid)


@settings(max_examples=500, deadline=None)
@given(stamp, stamp)
def test_stamps_checked_as_before(created: Any, updated: Any) -> None:
    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
    fields = {"created_at": created, "updated_at": updated}
    got = authz.checked_stamps(fields, now)
    checked = dict(fields)
    expected: Any = (checked, None)
    for name in authz.STAMP_FIELDS:
        moment = authz.parse_datetime(checked.get(name))
        if moment is None:
            continue
        if moment < authz.SERVICE_START:
            expected = (checked, "invalid")
            break
        if moment > now + authz.CLOCK_SKEW:
            checked[name] = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert got[0] == expected[0]
    assert (got[1] and got[1].code) == expected[1]


def reference_check(table: Any, roles: Any, fields: Any) -> Any:
    """check_fields then canonical_fields as first written (value_problem per value, then
    canonical_value per value)."""
    classes = authz.readable_classes(roles)
    for name in fields:
        if name not in table.fields:
            return {}, ("invalid", f"Champ inconnu : « {authz.shown(name)} ».")
    for name in fields:
        if table.fields[name].cls not in classes:
            return {}, ("forbidden_field", name)
    for name, value in fields.items():
        problem = authz.value_problem(table.fields[name], value)
        if problem:
            return {}, ("invalid", f"Champ « {name} » : {problem}.")
    canonical = {}
    for name, value in fields.items():
        spec = table.fields[name]
        if value is None:
            canonical[name] = None
        elif spec.type == "datetime" and authz.parse_datetime(value) is not None:
            canonical[name] = old_canonical(value)
        else:
            canonical[name] = authz.canonical_value(spec, value)
    return canonical, None


KINDS = ["str", "int", "bool", "list", "date", "time", "datetime", "any"]
SPECS = {
    f"{kind}_{cls}_{nullable}_{multiline}": authz.FieldSpec(kind, cls, nullable, 5, multiline)
    for kind in KINDS
    for cls in "SCM"
    for nullable in (True, False)
    for multiline in (True, False)
}
WIDE = authz.TableSpec("wide", SPECS, frozenset({"social_worker"}))
field_value = st.one_of(
    anything,
    stamp,
    st.sampled_from(["2026-11-23", "2026-13-01", "12:00:00", "12:00:00.5", "a\tb", "a\nb", "\x00"]),
    st.lists(text, max_size=3),
)


@settings(max_examples=1500, deadline=None)
@given(
    st.dictionaries(st.sampled_from([*SPECS, "unknown"]), field_value, max_size=5),
    st.sampled_from([("social_worker",), ("pmi_nurse",), ("supervisor", "pmi_nurse")]),
)
def test_checked_fields_as_check_then_canonical(fields: dict[str, Any], roles: Any) -> None:
    canonical, problem = authz.checked_fields(WIDE, roles, fields)
    expected, expected_problem = reference_check(WIDE, roles, fields)
    if expected_problem is None:
        assert problem is None
        assert canonical == expected
        assert [type(v) for v in canonical.values()] == [type(v) for v in expected.values()]
    else:
        assert problem is not None and problem.code == expected_problem[0]
        if expected_problem[0] == "invalid":
            assert problem.reason == expected_problem[1]


def reference_as_sent(values: dict[str, Any], pushed: dict[str, Any]) -> bool:
    for name, value in pushed.items():
        if name in ("id", "device"):
            continue
        stored = values.get(name, push_writes._MISSING)
        if stored != value or type(stored) is not type(value):
            return False
    return True


same = st.one_of(anything, st.just(float("nan")), st.just(True), st.just(1), st.just(1.0))


@settings(max_examples=1500, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a", "b", "id", "device"]), same, max_size=4),
    st.dictionaries(st.sampled_from(["a", "b", "id", "device"]), same, max_size=4),
    st.booleans(),
)
def test_stored_as_sent_as_the_loop(
    values: dict[str, Any], pushed: dict[str, Any], share: bool
) -> None:
    if share:  # the very objects sent, as a new record holds them
        values = {**values, **pushed}
    assert push_writes._stored_as_sent(values, pushed) == reference_as_sent(values, pushed)
