"""Applying pushed changes: one transaction per push, set-based.

One push is one transaction holding the version counter, so its versions commit together
and in order; each change is recorded in ``applied_change`` in that same transaction, so a
replay of its change id returns the first result and changes nothing (exactly once,
invariant 2). A bad change is rejected on its own and never stops the others (invariant 8).
Values are stored in their canonical wire form, so the digests a device computes from what
it pulled match the server's (``services/digests.py``).

What the changes need is read first, one query per table (``push_batch.py``); the rules run
on those objects in the order of the changes (``push_rules.py``); everything is written at the
end with ``executemany``: a push costs a few statements, not five per record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from sync_server.authz import Actor
from sync_server.core.db import session_scope
from sync_server.services.audit import audit
from sync_server.services.push_batch import PushBatch
from sync_server.services.push_rules import (
    APPLIED,
    DUPLICATE,
    MERGED,
    REJECTED,
    Change,
    PushRules,
    result,
)
from sync_server.services.versions import VersionCounter, read_meta
from sync_server.text import is_identifier, is_token, shown
from sync_server.wire_schema import TableSpec

PERSON_TABLE = "beneficiary"

__all__ = ["APPLIED", "DUPLICATE", "MERGED", "REJECTED", "Change", "push_changes", "result"]


@dataclass
class PushOutcome:
    results: list[dict[str, Any]]
    server_max_version: int
    server_id: str


def push_changes(
    engine: Engine, schema: Mapping[str, TableSpec], actor: Actor, changes: Sequence[Change]
) -> PushOutcome:
    if not changes:  # a quiet sync takes no lock
        with session_scope(engine) as session:
            meta = read_meta(session)
            return PushOutcome([], meta.max_version, meta.server_id)
    with session_scope(engine, write=True) as session:
        counter = VersionCounter(session)  # first: serializes pushes from here to commit
        batch = PushBatch(session)
        valid = [_well_formed(change) for change in changes]
        with session.no_autoflush:
            batch.load_applied(c.change_id for c, ok in zip(changes, valid, strict=True) if ok)
            batch.load_ids(c.id for c, ok in zip(changes, valid, strict=True) if ok)
            batch.load_parents(schema, changes, valid)
            rules = PushRules(batch, counter, schema, actor)
            results = [rules.handle(change) for change in changes]
        batch.write()
        audit(
            session,
            "push",
            username=actor.username,
            device_id=actor.device_id,
            address=actor.address,
            changes=[
                [shown(c.change_id), shown(c.table), shown(c.id), r["status"], r["code"]]
                for c, r in zip(changes, results, strict=True)
            ],
        )
        _audit_deletions(session, actor, changes, results)
        return PushOutcome(results, counter.current, counter.server_id)


def _audit_deletions(
    session: Session, actor: Actor, changes: Sequence[Change], results: Sequence[dict[str, Any]]
) -> None:
    """A person's deletion (on request, right to erasure) gets its own audit event."""
    for change, outcome in zip(changes, results, strict=True):
        if (
            change.table == PERSON_TABLE
            and outcome["status"] == APPLIED
            and outcome.get("version") != outcome.get("previous_version")
            and (change.deleted or dict(change.fields or {}).get("deleted") is True)
        ):
            audit(
                session,
                "person_deleted",
                username=actor.username,
                device_id=actor.device_id,
                target=shown(change.id),
            )


def _well_formed(change: Change) -> bool:
    """Ids worth looking up (the rules refuse the others before reading anything)."""
    return (
        not change.invalid
        and is_token(change.change_id)
        and is_token(change.id)
        and is_identifier(change.table)
    )
