"""The push's one-pass encodings give byte for byte what ``json.dumps`` gives (digests must
never change: laptops compute the same ones)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync_server.services.canonical import object_json, piece, pieces
from sync_server.services.digests import CLASSES, canonical_json, class_digests
from sync_server.wire_schema import CONFLICT_TABLE, FieldSpec, TableSpec, conflict_table

text = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
values = st.recursive(
    leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


def reference_digests(table: TableSpec, fields: dict[str, Any]) -> dict[str, str]:
    """The digests as first written: a dict per class, dumped whole."""
    groups: dict[str, dict[str, Any]] = {cls: {} for cls in CLASSES}
    for name in table.fields:
        if name == "id":
            continue
        cls = table.fields[name].cls
        if table.name == CONFLICT_TABLE and name in ("kept_value", "other_value"):
            cls = str(fields.get("value_class") or "M")
        groups.setdefault(cls, {})[name] = fields.get(name)
    return {cls: hashlib.sha256(canonical_json(groups[cls])).hexdigest() for cls in CLASSES}


@settings(max_examples=400, deadline=None)
@given(values)
def test_piece_is_canonical_json(value: Any) -> None:
    assert piece(value) == canonical_json(value).decode()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(text, max_size=3) | text | st.none(), max_size=3))
def test_piece_of_lists_of_text(value: Any) -> None:
    for item in value:
        assert piece(item) == canonical_json(item).decode()


TABLE = TableSpec(
    "thing",
    {
        "id": FieldSpec("str", "S", False),
        "zeta": FieldSpec("str", "C", True),
        "alpha": FieldSpec("list", "S", True),
        "mid": FieldSpec("int", "M", True),
        "flag": FieldSpec("bool", "S", True),
        "odd": FieldSpec("str", "X", True),
        "deleted": FieldSpec("bool", "S", False),
    },
    writers=frozenset({"social_worker"}),
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "zeta": text | st.none(),
            "alpha": st.lists(text, max_size=3),
            "mid": st.integers(),
            "flag": st.booleans(),
            "odd": text,
            "deleted": st.booleans(),
            "id": text,
        },
    )
)
def test_class_digests_match_the_reference(fields: dict[str, Any]) -> None:
    expected = reference_digests(TABLE, fields)
    assert class_digests(TABLE, fields) == expected
    assert class_digests(TABLE, fields, pieces(fields)) == expected


@settings(max_examples=200, deadline=None)
@given(values, values, st.sampled_from(["S", "C", "M", "X", None]))
def test_conflict_digests_follow_the_value_class(kept: Any, other: Any, cls: Any) -> None:
    table = conflict_table()
    fields = {"kept_value": kept, "other_value": other, "value_class": cls, "field": "note"}
    assert class_digests(table, fields) == reference_digests(table, fields)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "zed", "q_1"]), values, max_size=4))
def test_object_json_reads_back_the_same(fields: dict[str, Any]) -> None:
    written = object_json(fields, pieces(fields))
    assert json.dumps(json.loads(written)) == json.dumps(fields)  # NaN included
    assert list(json.loads(written)) == list(fields)
