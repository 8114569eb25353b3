"""What one push transaction reads and writes, set-based.

Everything a batch of changes needs is loaded before the first change is looked at, in one
query per table (the records the changes name, the consultations they hang on, the change ids
already applied), and held here by strong references; everything it writes is collected and
written at the end with ``executemany`` statements. No flush per record: the rules in
``push_rules.py`` read and write plain objects, in the order of the changes, so a change sees
what an earlier change of the same batch did (a consultation and its addendum in one push).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, col, select

from sync_server.models import AppliedChange, SyncRecord, utcnow
from sync_server.services.json_text import Encoded, takes_encoded
from sync_server.wire_schema import CONFLICT_TABLE, TableSpec

CHUNK = 500  # ids per IN (…) list


@dataclass(slots=True)
class NewRecord:
    """A record created by this push: the columns of ``sync_record``, inserted at the end."""

    table_name: str
    id: str
    cms_code: str
    author: str
    device: str
    version: int
    deleted: bool
    fields: dict[str, Any]
    field_versions: dict[str, int]
    field_stamps: dict[str, list[Any]] = field(default_factory=dict)
    digests: dict[str, str] | None = None
    echo_device: str | None = None
    echo_version: int | None = None
    created_at: dt.datetime = field(default_factory=utcnow)
    updated_at: dt.datetime = field(default_factory=utcnow)
    # column → (the value it was written from, its JSON): used while the value is still that
    # object (a later change of the same push replaces the dict, never edits it in place).
    encoded: dict[str, tuple[Any, str]] | None = None

    def row(self, *, encoded: bool = False) -> dict[str, Any]:
        row = self._row()
        if encoded and self.encoded:
            for column, (value, text) in self.encoded.items():
                if row[column] is value:
                    row[column] = Encoded(text)
        return row

    def _row(self) -> dict[str, Any]:
        return {
            "table_name": self.table_name,
            "id": self.id,
            "cms_code": self.cms_code,
            "author": self.author,
            "device": self.device,
            "version": self.version,
            "created_version": self.version,  # created by this push, whatever its last version
            "deleted": self.deleted,
            "fields": self.fields,
            "field_versions": self.field_versions,
            "field_stamps": self.field_stamps,
            "digests": self.digests,
            "echo_device": self.echo_device,
            "echo_version": self.echo_version,
            "quarantined": None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


Record = SyncRecord | NewRecord
_ABSENT = object()


class PushBatch:
    """The records, change ids and rows of one push transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.records: dict[tuple[str, str], Any] = {}  # (table, id) → record, or None: absent
        self.taken_ids: set[str] = set()  # ids held by some record, in any table or CMS
        self.applied: dict[str, dict[str, Any]] = {}  # change id → first result
        self.applied_owner: dict[str, str] = {}  # change id → username of its first push
        self.new: dict[tuple[str, str], NewRecord] = {}
        self.applied_rows: list[dict[str, Any]] = []
        self._looked_up: set[str] = set()  # ids whose records are all loaded

    # -- loading -----------------------------------------------------------------------------

    def load_applied(self, change_ids: Iterable[str]) -> None:
        wanted = sorted(set(change_ids))
        for start in range(0, len(wanted), CHUNK):
            for row in self.session.exec(
                select(AppliedChange).where(
                    col(AppliedChange.change_id).in_(wanted[start : start + CHUNK])
                )
            ).all():
                self.applied[row.change_id] = dict(row.result)
                self.applied_owner[row.change_id] = row.username

    def load_ids(self, ids: Iterable[str]) -> None:
        """Every record holding one of these ids, whatever its table or CMS."""
        wanted = sorted(set(ids) - self._looked_up)
        for start in range(0, len(wanted), CHUNK):
            for row in self.session.exec(
                select(SyncRecord).where(col(SyncRecord.id).in_(wanted[start : start + CHUNK]))
            ).all():
                self.records[(row.table_name, row.id)] = row
                self.taken_ids.add(row.id)
        self._looked_up.update(wanted)

    def load_parents(
        self, schema: Mapping[str, TableSpec], changes: Sequence[Any], valid: Sequence[bool]
    ) -> None:
        """The consultations the changes hang on (named in the change or the stored record),
        and the records a replayed conflict is about."""
        ids: set[str] = set()
        for change, ok in zip(changes, valid, strict=True):
            spec = schema.get(change.table) if ok else None
            if spec is None:
                continue
            values: Mapping[str, Any] = change.fields
            stored = self.records.get((change.table, change.id))
            if stored is not None:
                values = {**stored.fields, **values}
            if spec.parent is not None and isinstance(values.get(spec.parent.field), str):
                ids.add(values[spec.parent.field])
            if change.table == CONFLICT_TABLE and isinstance(values.get("record_id"), str):
                ids.add(values["record_id"])
        self.load_ids(ids)

    # -- reading during the batch --------------------------------------------------------------

    def get(self, model: Any, key: tuple[str, str]) -> Any:
        """A record by (table, id), as ``Session.get`` would give it (what ``relation_problem``
        calls), including records created earlier in this push."""
        found = self.records.get(key, _ABSENT)
        if found is _ABSENT:
            self.load_ids([key[1]])
            found = self.records.get(key)
            self.records.setdefault(key, found)
        return found

    def id_taken(self, record_id: str) -> bool:
        if record_id not in self._looked_up:
            self.load_ids([record_id])
        return record_id in self.taken_ids

    # -- writing -----------------------------------------------------------------------------

    def add_new(self, record: NewRecord) -> None:
        key = (record.table_name, record.id)
        self.records[key] = record
        self.new[key] = record
        self.taken_ids.add(record.id)

    def record_applied(
        self, change_id: str, actor: Any, table: str, record_id: str, outcome: dict[str, Any]
    ) -> None:
        self.applied[change_id] = outcome
        self.applied_owner[change_id] = actor.username
        self.applied_rows.append(
            {
                "change_id": change_id,
                "device_id": actor.device_id,
                "username": actor.username,
                "table_name": table[:64],
                "record_id": record_id[:64],
                "result": outcome,
                "version": outcome["version"],
                "applied_at": utcnow(),
            }
        )

    def write(self) -> None:
        """Everything at once: new records, changed ones (the ORM groups their UPDATEs into
        executemany), then the applied change ids."""
        if self.new:
            encoded = takes_encoded(self.session)
            insert_rows(
                self.session,
                SyncRecord.__table__,  # type: ignore[attr-defined]
                [record.row(encoded=encoded) for record in self.new.values()],
            )
        self.session.flush()
        if self.applied_rows:
            insert_rows(self.session, AppliedChange.__table__, self.applied_rows)  # type: ignore[attr-defined]


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``session.execute(insert(table), rows)``; on SQLite straight to the driver: the same
    values (each column's own bind processor, as SQLAlchemy applies it) without its generic
    per-row parameter handling, most of a push's write time. Rows have the same keys."""
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0]) if rows else []
    if (
        dialect.name != "sqlite"
        or not rows
        or any(c.default is not None and c.name not in rows[0] for c in table.c)
    ):
        session.execute(insert(table), rows)
        return
    columns = [table.c[name] for name in names]
    processors = [
        (i, process)
        for i, column in enumerate(columns)
        if (process := column.type._cached_bind_processor(dialect)) is not None
    ]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    params = []
    for row in rows:
        values = [row[name] for name in names]
        for i, process in processors:
            values[i] = process(values[i])
        params.append(tuple(values))
    connection.exec_driver_sql(sql, params)
