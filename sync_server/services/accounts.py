"""Accounts, devices and login: what the CLI administers and the enrol route uses.

Every user has a ``staff_account`` record (the CMS's names, pulled by every device of the
CMS), rewritten with a new version whenever the user is created, changed or disabled.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from sync_server.authz import ROLES
from sync_server.models import Device, LoginAttempt, SyncRecord, UserAccount, as_utc, utcnow
from sync_server.services.versions import VersionCounter

STAFF_TABLE = "staff_account"
SERVER_AUTHOR = "server"
HOUR = dt.timedelta(hours=1)


class AccountError(Exception):
    """An administration request that cannot be done; the message is French."""


def wire_datetime(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def find_user(session: Session, username: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.username == username)).first()


def check_roles(roles: Sequence[str]) -> list[str]:
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise AccountError(
            f"Rôle inconnu : {', '.join(unknown)} (rôles possibles : {', '.join(ROLES)})."
        )
    if not roles:
        raise AccountError("Indiquez au moins un rôle.")
    return list(dict.fromkeys(roles))


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    roles: Sequence[str],
    cms_code: str,
    password_hash: str,
) -> UserAccount:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("Identifiant invalide : 1 à 64 caractères, sans espace.")
    if not display_name.strip() or len(display_name) > 120:
        raise AccountError("Nom affiché invalide : 1 à 120 caractères.")
    if not cms_code.strip() or len(cms_code) > 32:
        raise AccountError("Code CMS invalide : 1 à 32 caractères.")
    roles = check_roles(roles)
    if find_user(session, username) is not None:
        raise AccountError(f"L'identifiant « {username} » existe déjà.")
    user = UserAccount(
        username=username,
        display_name=display_name.strip(),
        roles=roles,
        cms_code=cms_code.strip(),
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    publish_staff_record(session, user)
    return user


def disable_user(session: Session, username: str) -> UserAccount:
    """Its devices stop working at the next request (every request checks the user)."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"Aucun compte « {username} ».")
    user.disabled = True
    user.updated_at = utcnow()
    session.add(user)
    publish_staff_record(session, user)
    return user


def enable_user(session: Session, username: str) -> UserAccount:
    """Undo ``disable_user``: the devices not revoked one by one sync again at once."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"Aucun compte « {username} ».")
    user.disabled = False
    user.updated_at = utcnow()
    session.add(user)
    publish_staff_record(session, user)
    return user


def silent_devices(session: Session, since: dt.datetime) -> list[DeviceRow]:
    """Devices not revoked, of active users, that have not synced since ``since`` (never
    synced: enrolled before it): laptops that stopped syncing, to look after."""
    query = (
        select(Device, UserAccount.username)
        .join(UserAccount, col(Device.user_id) == col(UserAccount.id))
        .where(col(Device.revoked_at).is_(None), col(UserAccount.disabled).is_(False))
        .where(
            (col(Device.last_seen_at) < since)
            | (col(Device.last_seen_at).is_(None) & (col(Device.created_at) < since))
        )
    )
    rows = session.exec(query.order_by(col(Device.last_seen_at), col(Device.created_at))).all()
    return [DeviceRow(device, name) for device, name in rows]


def publish_staff_record(session: Session, user: UserAccount) -> SyncRecord:
    """Write the user's staff_account record with the next version."""
    counter = VersionCounter(session)
    version = counter.next()
    fields = {
        "created_at": wire_datetime(user.created_at),
        "updated_at": wire_datetime(utcnow()),
        "author": SERVER_AUTHOR,
        "device": SERVER_AUTHOR,
        "deleted": False,
        "username": user.username,
        "display_name": user.display_name,
        "roles": list(user.roles),
        "cms_code": user.cms_code,
        "active": not user.disabled,
    }
    record = session.get(SyncRecord, (STAFF_TABLE, user.id))
    if record is None:
        record = SyncRecord(
            table_name=STAFF_TABLE,
            id=user.id,
            cms_code=user.cms_code,
            author=SERVER_AUTHOR,
            device=SERVER_AUTHOR,
            version=version,
            created_version=version,
        )
    if record.cms_code != user.cms_code:  # moved: counted from now on in its new CMS
        record.cms_code = user.cms_code
        record.created_version = version
    record.version = version
    record.fields = fields
    record.field_versions = dict.fromkeys(fields, version)
    record.digests = None  # computed from the new fields by the next summary or start
    record.updated_at = utcnow()
    session.add(record)
    session.flush()
    return record


