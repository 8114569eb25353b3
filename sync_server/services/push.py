"""Applying pushed changes: authorization, idempotency, per-field merge, tombstones.

One push is one transaction holding the version counter, so its versions commit together
and in order; each change is recorded in ``applied_change`` in that same transaction, so a
replay returns the first result and changes nothing (exactly once, invariant 2). A bad
change is rejected on its own and never stops the others (invariant 8).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import uuid6
from sqlalchemy import Engine
from sqlmodel import Session

from sync_server import authz
from sync_server.authz import Actor, Rejection, StoredRecord
from sync_server.core.db import session_scope
from sync_server.models import AppliedChange, SyncRecord, utcnow
from sync_server.services.accounts import SERVER_AUTHOR, wire_datetime
from sync_server.services.audit import audit
from sync_server.services.versions import VersionCounter, read_meta
from sync_server.wire_schema import BOOKKEEPING, CONFLICT_TABLE, TableSpec

APPLIED = "applied"
DUPLICATE = "duplicate"
MERGED = "merged"
REJECTED = "rejected"
_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
# Creation facts: kept from the first write, never overwritten by a later change.
_CREATION_FIELDS = frozenset({"author", "created_at"})


@dataclass(frozen=True)
class Change:
    change_id: str
    table: str
    id: str
    base_version: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    deleted: bool = False


@dataclass
class PushOutcome:
    results: list[dict[str, Any]]
    server_max_version: int
    server_id: str


def result(
    change_id: str,
    status: str,
    version: int | None = None,
    reason: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {
        "change_id": change_id,
        "status": status,
        "version": version,
        "reason": reason,
        "code": code,
    }


def push_changes(
    engine: Engine, schema: Mapping[str, TableSpec], actor: Actor, changes: Sequence[Change]
) -> PushOutcome:
    if not changes:  # a quiet sync takes no lock
        with session_scope(engine) as session:
            meta = read_meta(session)
            return PushOutcome([], meta.max_version, meta.server_id)
    with session_scope(engine, write=True) as session:
        counter = VersionCounter(session)  # first: serializes pushes from here to commit
        results = [_handle(session, counter, schema, actor, change) for change in changes]
        audit(
            session,
            "push",
            username=actor.username,
            device_id=actor.device_id,
            changes=[
                [c.change_id, c.table, c.id, r["status"], r["code"]]
                for c, r in zip(changes, results, strict=True)
            ],
        )
        return PushOutcome(results, counter.current, counter.server_id)


def _handle(
    session: Session,
    counter: VersionCounter,
    schema: Mapping[str, TableSpec],
    actor: Actor,
    change: Change,
) -> dict[str, Any]:
    seen = session.get(AppliedChange, change.change_id)
    if seen is not None:
        if seen.username != actor.username:
            return result(
                change.change_id,
                REJECTED,
                reason="Identifiant de modification déjà utilisé par un autre compte.",
                code="invalid",
            )
        first = dict(seen.result)
        if first["status"] in (APPLIED, MERGED):
            first["status"] = DUPLICATE
        return first
    outcome = _apply(session, counter, schema, actor, change)
    session.add(
        AppliedChange(
            change_id=change.change_id,
            device_id=actor.device_id,
            username=actor.username,
            table_name=change.table[:64],
            record_id=change.id[:64],
            result=outcome,
            version=outcome["version"],
        )
    )
    session.flush()
    return outcome


def _apply(
    session: Session,
    counter: VersionCounter,
    schema: Mapping[str, TableSpec],
    actor: Actor,
    change: Change,
) -> dict[str, Any]:
    def rejected(rejection: Rejection) -> dict[str, Any]:
        return result(change.change_id, REJECTED, reason=rejection.reason, code=rejection.code)

    problem = authz.check_table(schema, change.table, actor.roles) or authz.check_record_id(
        change.id
    )
    if problem:
        return rejected(problem)
    if change.base_version is not None and change.base_version < 0:
        return rejected(Rejection("invalid", "Version de base invalide."))
    table = schema[change.table]
    fields = dict(change.fields)
    if "id" in fields and fields.pop("id") != change.id:
        return rejected(Rejection("invalid", "Le champ « id » ne correspond pas à la fiche."))
    problem = authz.check_fields(table, actor.roles, fields)
    if problem:
        return rejected(problem)
    deleted = bool(change.deleted or fields.pop("deleted", False) is True)

    record = session.get(SyncRecord, (change.table, change.id))
    if record is None:
        if table.server_only:
            return rejected(Rejection("invalid", "Fiche inconnue du serveur."))
        problem = authz.check_new_record(table, actor, fields) or (
            None if deleted else authz.missing_required(table, fields)
        )
        if problem:
            return rejected(problem)
        record = _create(session, counter, table, actor, change.id, fields, deleted)
        return result(change.change_id, APPLIED, record.version)

    stored = StoredRecord(record.cms_code, record.author, record.deleted, record.fields)
    problem = authz.check_existing_record(table, actor, stored, fields, deleted)
    if problem:
        return rejected(problem)
    if record.deleted:  # a tombstone again: nothing to do
        return result(change.change_id, APPLIED, record.version)
    frozen = table.immutable or (
        table.freeze_when_signed and record.fields.get("status") == authz.SIGNED
    )
    if frozen and not deleted:  # allowed only as a no-op (see check_existing_record)
        return result(change.change_id, APPLIED, record.version)
    version = counter.next()
    stamp = _stamp(fields, actor)
    if deleted:  # a tombstone wins whatever its base (invariant 7)
        record.deleted = True
        _write(record, {"updated_at": stamp[0]}, version, stamp, actor)
        return result(change.change_id, APPLIED, version)
    if not table.merge:
        _write(record, fields, version, stamp, actor)
        return result(change.change_id, APPLIED, version)
    winners, conflicts = merge_fields(record, fields, change.base_version or 0, stamp)
    _write(record, winners, version, stamp, actor)
    for conflict in conflicts:
        _store_conflict(session, counter, table, record, conflict)
    if not conflicts:
        return result(change.change_id, APPLIED, version)
    lost = sorted(c.field for c in conflicts if not c.pushed_won)
    reason = "Modifié aussi sur un autre poste ; "
    reason += (
        f"valeur de l'autre poste conservée pour : {', '.join(lost)}."
        if lost
        else "votre valeur a été retenue."
    )
    reason += " La responsable du CMS tranchera."
    return result(change.change_id, MERGED, version, reason=reason)


def _stamp(fields: Mapping[str, Any], actor: Actor) -> list[str]:
    """[updated_at, device, author] of a change: what a same-field conflict compares."""
    updated_at = fields.get("updated_at")
    if not isinstance(updated_at, str):
        updated_at = wire_datetime(utcnow())
    return [updated_at, actor.device_id, actor.username]


def _create(
    session: Session,
    counter: VersionCounter,
    table: TableSpec,
    actor: Actor,
    record_id: str,
    fields: dict[str, Any],
    deleted: bool,
) -> SyncRecord:
    version = counter.next()
    now = wire_datetime(utcnow())
    values = {"created_at": now, "updated_at": now, **fields}
    values.update(author=actor.username, device=actor.device_id, deleted=deleted)
    stamp = _stamp(values, actor)
    record = SyncRecord(
        table_name=table.name,
        id=record_id,
        cms_code=actor.cms_code,
        author=actor.username,
        device=actor.device_id,
        version=version,
        deleted=deleted,
        fields=values,
        field_versions=dict.fromkeys(values, version),
        field_stamps={name: stamp for name in values},
    )
    session.add(record)
    session.flush()
    return record


def _write(
    record: SyncRecord,
    changed: Mapping[str, Any],
    version: int,
    stamp: list[str],
    actor: Actor,
) -> None:
    """Set fields with this version (new dicts: JSON columns do not track in-place edits)."""
    values = dict(record.fields)
    versions = dict(record.field_versions)
    stamps = dict(record.field_stamps)
    for name, value in changed.items():
        if name in _CREATION_FIELDS and name in values:
            continue
        if name == "updated_at" and not _later(value, values.get(name)):
            continue
        values[name] = value
        versions[name] = version
        stamps[name] = stamp
    values["device"] = actor.device_id
    values["deleted"] = record.deleted
    record.fields = values
    record.field_versions = versions
    record.field_stamps = stamps
    record.device = actor.device_id
    record.version = version
    record.updated_at = utcnow()


def _later(new: Any, old: Any) -> bool:
    return _when(new) >= _when(old)


def _when(value: Any) -> dt.datetime:
    return authz.parse_datetime(value) or _EPOCH


@dataclass(frozen=True)
class FieldConflict:
    field: str
    pushed_value: Any
    stored_value: Any
    pushed_stamp: list[str]
    stored_stamp: list[str]
    pushed_won: bool


def merge_fields(
    record: SyncRecord, fields: Mapping[str, Any], base_version: int, stamp: list[str]
) -> tuple[dict[str, Any], list[FieldConflict]]:
    """The pushed fields to write, and the same-field conflicts found.

    A field the server has not changed since ``base_version`` takes the pushed value. A field
    changed since, to a different value, is a conflict: the later ``updated_at`` wins (ties:
    the greater device id, then the greater value), whatever the order the changes arrive in.
    """
    winners: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name, value in fields.items():
        if name in BOOKKEEPING:
            winners[name] = value
            continue
        if record.field_versions.get(name, 0) <= base_version:
            winners[name] = value
            continue
        stored_value = record.fields.get(name)
        if stored_value == value:
            continue
        stored_stamp = list(record.field_stamps.get(name) or ["", "", ""])
        pushed_won = _rank(stamp, value) > _rank(stored_stamp, stored_value)
        if pushed_won:
            winners[name] = value
        conflicts.append(FieldConflict(name, value, stored_value, stamp, stored_stamp, pushed_won))
    return winners, conflicts


def _rank(stamp: Sequence[str], value: Any) -> tuple[dt.datetime, str, str]:
    return (_when(stamp[0]), stamp[1], json.dumps(value, sort_keys=True))


def _store_conflict(
    session: Session,
    counter: VersionCounter,
    table: TableSpec,
    record: SyncRecord,
    conflict: FieldConflict,
) -> None:
    """Keep the losing value as a sync_conflict record, pulled by the CMS's supervisors."""
    if conflict.pushed_won:
        kept, kept_stamp = conflict.pushed_value, conflict.pushed_stamp
        other, other_stamp = conflict.stored_value, conflict.stored_stamp
    else:
        kept, kept_stamp = conflict.stored_value, conflict.stored_stamp
        other, other_stamp = conflict.pushed_value, conflict.pushed_stamp
    version = counter.next()
    now = wire_datetime(utcnow())
    values = {
        "created_at": now,
        "updated_at": now,
        "author": SERVER_AUTHOR,
        "device": SERVER_AUTHOR,
        "deleted": False,
        "table": table.name,
        "record_id": record.id,
        "field": conflict.field,
        "value_class": table.fields[conflict.field].cls,
        "kept_value": kept,
        "other_value": other,
        "kept_updated_at": kept_stamp[0] or None,
        "kept_device": kept_stamp[1] or None,
        "kept_author": kept_stamp[2] or None,
        "other_updated_at": other_stamp[0] or None,
        "other_device": other_stamp[1] or None,
        "other_author": other_stamp[2] or None,
    }
    session.add(
        SyncRecord(
            table_name=CONFLICT_TABLE,
            id=str(uuid6.uuid7()),
            cms_code=record.cms_code,
            author=SERVER_AUTHOR,
            device=SERVER_AUTHOR,
            version=version,
            fields=values,
            field_versions=dict.fromkeys(values, version),
        )
    )
