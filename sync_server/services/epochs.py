"""Restores from a backup: marking them, and telling each device what the server lost.

A restore is marked (a new epoch) in one of three ways, whichever comes first:
- the administrator's ``van-sync-server mark-restored`` (docs/server.md, the procedure);
- the server itself, finding its database below its high-water mark (``core/high_water.py``);
- a device's evidence: a pull cursor above the newest version the server has (a cursor only
  ever comes from the server's own pages).

Marking gives the database a new ``server_id``, records the floor (the newest version the
restored database held) and jumps the version counter by ``RESTORE_GAP``, so that versions a
device saw before the restore and versions written since never collide: one order holds for
both. A device whose ``X-Server-Id`` names an older epoch gets 409 ``server_restored`` with
the floor; it sends again what it knew above it and pulls again from there (protocol page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from sync_server.core.db import session_scope
from sync_server.core.high_water import HighWater
from sync_server.models import AuditEvent, ServerEpoch, ServerMeta, new_uuid, utcnow
from sync_server.services.audit import audit
from sync_server.services.versions import read_meta

RESTORE_GAP = 1_000_000_000  # more versions than a CMS writes between a backup and a restore
MAX_PLAUSIBLE = 2**52  # versions stay exact in every JSON reader, whatever a client claims
EVIDENCE_INTERVAL = dt.timedelta(minutes=10)  # one device's evidence marks at most this often


class ServerRestored(Exception):
    """The device's versions belong to an older epoch: it must recover first."""

    def __init__(self, server_id: str, floor: int) -> None:
        super().__init__(server_id)
        self.server_id = server_id
        self.floor = floor


class VersionFromNowhere(Exception):
    """A version above anything this server ever handed out, with no restore to explain it."""


@dataclass(frozen=True)
class Epoch:
    server_id: str
    max_version: int
    floor: int


def _locked_meta(session: Session) -> ServerMeta:
    return session.exec(
        select(ServerMeta)
        .where(ServerMeta.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def mark_restored(
    session: Session, *, reason: str, seen_max: int = 0, operator: str | None = None
) -> ServerMeta:
    """Open a new epoch now (inside the caller's write transaction)."""
    meta = _locked_meta(session)
    floor = meta.max_version
    previous = meta.server_id
    meta.server_id = new_uuid()
    meta.restore_floor = floor
    meta.restored_at = utcnow()
    meta.max_version = max(floor, seen_max) + RESTORE_GAP
    meta.epoch_start = meta.max_version
    session.add(meta)
    epoch = ServerEpoch(server_id=meta.server_id, previous_id=previous, floor=floor, reason=reason)
    session.add(epoch)
    audit(
        session,
        "restore_marked",
        username=operator,
        reason=reason,
        previous_server_id=previous,
        server_id=meta.server_id,
        floor=floor,
    )
    session.flush()
    return meta


def floor_for(session: Session, known_id: str) -> int:
    """The newest version a device of epoch ``known_id`` shares with the current database.

    The smallest floor of the epochs opened since ``known_id``; 0 for an epoch this database
    never had (another server, or a backup older than that epoch): everything may be missing.
    """
    meta = read_meta(session)
    epochs = {e.server_id: e for e in session.exec(select(ServerEpoch)).all()}
    floor: int | None = None
    current = meta.server_id
    while current in epochs:
        epoch = epochs[current]
        floor = epoch.floor if floor is None else min(floor, epoch.floor)
        if epoch.previous_id == known_id:
            return floor
        current = epoch.previous_id
    return 0


def check_epoch(
    engine: Engine,
    high_water: HighWater,
    *,
    known_id: str | None,
    seen_version: int,
    username: str | None = None,
    device_id: str | None = None,
) -> Epoch:
    """The current epoch, after marking a restore if the evidence says one happened.

    Raises ServerRestored when the device's versions belong to an older epoch, and
    VersionFromNowhere for a version no restore can explain.
    """
    with session_scope(engine) as session:
        meta = read_meta(session)
        state = Epoch(meta.server_id, meta.max_version, meta.restore_floor)
        reason = _restore_reason(session, high_water, state, known_id, seen_version)
    if reason is not None:
        with session_scope(engine, write=True) as session:
            meta = _locked_meta(session)
            reason = _restore_reason(
                session, high_water, Epoch(meta.server_id, meta.max_version, meta.restore_floor),
                known_id, seen_version,
            )  # fmt: skip
            if reason == "device" and (
                _evidence_recently(session, device_id)
                or seen_version > meta.max_version + RESTORE_GAP
            ):
                raise VersionFromNowhere(seen_version)
            if reason is not None:
                mark = high_water.mark
                seen = max(seen_version, mark.max_version if mark else 0)
                meta = mark_restored(session, reason=reason, seen_max=seen, operator=username)
                if reason == "device":
                    audit(session, "restore_evidence", username=username, device_id=device_id)
            state = Epoch(meta.server_id, meta.max_version, meta.restore_floor)
    high_water.raise_to(state.server_id, state.max_version)
    if known_id is not None and known_id != state.server_id:
        with session_scope(engine) as session:
            floor = floor_for(session, known_id)
        if floor == 0 and seen_version > state.max_version:
            _rise_above(engine, high_water, seen_version, username, device_id)
        raise ServerRestored(state.server_id, floor)
    return state


def _rise_above(
    engine: Engine, high_water: HighWater, seen: int, username: str | None, device: str | None
) -> None:
    """A device of an epoch this database never had (a backup older than it) holds versions
    above ours: move the counter past them, so that what it sends back compares rightly."""
    with session_scope(engine, write=True) as session:
        if _evidence_recently(session, device) or seen > MAX_PLAUSIBLE:
            raise VersionFromNowhere(seen)
        meta = _locked_meta(session)
        if meta.max_version < seen:
            meta.max_version = seen + RESTORE_GAP
            meta.epoch_start = meta.max_version
            session.add(meta)
        audit(session, "restore_evidence", username=username, device_id=device, seen=seen)
        state = (meta.server_id, meta.max_version)
    high_water.raise_to(*state)


def _evidence_recently(session: Session, device_id: str | None) -> bool:
    """A device's evidence marks a restore at most once per ``EVIDENCE_INTERVAL``: a hostile
    client cannot make every laptop recover again and again."""
    since = utcnow() - EVIDENCE_INTERVAL
    return (
        session.exec(
            select(AuditEvent.id).where(
                AuditEvent.action == "restore_evidence",
                AuditEvent.device_id == device_id,
                AuditEvent.at > since,
            )
        ).first()
        is not None
    )


def _restore_reason(
    session: Session, high_water: HighWater, state: Epoch, known_id: str | None, seen: int
) -> str | None:
    mark = high_water.mark
    if mark is not None:
        if mark.server_id == state.server_id and state.max_version < mark.max_version:
            return "high_water"
        if mark.server_id != state.server_id and not _in_lineage(session, mark.server_id):
            return "high_water"  # a backup from before an epoch this server had opened
    if known_id in (None, state.server_id) and seen > state.max_version:
        return "device"
    return None


def _in_lineage(session: Session, server_id: str) -> bool:
    """Whether this database has been in the epoch ``server_id`` (now or before)."""
    return (
        session.exec(
            select(ServerEpoch.server_id).where(
                (ServerEpoch.previous_id == server_id) | (ServerEpoch.server_id == server_id)
            )
        ).first()
        is not None
    )
