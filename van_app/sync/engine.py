"""The client side of sync: push the outbox, pull pages, verify, detect a restored server.

No Qt; one ``run()`` is one sync, safe to interrupt at any instant (kill -9 included):
- a change id is written to its outbox entry before the entry first leaves, so a retry after
  a lost response is a replay the server recognises (exactly once);
- each push result, and each pulled page with the new cursor, commits in one transaction;
- fields with a local change not yet accepted (pending, in flight or refused) are never
  overwritten by a pull, so nothing typed here is lost before the user saw its fate;
- a refused change is kept with the server's reason and does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.ids import new_id
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.core.models import StaffAccount, SupervisorReview, utcnow
from van_app.core.outbox import FROM_SERVER, OutboxEntry, pending_summary
from van_app.core.sync_schema import POLICIES as TABLE_POLICIES
from van_app.sync.client import SyncClient
from van_app.sync.wire import (
    MODELS,
    PULL_ONLY,
    decode_fields,
    new_local_record,
    record_fields,
    wire_fields,
)

log = logging.getLogger(__name__)

BATCH_BYTES = 512_000  # uncompressed JSON per push request
BATCH_MAX = 500
PAGE_SIZE = 500
CHUNK = 500  # outbox entries read at a time while a batch is filled
ALWAYS_SENT = {"created_at", "updated_at", "author", "device", "deleted"}
SUPERVISOR_ONLY = {"satisfaction_answer", "sync_conflict"}


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    requests: int = 0
    verified: bool = False
    mismatches: list[str] = field(default_factory=list)
    restored_server: bool = False
    finished_at: dt.datetime | None = None


Progress = Callable[[str, int, int], None]  # phase ("push"/"pull"), done, total (0: unknown)


def _key(name: str, username: str) -> str:
    return f"sync.{name}.{username}"


class SyncEngine:
    """One user's sync of the local store with one server."""

    def __init__(
        self,
        store: LocalStore,
        client: SyncClient,
        *,
        batch_bytes: int = BATCH_BYTES,
        batch_max: int = BATCH_MAX,
        page_size: int = PAGE_SIZE,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.batch_bytes = batch_bytes
        self.batch_max = batch_max
        self.page_size = page_size
        self.progress = progress or (lambda phase, done, total: None)
        self.username = store.user.username

    # -- state -------------------------------------------------------------------------------

    def _meta(self, session: Session, name: str) -> str | None:
        return get_meta(session, _key(name, self.username))

    def _set_meta(self, session: Session, name: str, value: str) -> None:
        set_meta(session, _key(name, self.username), value)

    def cursor(self) -> int:
        with self.store.session() as session:
            return int(self._meta(session, "cursor") or 0)

    # -- one sync ----------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Push everything, pull everything, verify. Raises SyncError if the server fails.

        A sync with nothing to do is one request: the combined call pushes nothing, returns
        an empty page and the summary to check against.
        """
        report = SyncReport()
        start_requests = self.client.stats.requests
        total = self._pending_count()
        batch = self._next_batch()
        response = self.client.sync([c for _, c in batch], self.cursor(), self.page_size)
        floor = self._restore_floor(response)
        if floor is not None:
            self._requeue_above(floor, str(response["server_id"]))
            again = self.run()
            again.restored_server = True
            return self._finish(again, start_requests)
        self._apply_push_results(batch, response["results"], report)
        self._apply_page(response, report)
        self.progress("push", report.pushed + report.rejected, total)
        worked = bool(batch) or bool(response["records"])
        more = bool(response["more"])
        while batch := self._next_batch():
            worked = True
            before = report.pushed + report.rejected
            pushed = self.client.push([c for _, c in batch])
            self._apply_push_results(batch, pushed["results"], report)
            self.progress("push", report.pushed + report.rejected, total)
            if report.pushed + report.rejected == before:
                break  # the server answered none of them: they stay queued for next time
        if worked:
            more = True  # our own pushes made new versions: read up to the server's head
        while more:
            page = self.client.pull(self.cursor(), self.page_size)
            self._apply_page(page, report)
            self.progress("pull", report.pulled, 0)
            more = bool(page["more"])
        summary = self.client.summary() if worked else response["summary"]
        report.mismatches = self._verify(summary["tables"])
        # Verified: the server and this device agree and none of this user's changes waits
        # (on a shared laptop, a colleague's changes wait for the colleague's own sync).
        report.verified = not report.mismatches and not self._next_batch()
        return self._finish(report, start_requests)

    def _finish(self, report: SyncReport, start_requests: int) -> SyncReport:
        report.requests = self.client.stats.requests - start_requests
        report.finished_at = utcnow()
        with self.store.session() as session:
            session.info[FROM_SERVER] = True
            if report.verified:
                self._set_meta(session, "last_success", report.finished_at.isoformat())
        return report

    # -- push --------------------------------------------------------------------------------

    def _pending_count(self) -> int:
        with self.store.session() as session:
            return pending_summary(session)[0]

    def _next_batch(self) -> list[tuple[int, dict[str, Any]]]:
        """The oldest pending changes, at most one per record, each with its change id saved."""
        batch: list[tuple[int, dict[str, Any], int]] = []
        size = 0
        seen: set[str] = set()
        with self.store.session() as session, session.no_autoflush:
            session.info[FROM_SERVER] = True
            last_seq = 0
            while True:  # read the queue a chunk at a time, oldest first, until the batch fills
                chunk = session.exec(
                    select(OutboxEntry)
                    .where(col(OutboxEntry.rejected_reason).is_(None))
                    .where(col(OutboxEntry.seq) > last_seq)
                    .order_by(col(OutboxEntry.seq))
                    .limit(CHUNK)
                ).all()
                if not chunk:
                    break
                last_seq = chunk[-1].seq or last_seq
                self._preload(session, [(e.record_table, e.record_id) for e in chunk])
                if self._fill(session, chunk, batch, seen, size):
                    break
                size = sum(cost for _, _, cost in batch)
        return [(seq, change) for seq, change, _ in batch]

    def _fill(self, session, entries, batch, seen, size) -> bool:  # type: ignore[no-untyped-def]
        """Add ``entries`` to ``batch`` until it is full (True); skip others' changes.

        On a laptop shared by several professionals, a new record or a consultation goes with
        its author's own token and waits for their next sync; identity records, shared by the
        team, go with whoever syncs.
        """
        for entry in entries:
            if entry.record_id in seen:
                continue  # its base version comes from the previous entry's result
            model = MODELS.get(entry.record_table)
            record = session.get(model, entry.record_id) if model else None
            if record is None or entry.record_table in PULL_ONLY:
                session.delete(entry)  # nothing to send: the record is the server's
                continue
            policy = TABLE_POLICIES[entry.record_table]
            if record.author != self.username and (
                record.server_version is None
                or not (policy.get("merge") or policy.get("server_written"))
            ):
                continue  # created here by a colleague: it leaves with the colleague's token
            names = None
            if record.server_version is not None:
                names = set(entry.changed_fields) | ALWAYS_SENT
            change = {
                "change_id": entry.change_id or new_id(),
                "table": entry.record_table,
                "id": record.id,
                "base_version": record.server_version,
                "fields": record_fields(record, names),
                "deleted": record.deleted,
            }
            cost = len(json.dumps(change, separators=(",", ":")))
            if batch and (size + cost > self.batch_bytes or len(batch) >= self.batch_max):
                return True
            if entry.change_id is None:  # saved before it leaves: retries reuse it
                entry.change_id = change["change_id"]
                session.add(entry)
            batch.append((entry.seq, change, cost))
            seen.add(entry.record_id)
            size += cost
        return False

    def _apply_push_results(
        self,
        batch: list[tuple[int, dict[str, Any]]],
        results: list[dict[str, Any]],
        report: SyncReport,
    ) -> None:
        by_change = {r["change_id"]: r for r in results}
        with self.store.session() as session, session.no_autoflush:
            session.info[FROM_SERVER] = True
            self._preload(session, [(c["table"], c["id"]) for _, c in batch])
            seqs = [seq for seq, _ in batch]
            session.exec(select(OutboxEntry).where(col(OutboxEntry.seq).in_(seqs))).all()
            for seq, change in batch:
                result = by_change.get(change["change_id"])
                entry = session.get(OutboxEntry, seq)
                if result is None or entry is None:
                    continue  # not answered: it stays queued, same change id, next time
                if result["status"] == "rejected":
                    entry.rejected_reason = result.get("reason") or "Refusé par le serveur."
                    entry.rejected_code = result.get("code") or "rejected"
                    session.add(entry)
                    report.rejected += 1
                    continue
                record = session.get(MODELS[change["table"]], change["id"])
                version = int(result["version"])
                if record is not None and (record.server_version or 0) < version:
                    record.server_version = version
                    session.add(record)
                session.delete(entry)
                report.pushed += 1

    @staticmethod
    def _preload(session: Session, keys: list[tuple[str, str]]) -> None:
        """Load the records of (table, id) pairs in a few queries, into the session's map.

        ``session.get`` then answers from memory instead of one query per record.
        """
        by_table: dict[str, list[str]] = {}
        for table, record_id in keys:
            if table in MODELS:
                by_table.setdefault(table, []).append(record_id)
        for table, ids in by_table.items():
            model = MODELS[table]
            for start in range(0, len(ids), 500):
                session.exec(select(model).where(col(model.id).in_(ids[start : start + 500]))).all()

    # -- pull --------------------------------------------------------------------------------

    def _apply_page(self, page: dict[str, Any], report: SyncReport) -> None:
        """Store a page and the new cursor in one transaction.

        Foreign keys are not checked while a page is applied: a person edited late comes after
        the consultations that point to them, in a later page of the same sync.
        """
        with self.store.engine.connect() as connection:
            # On the driver's connection, outside any transaction (inside one it is a no-op).
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    session.info[FROM_SERVER] = True
                    protected = self._protected_fields(session, page["records"])
                    self._preload(session, [(i["table"], i["id"]) for i in page["records"]])
                    with session.no_autoflush:
                        for item in page["records"]:
                            if self._apply_record(session, item, protected.get(item["id"], set())):
                                report.pulled += 1
                    cursor = max(int(self._meta(session, "cursor") or 0), int(page["next"]))
                    self._set_meta(session, "cursor", str(cursor))
                    self._set_meta(session, "server_id", str(page["server_id"]))
                    self._set_meta(session, "server_max", str(page["server_max_version"]))
                    session.commit()
            finally:
                connection.rollback()
                raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    @staticmethod
    def _protected_fields(session: Session, items: list[dict[str, Any]]) -> dict[str, set[str]]:
        ids = [item["id"] for item in items]
        protected: dict[str, set[str]] = {}
        for start in range(0, len(ids), 500):
            for entry in session.exec(
                select(OutboxEntry).where(col(OutboxEntry.record_id).in_(ids[start : start + 500]))
            ).all():
                protected.setdefault(entry.record_id, set()).update(entry.changed_fields)
        return protected

    @staticmethod
    def _apply_record(session: Session, item: dict[str, Any], protected: set[str]) -> bool:
        table = item["table"]
        model = MODELS.get(table)
        if model is None:
            log.info("pulled a record of a table this app does not keep: %s", table)
            return False
        values = decode_fields(table, item.get("fields") or {})
        values["deleted"] = bool(item.get("deleted")) or values.get("deleted", False)
        record = session.get(model, item["id"])
        if record is None and table == "staff_account":
            # The account written at enrolment carries a local id: the server's replaces it.
            for local in session.exec(
                select(StaffAccount).where(StaffAccount.username == values.get("username"))
            ).all():
                session.delete(local)
            session.flush()
        if record is None:
            record = new_local_record(table, item["id"], values)
        else:
            if record.server_version is not None and record.server_version > item["version"]:
                return False  # older than what we hold; the same version is applied again:
            # after a merge on the server, our own push may come back with others' fields
            for name, value in values.items():
                if name not in protected:
                    setattr(record, name, value)
            if item.get("deleted"):
                record.deleted = True  # a tombstone is never undone by a local value
        record.server_version = int(item["version"])
        session.add(record)
        return True

    # -- verification ------------------------------------------------------------------------

    def local_summary(self) -> dict[str, dict[str, Any]]:
        """Per table: count and SHA-256 of the sorted "id:version" lines this user may pull."""
        roles = set(self.store.user.roles)
        summary: dict[str, dict[str, Any]] = {}
        with self.store.session() as session:
            for table, model in MODELS.items():
                if table in SUPERVISOR_ONLY and "supervisor" not in roles:
                    continue
                rows = session.exec(
                    select(model.id, model.server_version).where(
                        col(model.server_version).is_not(None)
                    )
                ).all()
                if table == "supervisor_review" and "supervisor" not in roles:
                    rows = self._own_reviews(session)
                lines = sorted(f"{rid}:{version}\n" for rid, version in rows)
                digest = hashlib.sha256("".join(lines).encode("ascii")).hexdigest()
                summary[table] = {"count": len(lines), "checksum": digest}
        return summary

    def _own_reviews(self, session: Session) -> list[tuple[str, int]]:
        rows = []
        for review in session.exec(
            select(SupervisorReview).where(col(SupervisorReview.server_version).is_not(None))
        ).all():
            consultation_model = MODELS[f"{review.consultation_kind}_consultation"]
            consultation = session.get(consultation_model, review.consultation_id)
            if consultation is not None and consultation.author == self.username:
                rows.append((review.id, review.server_version))
        return rows

    def _verify(self, server_tables: dict[str, dict[str, Any]]) -> list[str]:
        local = self.local_summary()
        mismatches = []
        for table, theirs in server_tables.items():
            if table not in MODELS:
                continue
            ours = local.get(table, {"count": 0, "checksum": None})
            if ours["count"] != theirs["count"] or (
                theirs["count"] and ours["checksum"] != theirs["checksum"]
            ):
                mismatches.append(f"{table}: {ours['count']} ici, {theirs['count']} sur le serveur")
        return mismatches

    # -- a server restored from a backup -----------------------------------------------------

    def _restore_floor(self, response: dict[str, Any]) -> int | None:
        """The version the server went back to, if it lost changes we had seen; else None.

        Signs: another server id, or our cursor above the newest version the server had
        before this request's push (versions only grow: it went back to a backup).
        """
        server_id = str(response["server_id"])
        server_max = int(response["server_max_version"])
        with self.store.session() as session:
            known_id = self._meta(session, "server_id")
            cursor = int(self._meta(session, "cursor") or 0)
        if known_id is not None and known_id != server_id:
            return 0
        before = int(response.get("server_max_version_before", server_max))
        if cursor > before:
            return before
        return None

    def _requeue_above(self, floor: int, server_id: str) -> None:
        """Queue again, whole, what the server lost; rewind the cursor to what it kept."""
        log.warning("server restored or replaced: re-sending records above version %s", floor)
        with self.store.session() as session:
            session.info[FROM_SERVER] = True  # entries are written here, whole, by hand
            for table, model in MODELS.items():
                if table in PULL_ONLY:
                    continue
                author_only = bool(TABLE_POLICIES[table].get("author_only")) or bool(
                    TABLE_POLICIES[table].get("immutable")
                )
                fields = sorted(set(wire_fields()[table]) - {"id"})
                for record in session.exec(
                    select(model).where(col(model.server_version) > floor)
                ).all():
                    if author_only and record.author != self.username:
                        continue  # its author's device sends it again
                    record.server_version = None
                    session.add(record)
                    entries = session.exec(
                        select(OutboxEntry).where(
                            OutboxEntry.record_id == record.id,
                            col(OutboxEntry.rejected_reason).is_(None),
                        )
                    ).all()
                    for extra in entries[1:]:
                        session.delete(extra)
                    entry = (
                        entries[0]
                        if entries
                        else OutboxEntry(record_table=table, record_id=record.id)
                    )
                    entry.changed_fields = fields
                    entry.change_id = None
                    session.add(entry)
            self._set_meta(session, "cursor", str(floor))
            self._set_meta(session, "server_id", server_id)
