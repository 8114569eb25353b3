"""Pulled records this device does not hold yet, written as rows with ``executemany``.

A new device's first pull is almost only new records: building each as an ORM object and
flushing them one by one cost ten times what the database needs. Here each becomes a dict
of column values (the model's defaults, blanks for unreadable required columns, the pulled
values) and each table's rows go in one ``INSERT`` statement on the session's connection,
in the page's transaction. No ORM event runs, so nothing enters the outbox (these values are
the server's); the one model hook (a person's folded search key) is applied here, and the
database's own triggers (full-text index, name vocabulary) run as for any insert. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import itemgetter
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Connection, Dialect, Table, insert
from sqlmodel import Session

from van_app.core import text
from van_app.core.digest_lines import keep_digest_lines
from van_app.sync.row_digest import row_digest
from van_app.sync.wire import MODELS, blank, wire_fields

BULK_TABLES = frozenset(MODELS) - {"staff_account"}  # a staff account may replace a local one


@cache
def _template(table: str) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """Per table: fixed column defaults, and the factories of the others."""
    model = MODELS[table]
    fixed: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    wire = wire_fields()[table]
    for name, info in model.model_fields.items():
        if name in ("id", "server_version"):
            continue  # always given
        if info.default_factory is not None:
            factories[name] = info.default_factory  # type: ignore[assignment]
        elif info.default is not PydanticUndefined:
            fixed[name] = info.default
        elif name in wire:
            spec = wire[name]
            fixed[name] = blank(spec["type"], spec["nullable"])
    return fixed, factories


class NewRows:
    """Rows to insert, by table, in the order first seen; the newest version per record."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}

    def holds(self, table: str, record_id: str) -> bool:
        return record_id in self.rows.get(table, {})

    def add(
        self, table: str, record_id: str, values: dict[str, Any], version: int, force: bool
    ) -> bool:
        """Queue a record as the server sent it; False if older than one already queued."""
        rows = self.rows.setdefault(table, {})
        held = rows.get(record_id)
        if held is not None:
            if not force and held["server_version"] > version:
                return False
            held.update(values, server_version=version)
            _fold_names(table, held)
            return True
        fixed, factories = _template(table)
        row = dict(fixed)
        for name, value in fixed.items():
            if isinstance(value, list | dict):
                row[name] = type(value)(value)
        for name, factory in factories.items():
            if name not in values:
                row[name] = factory()
        row.update(values, id=record_id, server_version=version)
        _fold_names(table, row)
        rows[record_id] = row
        return True

    def write(self, session: Session, digest_classes: frozenset[str] | None = None) -> None:
        """Insert the rows; with ``digest_classes``, also their verification lines for a
        reader of those classes (what ``verify.py`` would compute from the rows read back)."""
        connection = session.connection()
        lines: list[tuple[Any, ...]] = []
        classes = "".join(sorted(digest_classes or ()))
        for table, rows in self.rows.items():
            if rows:
                _insert_rows(connection, MODELS[table].__table__, list(rows.values()))  # type: ignore[attr-defined]
            if digest_classes is not None:
                lines += [
                    (row["id"], classes, table, row["server_version"],
                     row_digest(table, row, digest_classes))
                    for row in rows.values()
                ]  # fmt: skip
        keep_digest_lines(connection, lines)
        self.rows.clear()


@cache
def _plan(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any] | None], ...]] | None:
    """The INSERT of ``keys`` into ``table`` as the driver takes it, and each key's bind
    processor (what SQLAlchemy would apply); None when SQLAlchemy would add columns."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    order = compiled.positiontup
    if order is None or sorted(order) != sorted(keys):
        return None
    processors = compiled._bind_processors
    index = {name: i for i, name in enumerate(keys)}
    return compiled.string, tuple((index[name], processors.get(name)) for name in order)


def _insert_rows(connection: Connection, table: Table, dicts: list[dict[str, Any]]) -> None:
    """``executemany`` straight on the driver's cursor, in the session's transaction: the
    values converted as SQLAlchemy would, without its per-row bookkeeping. ``dicts`` share
    one set of keys."""
    keys = tuple(dicts[0])
    rows = list(map(itemgetter(*keys), dicts))
    plan = _plan(table, keys, connection.dialect)
    if plan is None:
        connection.execute(insert(table), [dict(zip(keys, row, strict=True)) for row in rows])
        return
    sql, columns = plan
    if any(process is not None for _, process in columns) or [i for i, _ in columns] != list(
        range(len(keys))
    ):  # converted column by column, in the statement's order
        values = list(zip(*rows, strict=True))
        rows = list(
            zip(
                *(values[i] if process is None else list(map(process, values[i]))
                  for i, process in columns),
                strict=True,
            )
        )  # fmt: skip

    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _fold_names(table: str, row: dict[str, Any]) -> None:
    """What ``Beneficiary``'s before-insert hook does for the ORM."""
    if table == "beneficiary":
        row["search_key"] = text.search_key(
            row.get("birth_name"), row.get("usual_name"), row.get("first_names")
        )
