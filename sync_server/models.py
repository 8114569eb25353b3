"""Server tables. Their own metadata (not SQLModel's global one): the server never shares a
database or a migration history with the van app, even when both are imported in one process.

Synced records of every table live in ``sync_record`` as JSON ``fields`` plus the columns the
server filters on (CMS, author, version, tombstone). The table and field rules come from the
shipped wire schema (``drome_resources/schema/sync_schema.json``), not from Python classes here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A datetime read back from the database, in UTC (SQLite returns them without zone)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class ServerBase(SQLModel, registry=registry()):
    """Base of server tables (separate metadata)."""


metadata = ServerBase.metadata


class UserAccount(ServerBase, table=True):
    """A professional of a CMS. Never deleted: disabled, so past records keep an author."""

    __tablename__ = "user_account"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    cms_code: str = Field(max_length=32, index=True)
    disabled: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Device(ServerBase, table=True):
    """A laptop enrolled by a user; only the SHA-256 of its token is kept."""

    __tablename__ = "device"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    name: str = Field(max_length=120)
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    # The laptop's installation (several professionals' devices share it): what a theft
    # report blocks, with its recovery key (``LaptopRecovery``).
    install_id: str | None = Field(default=None, max_length=64, index=True)


class LaptopRecovery(ServerBase, table=True):
    """Half of a laptop's recovery: a random key the laptop sealed its database key with.

    The sealed copy stays on the laptop, this key stays here: the server alone opens nothing,
    the laptop alone opens nothing. It is handed only to a professional of the laptop's CMS
    who has just proved their server password (a second professional, a reset password).
    """

    __tablename__ = "laptop_recovery"

    install_id: str = Field(primary_key=True, max_length=64)
    cms_code: str = Field(max_length=32)
    recovery_key: str = Field(max_length=64)
    deposited_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    blocked_at: dt.datetime | None = None


class LoginAttempt(ServerBase, table=True):
    """A failed password check, for per-account rate limiting (kept an hour is enough)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    at: dt.datetime = Field(default_factory=utcnow)


class ServerMeta(ServerBase, table=True):
    """One row: this database's random id and the version counter (locked by every write).

    ``server_id`` names the current epoch: it changes when a restore from a backup is marked,
    and ``restore_floor`` is then the newest version the restored database held. Versions above
    it were written in this epoch (docs/protocol.md, "Server restored from a backup").
    """

    __tablename__ = "server_meta"

    id: int = Field(default=1, primary_key=True)
    server_id: str = Field(default_factory=new_uuid, max_length=36)
    max_version: int = Field(default=0, sa_type=BigInteger)
    restore_floor: int = Field(default=0, sa_type=BigInteger)
    # The counter right after the last marked restore's jump: every version from before the
    # restore (kept or lost) is below it, every version written since is above.
    epoch_start: int = Field(default=0, sa_type=BigInteger)
    restored_at: dt.datetime | None = None
    # When the stored records were last checked for strings no client may send any more
    # (an upgrade repairs what an older server let in): None until checked.
    strings_checked_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class ServerEpoch(ServerBase, table=True):
    """One marked restore: the epoch it opened, the one before it, and where it started.

    A device that last synced in an older epoch learns from this chain which of its versions
    the server lost (those above the smallest floor since).
    """

    __tablename__ = "server_epoch"

    server_id: str = Field(primary_key=True, max_length=36)
    previous_id: str = Field(max_length=36, index=True)
    floor: int = Field(sa_type=BigInteger)
    marked_at: dt.datetime = Field(default_factory=utcnow)
    reason: str = Field(max_length=32)


class SyncRecord(ServerBase, table=True):
    """The server copy of one synced record, with a version per field for merging."""

    __tablename__ = "sync_record"
    __table_args__ = (
        Index("ix_sync_record_cms_version", "cms_code", "version"),
        # The records set aside, few: a summary counts them at each request.
        Index(
            "ix_sync_record_cms_aside",
            "cms_code",
            "table_name",
            sqlite_where=text("quarantined IS NOT NULL"),
            postgresql_where=text("quarantined IS NOT NULL"),
        ),
    )

    table_name: str = Field(primary_key=True, max_length=64)
    id: str = Field(primary_key=True, max_length=36, index=True)
    cms_code: str = Field(max_length=32)
    author: str = Field(max_length=64)
    device: str = Field(max_length=64)
    version: int = Field(sa_type=BigInteger, unique=True, index=True)
    # The version from which the record is in its CMS (that created it, or moved it there):
    # a summary counts the records come since the counts it keeps from the versions written
    # since (``services/summary_cache.py``). None: written by code that does not say (the
    # CMS is then counted again).
    created_version: int | None = Field(default=None, sa_type=BigInteger)
    deleted: bool = False
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    field_versions: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    # {field: [updated_at, device, author, knowledge, kind]} of the change that wrote the
    # field's value: what a same-field conflict compares and a sync_conflict reports, and
    # what a replay after a restore compares (services/merge.py).
    field_stamps: dict[str, list[Any]] = Field(default_factory=dict, sa_type=JSON)
    # {"S": sha256, "C": …, "M": …} of the fields of each class (services/digests.py).
    digests: dict[str, str] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    # Why the record is set aside (it could not be served): not pulled, not counted, until an
    # administrator repairs it (``van-sync-server quarantine --repair``). None: served.
    quarantined: str | None = Field(default=None, max_length=200)
    # The device whose push wrote ``echo_version`` and holds that state whole (its values
    # were stored as sent): its pulls leave the record out while ``version`` is still that
    # one (services/push_rules.py, "echo").
    echo_device: str | None = Field(default=None, max_length=36)
    echo_version: int | None = Field(default=None, sa_type=BigInteger)
    # When the purge erased this tombstone's fields (services/lifecycle.py): only the ids and
    # the version remain; pulls serve it as the order to delete, summaries leave it out.
    purged_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AppliedChange(ServerBase, table=True):
    """A change id already handled, with its result: a replay returns it (exactly once)."""

    __tablename__ = "applied_change"

    change_id: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(max_length=36)
    username: str = Field(max_length=64)
    table_name: str = Field(max_length=64)
    record_id: str = Field(max_length=64)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int | None = Field(default=None, sa_type=BigInteger)
    applied_at: dt.datetime = Field(default_factory=utcnow)


class AuditEvent(ServerBase, table=True):
    """Append-only log of who did what from which device; never notes or measures."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    username: str | None = Field(default=None, max_length=64, index=True)
    device_id: str | None = Field(default=None, max_length=36)
    action: str = Field(max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
