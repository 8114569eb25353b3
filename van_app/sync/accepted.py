"""The common answer to a push, recorded as rows: "applied, nothing else happened".

Most answers say that a change was taken whole over the version this device held (a new
record, or an edit nobody else made meanwhile): the record is then the server's state at the
answer's version, its outbox entry goes, and (an *echo*) its ``device`` is the server's. Those
are written here with one ``UPDATE`` per table and one ``DELETE`` of entries, where going
through the objects cost more than the push itself. Every other answer (refused, merged, a
replay, a conflict made, fields at versions of their own) goes through ``FieldVersionBook``
as before (``outgoing.py``). No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from van_app.core.digest_lines import keep_digest_lines
from van_app.core.outbox import OutboxEntry
from van_app.core.sync_state import FieldVersions
from van_app.sync.digests import fields_digest
from van_app.sync.wire import MODELS

TAKEN = frozenset({"applied", "duplicate"})
CHUNK = 500


def held_versions(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int | None]:
    """(table, id) → the server version this device holds, for the records that exist."""
    by_table: dict[str, set[str]] = {}
    for table, record_id in keys:
        if table in MODELS:
            by_table.setdefault(table, set()).add(record_id)
    held: dict[tuple[str, str], int | None] = {}
    for table, ids in by_table.items():
        model = MODELS[table]
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            for record_id, version in session.exec(
                select(model.id, model.server_version).where(
                    col(model.id).in_(ordered[start : start + CHUNK])
                )
            ).all():
                held[(table, record_id)] = version
    return held


def with_own_versions(session: Session, ids: Iterable[str]) -> set[str]:
    """Records with fields at versions of their own (handled through the book)."""
    return _present(session, FieldVersions.record_id, ids)


def _present(session: Session, column: Any, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` found in ``column``, a few hundred per query."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            session.exec(select(column).where(col(column).in_(wanted[start : start + CHUNK])))
        )
    return found


def plain_acceptance(
    answer: dict[str, Any] | None,
    change: dict[str, Any],
    held: int | None,
    *,
    has_own_versions: bool,
) -> int | None:
    """The record's new version when the answer is the plain case, else None."""
    if (
        answer is None
        or answer.get("status") not in TAKEN
        or answer.get("version") is None
        or change.get("replay")
        or answer.get("lost_fields")
        or answer.get("conflicts")
        or has_own_versions
    ):
        return None
    previous = answer.get("previous_version")
    if held is not None and previous != held:
        return None
    return max(int(answer["version"]), held or 0)


class PlainAcceptances:
    """Rows to write at the end of a batch's answers.

    A new record taken whole is held afterwards exactly as it was sent (with the server's
    device id): its verification line is written here too, from the values sent, so the
    verification that ends the sync digests nothing again. Only for records with no other
    change waiting (an edit typed meanwhile makes its own line later).
    """

    def __init__(self, classes: frozenset[str] = frozenset()) -> None:
        self.classes = classes
        # Per table: (version, id) rows, and (version, device, id) rows with the server's id.
        self.versions: dict[str, list[tuple[int, str]]] = {}
        self.with_device: dict[str, list[tuple[int, str, str]]] = {}
        self.done: list[int] = []
        self.lines: dict[str, tuple[str, str, str, int, str]] = {}  # id → its kept line

    def add(
        self,
        seq: int,
        table: str,
        record_id: str,
        version: int,
        device: Any,
        whole: dict[str, Any] | None = None,
    ) -> None:
        """``whole``: every field's value as sent, for a new record."""
        if isinstance(device, str):
            self.with_device.setdefault(table, []).append((version, device, record_id))
        else:
            self.versions.setdefault(table, []).append((version, record_id))
        self.done.append(seq)
        if whole is not None and self.classes:
            values = {**whole, "device": device} if isinstance(device, str) else whole
            digest = fields_digest(table, values, self.classes)
            classes = "".join(sorted(self.classes))
            self.lines[record_id] = (record_id, classes, table, version, digest)

    def write(self, session: Session) -> None:
        """One statement per table, through the driver (thousands of rows: the ORM's per-row
        parameter handling cost more than the writes)."""
        connection = session.connection()
        for table, rows in self.with_device.items():
            connection.exec_driver_sql(
                f"UPDATE {MODELS[table].__tablename__} SET server_version = ?, device = ? "
                "WHERE id = ?",
                rows,
            )
        for table, plain in self.versions.items():
            connection.exec_driver_sql(
                f"UPDATE {MODELS[table].__tablename__} SET server_version = ? WHERE id = ?",
                plain,
            )
        for start in range(0, len(self.done), CHUNK):
            connection.execute(
                delete(OutboxEntry.__table__).where(  # type: ignore[arg-type]
                    col(OutboxEntry.seq).in_(self.done[start : start + CHUNK])
                )
            )
        if self.lines:
            # After the updates: their triggers drop the records' old lines.
            waiting = ids_with_entries_among(session, self.lines)
            keep_digest_lines(
                connection, [line for rid, line in self.lines.items() if rid not in waiting]
            )


def ids_with_entries_among(session: Session, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` with a change still waiting in the outbox."""
    return _present(session, OutboxEntry.record_id, ids)
