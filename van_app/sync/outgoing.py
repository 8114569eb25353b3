"""What leaves in a push, and what the server's answers do to the local store. No Qt.

- A batch holds the oldest pending outbox entries, at most one per record: a later entry of
  the same record leaves only once the earlier one is answered, so the base it claims for each
  field is what its author saw, the earlier answer included.
- Each change carries, per field, the version its author saw (``bases``); a replay after a
  restore carries each field's version from before the restore (``origins``).
- The change id is saved in the entry before it first leaves: a retry after a lost answer is a
  replay the server recognises (exactly once).
- An accepted change updates the fields' versions; a field the server kept another value for
  (a lost conflict, a replay it did not take) keeps its old version, so verification fetches
  the server's value; a refused change stays, with its reason, for its author to see.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import delete
from sqlmodel import Session, col, select

from van_app.core.models import SyncConflict
from van_app.core.outbox import OutboxEntry
from van_app.core.pending import leaves_with
from van_app.sync.accepted import (
    PlainAcceptances,
    held_versions,
    plain_acceptance,
    with_own_versions,
)
from van_app.sync.apply import FieldVersionBook, preload
from van_app.sync.wire import PULL_ONLY, decode_fields, new_local_record, wire_fields
from van_app.sync.wire_rows import load_rows, row_fields

log = logging.getLogger(__name__)
ALWAYS_SENT = frozenset({"created_at", "updated_at", "author", "device", "deleted"})
CHUNK = 500  # outbox entries read at a time while a batch is filled
_COMPACT = json.JSONEncoder(separators=(",", ":")).encode  # what a change costs in a request


@dataclass
class PushCounts:
    pushed: int = 0
    rejected: int = 0
    dropped: int = 0  # replays the server refused: its state stands


class ChangeIds:
    """Change ids of one batch: 96 random bits for the batch, then the record's id.

    Unique per outbox entry: a new batch never reuses a prefix, and a batch holds one change
    per record at most. On the wire the prefix goes once (``change_prefix``) and a change
    whose id is "<prefix>.<record id>" is sent without it (docs/protocol.md): the ids cost
    nothing, where a number per change cost a tenth of a push's bytes. A record id too long
    for that takes "<prefix>:<number>" instead (a colon: never one of the other kind).
    """

    MAX = 64  # the protocol's change id length

    def __init__(self) -> None:
        # A letter first: ids start with a letter or digit (docs/protocol.md).
        self.prefix = "c" + base64.urlsafe_b64encode(secrets.token_bytes(12)).decode("ascii")
        self.count = 0

    def next(self, record_id: str) -> str:
        derived = f"{self.prefix}.{record_id}"
        if len(derived) <= self.MAX:
            return derived
        self.count += 1
        return f"{self.prefix}:{self.count}"


class PushBatch(list[tuple[int, dict[str, Any]]]):
    """(outbox seq, change) pairs, with the prefix of the change ids made for them."""

    def __init__(self, items: Iterable[tuple[int, dict[str, Any]]] = (), prefix: str = "") -> None:
        super().__init__(items)
        self.prefix = prefix

    def on_the_wire(self) -> list[dict[str, Any]]:
        """The changes as sent: without the ids the prefix gives."""
        sent = []
        for _, change in self:
            if self.prefix and change["change_id"] == f"{self.prefix}.{change['id']}":
                change = {k: v for k, v in change.items() if k != "change_id"}
            sent.append(change)
        return sent


_ENTRY_KEYS = (
    OutboxEntry.seq,
    OutboxEntry.record_table,
    OutboxEntry.record_id,
    OutboxEntry.change_id,
    OutboxEntry.replay,
)


class _Entry(NamedTuple):
    """An outbox entry as a push batch reads it (a row, not a model object)."""

    seq: int
    record_table: str
    record_id: str
    change_id: str | None
    replay: bool
    changed_fields: list[str]
    seen: dict[str, Any]


def _with_details(session: Session, keys: list[Any]) -> list[_Entry]:
    """The entries of ``keys`` (in their order) with their changed fields and seen values."""
    details = {
        seq: (changed or [], seen or {})
        for seq, changed, seen in session.connection().execute(
            select(OutboxEntry.seq, OutboxEntry.changed_fields, OutboxEntry.seen).where(
                col(OutboxEntry.seq).in_([k.seq for k in keys])
            )
        )
    }
    return [
        _Entry(k.seq, k.record_table, k.record_id, k.change_id, k.replay, *details[k.seq])
        for k in keys
        if k.seq in details
    ]


@dataclass
class _Batch:
    """A push batch being filled, and what filling it changes in the outbox."""

    ids: ChangeIds
    changes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    size: int = 0
    full: bool = False
    new_ids: list[tuple[str, int]] = field(default_factory=list)  # (change id, seq) to save
    gone: list[int] = field(default_factory=list)  # entries of records no longer here

    def save(self, session: Session) -> None:
        table = OutboxEntry.__table__  # type: ignore[attr-defined]
        connection = session.connection()
        if self.new_ids:  # through the driver: one statement, no per-row handling
            connection.exec_driver_sql(
                f"UPDATE {OutboxEntry.__tablename__} SET change_id = ? WHERE seq = ?",
                self.new_ids,
            )
        for start in range(0, len(self.gone), CHUNK):
            connection.execute(
                delete(table).where(table.c.seq.in_(self.gone[start : start + CHUNK]))
            )


class Outgoing:
    """Builds push batches for one user and applies the server's results."""

    def __init__(
        self,
        username: str,
        batch_bytes: int,
        batch_max: int,
        classes: frozenset[str] = frozenset(),
    ) -> None:
        self.username = username
        self.classes = classes  # the user's readable classes: verification lines
        self.batch_bytes = batch_bytes
        self.batch_max = batch_max

    # -- batches ---------------------------------------------------------------------------

    def next_batch(self, session: Session, in_flight: Iterable[str] = ()) -> PushBatch:
        """The oldest pending changes, at most one per record, each with its change id saved.

        Replays go first: after a restore, the server may lack a record that an ordinary
        change (a few fields) only completes. Runs in the caller's transaction, which commits
        the change ids before the request. Entries and records are read as rows, a chunk at
        a time (one query per table), and the new change ids written in one statement.
        ``in_flight``: records of a batch sent and not answered yet, whose later changes wait.
        """
        batch = _Batch(ChangeIds(), seen=set(in_flight))
        with session.no_autoflush:
            for replay in (True, False):
                last_seq = 0
                while not batch.full:  # a chunk at a time, oldest first, until the batch fills
                    chunk = (
                        session.connection()
                        .execute(
                            select(*_ENTRY_KEYS)
                            .where(col(OutboxEntry.rejected_reason).is_(None))
                            .where(col(OutboxEntry.replay).is_(replay))
                            .where(col(OutboxEntry.seq) > last_seq)
                            .order_by(col(OutboxEntry.seq))
                            .limit(CHUNK)
                        )
                        .all()
                    )
                    if not chunk:
                        break
                    last_seq = chunk[-1].seq or last_seq
                    # Records in flight wait: neither they nor their entries are read further.
                    waiting = [e for e in chunk if e.record_id not in batch.seen]
                    if waiting:
                        entries = _with_details(session, waiting)
                        loaded = load_rows(
                            session, [(e.record_table, e.record_id) for e in entries]
                        )
                        book = FieldVersionBook(session, [e.record_id for e in entries])
                        self._fill(entries, loaded, book, batch)
        batch.save(session)
        return PushBatch(batch.changes, batch.ids.prefix)

    def _fill(self, entries, loaded, book, batch: _Batch) -> None:  # type: ignore[no-untyped-def]
        """Add ``entries`` to ``batch`` until it is full; skip others' changes."""
        for entry in entries:
            if entry.record_id in batch.seen:
                continue  # waits for the answer to the earlier change of the same record
            batch.seen.add(entry.record_id)  # even when skipped: order per record is kept
            record = loaded.get((entry.record_table, entry.record_id))
            if record is None or entry.record_table in PULL_ONLY:
                batch.gone.append(entry.seq)  # nothing to send: the record is the server's
                continue
            if not leaves_with(
                entry.record_table, record.author, record.server_version, self.username
            ):
                continue  # created here by a colleague: it leaves with the colleague's token
            change = self.change_for(
                entry, record, book, entry.change_id or batch.ids.next(record.id)
            )
            cost = len(_COMPACT(change))
            if batch.changes and (
                batch.size + cost > self.batch_bytes or len(batch.changes) >= self.batch_max
            ):
                batch.full = True
                return
            if entry.change_id is None:  # saved before it leaves: retries reuse it
                batch.new_ids.append((change["change_id"], entry.seq))
            batch.changes.append((entry.seq, change))
            batch.size += cost
            if len(batch.changes) >= self.batch_max:
                batch.full = True  # no need to read the next chunk to know it
                return

    @staticmethod
    def change_for(
        entry: OutboxEntry, record: Any, book: FieldVersionBook, change_id: str
    ) -> dict[str, Any]:
        table = entry.record_table
        wire = wire_fields()[table]
        change: dict[str, Any] = {
            "change_id": change_id,
            "table": table,
            "id": record.id,
            "base_version": record.server_version,
            "deleted": record.deleted,
        }
        if entry.replay:
            names = (set(entry.changed_fields) | ALWAYS_SENT) & set(wire)
            change["fields"] = row_fields(table, record, names)
            # Fields typed here since the restore go back as the server held them.
            change["fields"].update({n: v for n, v in (entry.seen or {}).items() if n in names})
            change["replay"] = True
            change["origins"] = {n: book.version(record, n) or 0 for n in change["fields"]}
            return change
        if record.server_version is None:  # new here: every field, nothing seen before
            change["fields"] = row_fields(table, record)
            return change
        names = (set(entry.changed_fields) | ALWAYS_SENT) & set(wire)
        change["fields"] = row_fields(table, record, names)
        if "deleted" in entry.changed_fields and not record.deleted:
            change["undelete"] = True  # a supervisor puts back a record deleted by mistake
        change["bases"] = {
            n: book.version(record, n) or 0 for n in change["fields"] if n not in ALWAYS_SENT
        }
        seen = {n: v for n, v in (entry.seen or {}).items() if n in change["bases"]}
        if seen:
            change["seen"] = seen
        return change

    # -- results ---------------------------------------------------------------------------

    @staticmethod
    def _keep_conflicts(session: Session, conflicts: list[dict[str, Any]]) -> None:
        """Keep the conflicts this push made: if a restore loses them on the server before a
        supervisor pulled them, this device sends them back (recovery.py)."""
        for item in conflicts:
            if not isinstance(item, dict) or session.get(SyncConflict, item.get("id")):
                continue
            record = new_local_record(
                "sync_conflict", str(item["id"]), decode_fields("sync_conflict", item["fields"])
            )
            record.server_version = int(item["version"])
            session.add(record)

    def apply_results(
        self,
        session: Session,
        batch: list[tuple[int, dict[str, Any]]],
        results: list[dict[str, Any]],
        counts: PushCounts,
    ) -> None:
        """Record the server's answers (in the caller's transaction).

        The plain ones (taken whole over what this device held) as rows (``accepted.py``),
        the others through the records and their fields' versions.
        """
        by_change = {r.get("change_id"): r for r in results if isinstance(r, dict)}
        held = held_versions(session, [(c["table"], c["id"]) for _, c in batch])
        own = with_own_versions(session, [c["id"] for _, c in batch])
        replays = dict(
            session.exec(
                select(OutboxEntry.seq, OutboxEntry.replay).where(
                    col(OutboxEntry.seq).in_([seq for seq, _ in batch])
                )
            ).all()
        )
        plain, rest = PlainAcceptances(self.classes), []
        for seq, change in batch:
            key = (change["table"], change["id"])
            if seq in replays and not replays[seq] and key in held:
                answer = by_change.get(change["change_id"])
                version = plain_acceptance(
                    answer, change, held[key], has_own_versions=change["id"] in own
                )
                if version is not None and answer is not None:
                    whole = change["fields"] if "bases" not in change else None
                    plain.add(seq, key[0], key[1], version, answer.get("device"), whole)
                    counts.pushed += 1
                    continue
            rest.append((seq, change))
        plain.write(session)
        if rest:
            self._apply_other_results(session, rest, by_change, counts)

    def _apply_other_results(
        self,
        session: Session,
        batch: list[tuple[int, dict[str, Any]]],
        by_change: dict[Any, dict[str, Any]],
        counts: PushCounts,
    ) -> None:
        loaded = preload(session, [(c["table"], c["id"]) for _, c in batch])
        book = FieldVersionBook(session, [c["id"] for _, c in batch])
        entries = {
            e.seq: e
            for e in session.exec(
                select(OutboxEntry).where(col(OutboxEntry.seq).in_([seq for seq, _ in batch]))
            ).all()
        }
        with session.no_autoflush:
            for seq, change in batch:
                answer = by_change.get(change["change_id"])
                entry = entries.get(seq)
                if answer is None or entry is None:
                    continue  # not answered: it stays queued, same change id, next time
                if answer.get("status") == "rejected" and entry.replay:
                    # What a restored server lost, sent back and refused (the record changed
                    # since, a tombstone only its maker may send): no one typed it here; the
                    # server's state stands and verification brings it to this laptop.
                    log.warning(
                        "replay refused (%s): the server's state stands", answer.get("code")
                    )
                    session.delete(entry)
                    counts.dropped += 1
                    continue
                if answer.get("status") == "rejected":
                    entry.rejected_reason = answer.get("reason") or "Refusé par le serveur."
                    entry.rejected_code = answer.get("code") or "rejected"
                    session.add(entry)
                    counts.rejected += 1
                    continue
                self._keep_conflicts(session, answer.get("conflicts") or [])
                record = loaded.get((change["table"], change["id"]))
                if record is not None and answer.get("version") is not None:
                    lost = set(answer.get("lost_fields") or ())
                    kept = [n for n in change["fields"] if n not in lost]
                    previous = answer.get("previous_version")
                    book.accepted(
                        record,
                        kept,
                        lost,
                        int(answer["version"]),
                        previous,
                        replay=bool(change.get("replay")),
                    )
                    if isinstance(answer.get("device"), str):
                        # Stored as sent: with the server's device id this device holds the
                        # record whole, and the server leaves it out of its pulls (echo).
                        record.device = answer["device"]
                    session.add(record)
                session.delete(entry)
                counts.pushed += 1
