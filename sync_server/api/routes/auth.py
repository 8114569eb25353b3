"""Enrolment: the first online login of a laptop gives it a device token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from sync_server import authz
from sync_server.api.deps import EngineDep, SettingsDep, require_protocol
from sync_server.api.errors import ApiError
from sync_server.api.schemas import EnrolIn, EnrolOut, ErrorOut, UserPublic
from sync_server.core.db import session_scope
from sync_server.core.security import (
    burn_password_check,
    new_token,
    token_digest,
    verify_password,
)
from sync_server.models import Device, utcnow
from sync_server.services import accounts
from sync_server.services.audit import audit

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(require_protocol)])

_ERRORS = {
    401: {"model": ErrorOut, "description": "Identifiants refusés ou compte désactivé"},
    403: {"model": ErrorOut, "description": "Compte d'administration (ne se synchronise pas)"},
    426: {"model": ErrorOut, "description": "Application trop ancienne"},
    429: {"model": ErrorOut, "description": "Trop d'échecs : attendre Retry-After secondes"},
}


@router.post("/enrol", response_model=EnrolOut, responses=_ERRORS)  # type: ignore[arg-type]
def enrol(body: EnrolIn, engine: EngineDep, settings: SettingsDep) -> EnrolOut:
    """Check the password (rate-limited per account) and give this device a new token."""
    now = utcnow()
    with session_scope(engine) as session:
        failures = accounts.recent_failures(session, body.username, now)
        user = accounts.find_user(session, body.username)
    wait = accounts.login_wait_seconds(
        failures,
        now,
        free_failures=settings.login_free_failures,
        max_delay=settings.login_max_delay_seconds,
        max_per_hour=settings.login_max_failures_per_hour,
    )
    if wait:
        with session_scope(engine, write=True) as session:
            audit(session, "login_throttled", username=body.username, wait_seconds=wait)
        raise ApiError(
            429,
            f"Trop d'échecs de connexion pour ce compte : réessayez dans {wait} s.",
            "rate_limited",
            headers={"Retry-After": str(wait)},
        )
    if user is None:
        burn_password_check(settings, body.password)
        valid = False
    else:
        valid = verify_password(settings, user.password_hash, body.password)
    if not valid or user is None:
        with session_scope(engine, write=True) as session:
            accounts.record_failure(session, body.username, now)
            audit(session, "login_failed", username=body.username)
        raise ApiError(401, "Identifiant ou mot de passe incorrect.", "invalid_credentials")
    if user.disabled:
        with session_scope(engine, write=True) as session:
            audit(session, "login_refused", username=user.username, reason="user_disabled")
        raise ApiError(401, "Ce compte est désactivé : contactez le CMS.", "user_disabled")
    if not authz.can_sync(user.roles):
        raise ApiError(403, "Ce compte d'administration ne se synchronise pas.", "forbidden_role")
    token = new_token()
    with session_scope(engine, write=True) as session:
        device = Device(
            user_id=user.id,
            name=body.device_name,
            token_sha256=token_digest(token),
            last_seen_at=utcnow(),
        )
        session.add(device)
        session.flush()
        audit(
            session,
            "enrol",
            username=user.username,
            device_id=device.id,
            device_name=body.device_name,
        )
    return EnrolOut(
        device_id=device.id,
        token=token,
        user=UserPublic(
            username=user.username,
            display_name=user.display_name,
            roles=list(user.roles),
            cms_code=user.cms_code,
        ),
    )
