"""The shipped wire schema (``drome_resources/schema/sync_schema.json``) as the server sees it.

The van app generates the file from its models; the server only reads it (neither package
imports the other). The server adds one table of its own, ``sync_conflict``: the losing value
of a same-field conflict, pulled by supervisors (see ``CONFLICT_TABLE``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CONFLICT_TABLE = "sync_conflict"
# Fields the server fills or keeps itself; they never take part in a merge conflict.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "author", "device", "deleted"})
# The values of a conflict record carry the class of the conflicting field (``value_class``);
# every other conflict field is S.
CONFLICT_VALUE_FIELDS = frozenset({"kept_value", "other_value"})


@dataclass(frozen=True)
class FieldSpec:
    type: str  # str | int | bool | date | datetime | time | list
    cls: str  # S | C | M
    nullable: bool
    max_length: int | None = None
    multiline: bool = False  # free text: tabs and line breaks allowed


@dataclass(frozen=True)
class ParentRule:
    """The consultation a record hangs on (schema ``parent``) and what it says of writers."""

    field: str
    table: str | None = None
    kind_field: str | None = None
    tables: Mapping[str, str] | None = None
    same_author: bool = False
    parent_signed: bool = False
    frozen_with_parent: bool = False
    reads_parent: bool = False  # the writer reads every class of the consultation

    def parent_table(self, values: Mapping[str, Any]) -> str | None:
        if self.kind_field is None:
            return self.table
        return (self.tables or {}).get(str(values.get(self.kind_field)))


@dataclass(frozen=True)
class TableSpec:
    name: str
    fields: dict[str, FieldSpec]
    writers: frozenset[str]
    readers: frozenset[str] | None = None  # None: everyone of the CMS who syncs
    author_only: bool = False
    immutable: bool = False
    freeze_when_signed: bool = False
    merge: bool = False
    server_only: bool = False  # written by the server (staff_account) or only tombstoned
    parent: ParentRule | None = None


def _bookkeeping_fields() -> dict[str, FieldSpec]:
    return {
        "id": FieldSpec("str", "S", False, 36),
        "created_at": FieldSpec("datetime", "S", False),
        "updated_at": FieldSpec("datetime", "S", False),
        "author": FieldSpec("str", "S", False, 64),
        "device": FieldSpec("str", "S", False, 64),
        "deleted": FieldSpec("bool", "S", False),
    }


def conflict_table() -> TableSpec:
    """``sync_conflict``: supervisors pull it and may tombstone a record once settled."""
    any_value = FieldSpec("any", "S", True)
    fields = {
        **_bookkeeping_fields(),
        "table": FieldSpec("str", "S", False, 64),
        "record_id": FieldSpec("str", "S", False, 36),
        "field": FieldSpec("str", "S", False, 64),
        "value_class": FieldSpec("str", "S", False, 1),
        "kept_value": any_value,
        "other_value": any_value,
        "kept_author": FieldSpec("str", "S", True, 64),
        "kept_device": FieldSpec("str", "S", True, 64),
        "kept_updated_at": FieldSpec("datetime", "S", True),
        "other_author": FieldSpec("str", "S", True, 64),
        "other_device": FieldSpec("str", "S", True, 64),
        "other_updated_at": FieldSpec("datetime", "S", True),
    }
    return TableSpec(
        CONFLICT_TABLE,
        fields,
        writers=frozenset({"supervisor"}),
        readers=frozenset({"supervisor"}),
        server_only=True,
    )


def parse_schema(data: dict[str, Any]) -> dict[str, TableSpec]:
    tables: dict[str, TableSpec] = {}
    for name, table in data["tables"].items():
        fields = {
            field_name: FieldSpec(
                spec["type"],
                spec["class"],
                bool(spec.get("nullable")),
                spec.get("max_length"),
                bool(spec.get("multiline")),
            )
            for field_name, spec in table["fields"].items()
        }
        readers = table.get("readers")
        parent = table.get("parent")
        tables[name] = TableSpec(
            name,
            fields,
            writers=frozenset(table.get("writers") or ()),
            readers=frozenset(readers) if readers is not None else None,
            author_only=bool(table.get("author_only")),
            immutable=bool(table.get("immutable")),
            freeze_when_signed=bool(table.get("freeze_when_signed")),
            merge=bool(table.get("merge")),
            server_only=not table.get("writers"),
            parent=ParentRule(**parent) if parent else None,
        )
    tables[CONFLICT_TABLE] = conflict_table()
    return tables


def field_class(table: TableSpec, name: str, fields: Mapping[str, Any]) -> str:
    """The confidentiality class of one field of one record.

    A conflict's two values take the class of the conflicting field (``value_class``, M when
    unknown); every other field has its schema class.
    """
    if table.name == CONFLICT_TABLE and name in CONFLICT_VALUE_FIELDS:
        return str(fields.get("value_class") or "M")
    return table.fields[name].cls


@lru_cache(maxsize=4)
def load_schema(path: Path) -> dict[str, TableSpec]:
    return parse_schema(json.loads(path.read_text("utf-8")))
