"""The wire schema of synced tables, exported as data for the server (which never imports us).

``drome_resources/schema/sync_schema.json`` is generated from the models by ``export_schema()``; a
test checks the file matches, so a column added here cannot silently go unsynced or unguarded.
It names, for each table, each field's type and confidentiality class, and the table's policy:
who may write it, whether only its author may change it, and whether it freezes once signed.
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from pathlib import Path
from typing import Any

from van_app.core.confidentiality import fields_by_class
from van_app.core.models import DOMAIN_TABLES, StaffAccount

SCHEMA_VERSION = 1
LOCAL_ONLY = {"server_version", "search_key"}  # bookkeeping and derived columns: never sent
# Free text: the only fields that may hold line breaks and tabs (every other text is one line).
MULTILINE = {"note", "comment"}

# Who may push each table, and how its records may change once written.
#   writers: roles allowed to create or change records of the table;
#   author_only: only the record's author may change it afterwards;
#   immutable: never changed after creation (addenda, answers);
#   freeze_when_signed: once status is "signed", nothing but a tombstone-free no-op is accepted;
#   merge: fields merge one by one with a base version (identity records);
#   parent: the consultation a record hangs on, and what that says of who may write it:
#     field / table (or kind_field and tables by kind): where the consultation is named;
#     same_author: only the consultation's author writes it;
#     parent_signed: only on a signed consultation (addenda, reviews);
#     frozen_with_parent: no change once the consultation is signed (its orientations);
#     reads_parent: only a writer whose roles read every class of the consultation (a review
#       of a PMI visit is for a supervisor who is also a PMI nurse).
_SOCIAL = "social_consultation"
_BY_KIND = {"social": "social_consultation", "pmi": "pmi_consultation"}
POLICIES: dict[str, dict[str, Any]] = {
    "staff_account": {"writers": [], "service": None},
    "tour_pattern": {"writers": ["supervisor"], "service": None, "merge": True},
    "tour_stop": {"writers": ["supervisor"], "service": None, "merge": True},
    "beneficiary": {
        "writers": ["social_worker", "pmi_nurse", "supervisor"],
        "service": None,
        "merge": True,
    },
    "household_link": {
        "writers": ["social_worker", "pmi_nurse", "supervisor"],
        "service": None,
        "merge": True,
    },
    "social_consultation": {
        "writers": ["social_worker"],
        "service": "social",
        "author_only": True,
        "freeze_when_signed": True,
    },
    "social_orientation": {
        "writers": ["social_worker"],
        "service": "social",
        "author_only": True,
        "parent": {
            "field": "consultation_id",
            "table": _SOCIAL,
            "same_author": True,
            "frozen_with_parent": True,
        },
    },
    "social_addendum": {
        "writers": ["social_worker"],
        "service": "social",
        "immutable": True,
        "parent": {
            "field": "consultation_id",
            "table": _SOCIAL,
            "same_author": True,
            "parent_signed": True,
        },
    },
    "pmi_consultation": {
        "writers": ["pmi_nurse"],
        "service": "pmi",
        "author_only": True,
        "freeze_when_signed": True,
    },
    "pmi_addendum": {
        "writers": ["pmi_nurse"],
        "service": "pmi",
        "immutable": True,
        "parent": {
            "field": "consultation_id",
            "table": "pmi_consultation",
            "same_author": True,
            "parent_signed": True,
        },
    },
    "follow_up": {
        "writers": ["social_worker"],
        "service": "social",
        "author_only": True,
        "parent": {"field": "consultation_id", "table": _SOCIAL, "same_author": True},
    },
    "satisfaction_answer": {
        "writers": ["social_worker", "pmi_nurse"],
        "service": None,
        "immutable": True,
        "readers": ["supervisor"],
    },
    # Each decision is a new record (a request, then a validation): the thread is history.
    "supervisor_review": {
        "writers": ["supervisor"],
        "service": None,
        "author_only": True,
        "immutable": True,
        "parent": {
            "field": "consultation_id",
            "kind_field": "consultation_kind",
            "tables": _BY_KIND,
            "parent_signed": True,
            "reads_parent": True,
        },
    },
    # Written by the server (its own definition wins there); a supervisor only tombstones it.
    "sync_conflict": {
        "writers": ["supervisor"],
        "service": None,
        "readers": ["supervisor"],
        "server_written": True,
    },
}


def _type_name(annotation: Any) -> tuple[str, bool]:
    """("str" | "int" | "bool" | "date" | "datetime" | "time" | "list", nullable)."""
    nullable = False
    if annotation is Any:
        return "any", True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return "list", nullable
    names = {
        str: "str",
        int: "int",
        bool: "bool",
        dt.date: "date",
        dt.datetime: "datetime",
        dt.time: "time",
    }
    return names[annotation], nullable


def export_schema() -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for model in (StaffAccount, *DOMAIN_TABLES):
        name = model.__tablename__  # type: ignore[attr-defined]
        if name in tables:
            continue
        fields: dict[str, Any] = {}
        classes = fields_by_class(model)
        for field_name, info in model.model_fields.items():
            if field_name in LOCAL_ONLY:
                continue
            kind, nullable = _type_name(info.annotation)
            column = model.__table__.c[field_name]  # type: ignore[attr-defined]
            entry: dict[str, Any] = {
                "type": kind,
                "class": classes[field_name].value,
                "nullable": nullable,
            }
            length = getattr(column.type, "length", None)
            if length:
                entry["max_length"] = length
            if field_name in MULTILINE:
                entry["multiline"] = True
            fields[field_name] = entry
        tables[name] = {"fields": fields, **POLICIES[name]}
    return {"schema_version": SCHEMA_VERSION, "tables": tables}


def schema_path(resources: Path) -> Path:
    return resources / "schema" / "sync_schema.json"


def write_schema(resources: Path) -> Path:
    path = schema_path(resources)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(export_schema(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


if __name__ == "__main__":
    from van_app.config import resources_dir

    print(write_schema(resources_dir()))
