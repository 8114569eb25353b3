"""Who the changes waiting on this laptop belong to, so that the status bar can tell a
colleague that "1 modification en attente" will not leave with her login but with its author's.

On a laptop shared by several professionals, a new record or a consultation leaves only with
its author's token; identity records already on the server, shared by the team, go with
whoever syncs (the rule ``van_app.sync.outgoing`` applies through ``leaves_with``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.models import DOMAIN_TABLES, StaffAccount
from van_app.core.outbox import OutboxEntry
from van_app.core.sync_schema import POLICIES

_CHUNK = 500


def leaves_with(table: str, author: str, server_version: int | None, username: str) -> bool:
    """Whether ``username``'s login carries a change of this record to the server."""
    if author == username:
        return True
    policy: dict[str, Any] = POLICIES.get(table, {})
    shared = bool(policy.get("merge") or policy.get("server_written"))
    return shared and server_version is not None


@dataclass(frozen=True)
class PendingChanges:
    """Changes not yet accepted by the server, as seen by the professional logged in."""

    mine: int = 0  # leave at this professional's next sync
    since: dt.datetime | None = None  # the oldest of these
    colleagues: tuple[tuple[str, int], ...] = ()  # (display name, count): leave with theirs

    @property
    def total(self) -> int:
        return self.mine + sum(count for _, count in self.colleagues)


def pending_changes(session: Session, username: str) -> PendingChanges:
    """Count the pending (not refused) outbox entries, mine and each colleague's."""
    entries = session.exec(
        select(OutboxEntry.record_table, OutboxEntry.record_id, OutboxEntry.queued_at).where(
            col(OutboxEntry.rejected_reason).is_(None)
        )
    ).all()
    if not entries:
        return PendingChanges()
    owners = _record_owners(session, {(table, rid) for table, rid, _ in entries})
    mine, since, others = 0, None, Counter()
    for table, record_id, queued_at in entries:
        author, version = owners.get((table, record_id), (username, None))
        if leaves_with(table, author, version, username) or table not in POLICIES:
            mine += 1
            if queued_at.tzinfo is None:
                queued_at = queued_at.replace(tzinfo=dt.UTC)
            since = queued_at if since is None else min(since, queued_at)
        else:
            others[author] += 1
    names = _display_names(session, set(others))
    colleagues = tuple(
        sorted(((names.get(a, a), n) for a, n in others.items()), key=lambda pair: pair[0])
    )
    return PendingChanges(mine, since, colleagues)


def _record_owners(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, int | None]]:
    """(table, id) -> (author, server version) of the records the entries point at."""
    models = {m.__tablename__: m for m in DOMAIN_TABLES}
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        by_table.setdefault(table, []).append(record_id)
    owners: dict[tuple[str, str], tuple[str, int | None]] = {}
    for table, ids in by_table.items():
        model: Any = models.get(table)
        if model is None:
            continue
        for start in range(0, len(ids), _CHUNK):
            rows = session.exec(
                select(model.id, model.author, model.server_version).where(
                    col(model.id).in_(ids[start : start + _CHUNK])
                )
            ).all()
            owners.update({(table, rid): (author, version) for rid, author, version in rows})
    return owners


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    accounts = session.exec(
        select(StaffAccount.username, StaffAccount.display_name).where(
            col(StaffAccount.username).in_(sorted(usernames))
        )
    ).all()
    return {username: name for username, name in accounts if name}
