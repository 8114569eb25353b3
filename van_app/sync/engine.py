"""The client side of sync: push the outbox, pull pages, verify values and repair. No Qt.

One ``run()`` is one sync, safe to interrupt at any instant (kill -9 included):
- every local step is one transaction (change ids saved before they leave, each batch of
  answers, each pulled page with the new cursor, each repair), so a retry resumes cleanly;
- fields with a local change not yet accepted are never overwritten by a pull, and keep the
  version their author saw (``apply.py``); each change claims, per field, that version;
- the sync ends with a check of values, not only versions, and repairs what differs
  (``verify.py``): "synchronisé" means this device and the server agree;
- a server restored from a backup answers 409 before applying anything: the device queues
  what the server lost (``recovery.py``), rewinds its cursor, and syncs again.
A write here waits for a save on the UI side (and the reverse) instead of failing: the store's
transactions take the write lock at their start, and a step that still meets a locked
database is tried again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from van_app import config
from van_app.core.db import IMMEDIATE, discard_pre_upgrade_copy
from van_app.core.lifecycle import finish_waiting_purges, vacuum_if_due
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.core.models import utcnow
from van_app.core.outbox import FROM_SERVER, TABLE_LABELS, pending_summary
from van_app.sync.apply import store_page
from van_app.sync.client import ServerRestoredError, SyncClient, SyncError
from van_app.sync.outgoing import Outgoing, PushBatch, PushCounts
from van_app.sync.recovery import differing_fields, queue_replays
from van_app.sync.verify import SORTED, SUM, Verifier, ids_with_entries

log = logging.getLogger(__name__)

BATCH_BYTES = 512_000  # uncompressed JSON per push request
BATCH_MAX = 500
PAGE_SIZE = 1000  # the server's most: half the commits and requests of 500 (pull ~10 % faster)
FETCH_MAX = 1000
LOCK_RETRIES = 5
MAX_RECOVERIES = 2
T = TypeVar("T")


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    requests: int = 0
    verified: bool = False
    mismatches: list[str] = field(default_factory=list)
    repaired: int = 0  # records fetched again or sent again by verification
    unrepairable: int = 0  # records the server lacks that only their author's laptop can send
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
        self.page_size = page_size
        self.progress = progress or (lambda phase, done, total: None)
        self.username = store.user.username
        self.verifier = Verifier(self.username, store.user.roles)
        self.outgoing = Outgoing(self.username, batch_bytes, batch_max, self.verifier.classes)

    # -- state -------------------------------------------------------------------------------

    def _meta(self, session: Session, name: str) -> str | None:
        return get_meta(session, _key(name, self.username))

    def _set_meta(self, session: Session, name: str, value: str) -> None:
        set_meta(session, _key(name, self.username), value)

    def cursor(self) -> int:
        with self.store.read_session() as session:
            return int(self._meta(session, "cursor") or 0)

    def known_server_id(self) -> str | None:
        with self.store.read_session() as session:
            return self._meta(session, "server_id")

    def _step(self, work: Callable[[Session], T]) -> T:
        """One local transaction, tried again if the database stays locked by another writer."""
        for attempt in range(LOCK_RETRIES):
            try:
                with self.store.session() as session:
                    session.info[FROM_SERVER] = True
                    return work(session)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                log.info("local database busy, trying the sync step again")
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    # -- one sync ----------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Push everything, pull everything, verify and repair. Raises SyncError on failure.

        A sync with nothing to do is one request: the combined call pushes nothing, returns
        an empty page and the summary to check against.
        """
        report = SyncReport()
        start_requests = self.client.stats.requests
        for _ in range(MAX_RECOVERIES + 1):
            self.client.server_id = self.known_server_id()
            try:
                self._sync(report)
                break
            except ServerRestoredError as restored:
                self._recover(restored.server_id, restored.floor)
                report.restored_server = True
        else:
            raise SyncError(
                "Le serveur du CMS a été restauré plusieurs fois pendant la synchronisation : "
                "réessayez dans quelques minutes."
            )
        return self._finish(report, start_requests)

    def _sync(self, report: SyncReport) -> None:
        total = self._pending_count()
        batch = self._step(self.outgoing.next_batch)
        # The combined call's summary is used only when nothing leaves (see below): with a
        # batch, the server is not asked to make it.
        exclude = set() if batch else self._step(ids_with_entries)
        response = self.client.sync(
            batch.on_the_wire(),
            self.cursor(),
            self.page_size,
            sorted(exclude),
            batch.prefix,
            summary=not batch,
        )
        self._adopt_server(str(response["server_id"]))
        self._apply_results(batch, response["results"], report)
        self._apply_page(response, report)
        self.progress("push", report.pushed + report.rejected, total)
        more = bool(response["more"])
        pushed_more = self._push_all(report, total)
        # The page was read after the first batch: later batches leave time for others'
        # changes, so read up to the server's head again. Our own accepted changes do not
        # come back (the server leaves a device's echoes out of its pulls).
        self._pull_all(report, more or pushed_more)
        worked = bool(batch) or bool(response["records"]) or pushed_more
        summary = response["summary"] if not worked else self._summary()
        differ = self._compare(summary)
        if differ:
            if self._repair(differ, report):
                self._push_all(report, total)
                self._pull_all(report, True)
            differ = self._compare(self._summary())
        report.mismatches = [self._mismatch_label(table) for table in differ]
        if differ and report.unrepairable:
            report.mismatches.append(
                f"{report.unrepairable} fiche(s) perdue(s) par le serveur, que seul le poste "
                "de leur auteur·rice peut renvoyer"
            )
        # Verified: the server and this device agree and none of this user's changes waits (on
        # a shared laptop, a colleague's changes wait for the colleague's own sync).
        report.verified = not differ and not self._step(self.outgoing.next_batch)

    def _finish(self, report: SyncReport, start_requests: int) -> SyncReport:
        report.requests = self.client.stats.requests - start_requests
        report.finished_at = utcnow()
        vacuum_if_due(self.store)  # after a purge: the freed pages leave the file
        if report.verified:
            moment = report.finished_at.isoformat()
            self._step(lambda session: self._set_meta(session, "last_success", moment))
            discard_pre_upgrade_copy(self.store.data_dir / config.DATABASE_FILE)
        return report

    def _adopt_server(self, server_id: str) -> None:
        """A device's first sync learns the server id its versions will refer to."""
        if self.client.server_id != server_id:
            self._step(lambda session: self._set_meta(session, "server_id", server_id))
            self.client.server_id = server_id

    # -- push --------------------------------------------------------------------------------

    def _pending_count(self) -> int:
        with self.store.read_session() as session:
            return pending_summary(session)[0]

    def _push_all(self, report: SyncReport, total: int) -> bool:
        """Push the rest of the outbox in batches; True if anything left.

        The laptop works while the server does: as soon as a batch's answer is in, the next
        batch leaves, then the answer is recorded and the batch after is read (records in
        flight left out: their later changes wait for their answer). Batches still reach
        the server one after the other, in order: a consultation never before its person.
        """
        batch = self._step(self.outgoing.next_batch)
        if not batch:
            return False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push") as sender:
            answer = self._send(sender, batch)
            following = self._step(lambda session: self._next(session, batch))
            while batch:
                results = answer.result()["results"]  # raises what the request raised
                if not _answers_any(batch, results):
                    break  # the server answered none of them: they stay queued for next time
                if following:
                    answer = self._send(sender, following)
                self._apply_results(batch, results, report)
                self.progress("push", report.pushed + report.rejected, total)
                batch, following = following, None
                if batch:
                    following = self._step(lambda session, busy=batch: self._next(session, busy))
        return True

    def _send(self, sender: ThreadPoolExecutor, batch: PushBatch) -> Future[dict[str, Any]]:
        return sender.submit(self.client.push, batch.on_the_wire(), batch.prefix)

    def _next(self, session: Session, in_flight: PushBatch) -> PushBatch:
        return self.outgoing.next_batch(session, {c["id"] for _, c in in_flight})

    def _apply_results(
        self, batch: list[tuple[int, dict[str, Any]]], results: list[Any], report: SyncReport
    ) -> None:
        if not batch:
            return
        counts = PushCounts()
        self._step(lambda session: self.outgoing.apply_results(session, batch, results, counts))
        report.pushed += counts.pushed
        report.rejected += counts.rejected

    # -- pull --------------------------------------------------------------------------------

    def _pull_all(self, report: SyncReport, more: bool) -> None:
        while more:
            page = self.client.pull(self.cursor(), self.page_size)
            self._apply_page(page, report)
            self.progress("pull", report.pulled, 0)
            more = bool(page["more"])

    def _apply_page(self, page: dict[str, Any], report: SyncReport) -> None:
        """Store a page and the new cursor in one transaction."""

        def move_cursor(session: Session) -> None:
            cursor = max(int(self._meta(session, "cursor") or 0), int(page["next"]))
            self._set_meta(session, "cursor", str(cursor))
            self._set_meta(session, "server_max", str(page["server_max_version"]))

        report.pulled += self._store_records(page["records"], move_cursor)

    def _store_records(
        self,
        records: list[dict[str, Any]],
        also: Callable[[Session], None] | None = None,
        *,
        force: bool = False,
    ) -> int:
        """Apply server records (and ``also``) in one transaction; how many were taken.

        Foreign keys are not checked while records are applied: a person edited late comes
        after the consultations that point to them, in a later page of the same sync.
        """
        for attempt in range(LOCK_RETRIES):
            try:
                return self._store_records_once(records, also, force)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _store_records_once(
        self,
        records: list[dict[str, Any]],
        also: Callable[[Session], None] | None,
        force: bool,
    ) -> int:
        taken = 0
        with self.store.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})  # the write lock from BEGIN
            # On the driver's connection, outside any transaction (inside one it is a no-op).
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    session.info[FROM_SERVER] = True
                    taken = store_page(
                        session, records, force=force, digest_classes=self.verifier.classes
                    )
                    if also is not None:
                        also(session)
                    session.commit()
            finally:
                connection.rollback()
                raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
        return taken

    # -- verification and repair -------------------------------------------------------------

    def _summary(self) -> dict[str, Any]:
        exclude = self._step(ids_with_entries)
        return self.client.summary(sorted(exclude))

    def _local_lines(self, tables: list[str]) -> tuple[dict[str, Any], set[str]]:
        """The lines compared with the server's; digests of records written since the last
        verification are computed and kept (one short write transaction)."""

        def lines(session: Session) -> tuple[dict[str, Any], set[str]]:
            exclude = ids_with_entries(session)
            return self.verifier.lines(session, tables, exclude), exclude

        return self._step(lines)

    def local_summary(
        self, tables: list[str] | None = None, kind: str = SUM
    ) -> dict[str, dict[str, Any]]:
        """Per table: count and checksum (of ``kind``) of the "id:version:digest" lines this
        user may pull."""
        chosen = self.verifier.tables() if tables is None else tables
        return self._step(
            lambda session: self.verifier.summaries(
                session, chosen, ids_with_entries(session), kind
            )
        )

    def _compare(self, summary: dict[str, Any]) -> list[str]:
        self._step(finish_waiting_purges)  # purged rows whose change has left go first
        kind = str(summary.get("checksum_kind", SORTED))  # a server from before the sum
        tables = [t for t in summary["tables"] if t in self.verifier.tables()]
        local = self.local_summary(tables, kind)
        differ = self.verifier.mismatches(summary["tables"], local, kind)
        if differ and kind == SUM:
            self._step(lambda session: self.verifier.forget_totals(session, differ))
        return differ

    def _repair(self, tables: list[str], report: SyncReport) -> bool:
        """Fetch what this device holds stale, queue what the server lacks; True if queued."""
        lines, exclude = self._local_lines(tables)
        resend: dict[tuple[str, str], int | None] = {}
        for table in tables:
            server_rows = self.client.digests(table)["records"]
            with self.store.read_session() as session:
                plan = self.verifier.plan(session, table, server_rows, lines[table], exclude)
            self._fetch(plan.fetch, report)
            self._fetch(plan.adopt, report, force=True)
            resend.update(plan.resend)
            report.unrepairable += plan.unrepairable
        if not resend:
            return False
        # The server holds an older state than this device saw: compare the values. Those it
        # lost go back as replays; if none differs, its state is the one to hold.
        behind = [key for key, version in resend.items() if version is not None]
        theirs: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(behind), FETCH_MAX):
            for item in self.client.fetch(behind[start : start + FETCH_MAX])["records"]:
                theirs[(item["table"], item["id"])] = item
        only = self._step(lambda session: differing_fields(session, theirs))
        queued = self._step(
            lambda session: queue_replays(
                session, self.username, self.store.user.roles, resend, only=only
            )
        )
        report.repaired += len(queued)
        adopted = [item for key, item in theirs.items() if key not in queued]
        report.repaired += self._store_records(adopted, force=True)
        return bool(queued)

    def _fetch(
        self, keys: list[tuple[str, str]], report: SyncReport, *, force: bool = False
    ) -> None:
        for start in range(0, len(keys), FETCH_MAX):
            fetched = self.client.fetch(keys[start : start + FETCH_MAX])
            report.repaired += self._store_records(fetched["records"], force=force)

    def _mismatch_label(self, table: str) -> str:
        return TABLE_LABELS.get(table, table)

    # -- a server restored from a backup -----------------------------------------------------

    def _recover(self, server_id: str, floor: int) -> None:
        """Queue what the restored server lost, rewind the cursor, adopt its new id."""
        log.warning("server restored from a backup: sending back what it lost above %s", floor)

        def recover(session: Session) -> None:
            queue_replays(session, self.username, self.store.user.roles, floor)
            cursor = int(self._meta(session, "cursor") or 0)
            self._set_meta(session, "cursor", str(min(cursor, floor)))
            self._set_meta(session, "server_id", server_id)

        self._step(recover)


def _answers_any(batch: PushBatch, results: list[Any]) -> bool:
    """Whether the server's results answer at least one change of ``batch``."""
    sent = {c["change_id"] for _, c in batch}
    return any(isinstance(r, dict) and r.get("change_id") in sent for r in results)