def revoke_device(session: Session, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise AccountError(f"Aucun poste d'identifiant « {device_id} ».")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        session.add(device)
    return device


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    username: str


def list_devices(session: Session, username: str | None = None) -> list[DeviceRow]:
    query = select(Device, UserAccount.username).join(
        UserAccount, col(Device.user_id) == col(UserAccount.id)
    )
    if username:
        query = query.where(UserAccount.username == username)
    rows = session.exec(query.order_by(col(UserAccount.username), col(Device.created_at))).all()
    return [DeviceRow(device, name) for device, name in rows]


def list_users(session: Session) -> list[UserAccount]:
    return list(
        session.exec(
            select(UserAccount).order_by(col(UserAccount.cms_code), col(UserAccount.username))
        ).all()
    )


# -- login rate limiting ---------------------------------------------------------------------


def login_wait_seconds(
    failures: Sequence[dt.datetime],
    now: dt.datetime,
    *,
    free_failures: int = 5,
    max_delay: int = 3600,
    max_per_hour: int = 100,
) -> int:
    """Seconds before the next password check of an account (0: check now).

    After ``free_failures`` failures in the last hour each attempt waits a delay doubling
    from 1 s after the last failure; at ``max_per_hour`` failures nothing is checked until the
    oldest leaves the hour. A success erases nothing: only time does.
    """
    recent = sorted(as_utc(at) for at in failures if as_utc(at) > now - HOUR)
    if len(recent) >= max_per_hour:
        return max(1, math.ceil((recent[-max_per_hour] + HOUR - now).total_seconds()))
    if len(recent) >= free_failures:
        delay = min(2 ** (len(recent) - free_failures), max_delay)
        remaining = (recent[-1] + dt.timedelta(seconds=delay) - now).total_seconds()
        if remaining > 0:
            return math.ceil(remaining)
    return 0


def reserve_attempt(
    session: Session,
    username: str,
    now: dt.datetime,
    *,
    free_failures: int,
    max_delay: int,
    max_per_hour: int,
) -> tuple[int, int | None]:
    """(seconds to wait, 0 when allowed; the attempt's id), in the caller's write transaction.

    The attempt is written as a failure *before* the password is checked: write transactions
    take the lock one after another, so a burst of simultaneous attempts counts each one and
    no more than ``free_failures`` are checked before the delays apply. A success then
    forgets its attempt (``forget_attempt``).
    """
    if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE did it
        session.exec(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))").bindparams(name=username)
        )  # type: ignore[call-overload]
    wait = login_wait_seconds(
        recent_failures(session, username, now),
        now,
        free_failures=free_failures,
        max_delay=max_delay,
        max_per_hour=max_per_hour,
    )
    if wait:
        return wait, None
    attempt = LoginAttempt(username=username, at=now)
    session.add(attempt)
    _forget_old(session, username, now)
    session.flush()
    return 0, attempt.id


def forget_attempt(session: Session, attempt_id: int | None) -> None:
    """The password was right (or never checked): that attempt was no failure."""
    if attempt_id is not None:
        attempt = session.get(LoginAttempt, attempt_id)
        if attempt is not None:
            session.delete(attempt)


def _forget_old(session: Session, username: str, now: dt.datetime) -> None:
    """Old attempts are of no use once out of the window."""
    for attempt in session.exec(
        select(LoginAttempt).where(
            LoginAttempt.username == username, col(LoginAttempt.at) < now - 2 * HOUR
        )
    ).all():
        session.delete(attempt)


def recent_failures(session: Session, username: str, now: dt.datetime) -> list[dt.datetime]:
    return list(
        session.exec(
            select(LoginAttempt.at).where(
                LoginAttempt.username == username, col(LoginAttempt.at) > now - HOUR
            )
        ).all()
    )


def record_failure(session: Session, username: str, now: dt.datetime) -> None:
    session.add(LoginAttempt(username=username, at=now))
    _forget_old(session, username, now)
