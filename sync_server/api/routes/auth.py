"""Enrolment: the first online login of a laptop gives it a device token.

The only call before authentication, so the one that must not be turned against the server:
each attempt is counted before its password is checked (a burst cannot slip between the count
and the check), and every password check goes through the global gate (``password_gate.py``),
waiting without holding one of the threads that serve the vans' syncs.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from sync_server import authz
from sync_server.api.deps import EngineDep, SettingsDep, client_address, require_protocol
from sync_server.api.errors import ApiError
from sync_server.api.schemas import EnrolIn, EnrolOut, ErrorOut, UserPublic
from sync_server.core.config import Settings
from sync_server.core.db import session_scope
from sync_server.core.password_gate import GateBusyError, PasswordGate
from sync_server.core.security import (
    burn_password_check,
    new_token,
    token_digest,
    verify_password,
)
from sync_server.models import Device, UserAccount, utcnow
from sync_server.services import accounts, laptop_recovery
from sync_server.services.audit import audit

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(require_protocol)])

_ERRORS = {
    401: {"model": ErrorOut, "description": "Identifiants refusés ou compte désactivé"},
    403: {"model": ErrorOut, "description": "Compte d'administration (ne se synchronise pas)"},
    426: {"model": ErrorOut, "description": "Application trop ancienne"},
    429: {"model": ErrorOut, "description": "Trop d'échecs : attendre Retry-After secondes"},
    503: {"model": ErrorOut, "description": "Serveur occupé : réessayer après Retry-After"},
}


def get_password_gate(request: Request) -> PasswordGate:
    return request.app.state.password_gate


GateDep = Annotated[PasswordGate, Depends(get_password_gate)]


@router.post("/enrol", response_model=EnrolOut, responses=_ERRORS)  # type: ignore[arg-type]
async def enrol(
    body: EnrolIn, request: Request, engine: EngineDep, settings: SettingsDep, gate: GateDep
) -> EnrolOut:
    """Check the password (rate-limited per account) and give this device a new token."""
    address = client_address(request, settings)
    wait, attempt = await run_in_threadpool(_reserve, engine, settings, body.username, address)
    if wait:
        raise ApiError(
            429,
            f"Trop d'échecs de connexion pour ce compte : réessayez dans {wait} s.",
            "rate_limited",
            headers={"Retry-After": str(wait)},
        )
    try:
        user, valid = await gate.run(lambda: _check(engine, settings, body))
    except GateBusyError:
        await run_in_threadpool(_forget, engine, attempt)  # never checked: not a failure
        retry = str(math.ceil(gate.queue_seconds))
        raise ApiError(
            503,
            "Le serveur du CMS est très sollicité : réessayez dans quelques secondes.",
            "busy",
            headers={"Retry-After": retry},
        ) from None
    return await run_in_threadpool(_answer, engine, body, user, valid, attempt, address)


def _reserve(
    engine, settings: Settings, username: str, address: str | None
) -> tuple[int, int | None]:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        wait, attempt = accounts.reserve_attempt(
            session,
            username,
            utcnow(),
            free_failures=settings.login_free_failures,
            max_delay=settings.login_max_delay_seconds,
            max_per_hour=settings.login_max_failures_per_hour,
        )
        if wait:
            audit(session, "login_throttled", username=username, address=address, wait_seconds=wait)
    return wait, attempt


def _forget(engine, attempt: int | None) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        accounts.forget_attempt(session, attempt)


def _check(engine, settings: Settings, body: EnrolIn) -> tuple[UserAccount | None, bool]:  # type: ignore[no-untyped-def]
    """The password check itself (on the gate's threads): Argon2id, or a decoy of its cost."""
    with session_scope(engine) as session:
        user = accounts.find_user(session, body.username)
    if user is None:
        burn_password_check(settings, body.password)
        return None, False
    return user, verify_password(settings, user.password_hash, body.password)


def _answer(  # type: ignore[no-untyped-def]
    engine,
    body: EnrolIn,
    user: UserAccount | None,
    valid: bool,
    attempt: int | None,
    address: str | None,
) -> EnrolOut:
    if not valid or user is None:
        with session_scope(engine, write=True) as session:
            audit(session, "login_failed", username=body.username, address=address)
        raise ApiError(401, "Identifiant ou mot de passe incorrect.", "invalid_credentials")
    _forget(engine, attempt)

    def refused(status: int, detail: str, reason: str) -> ApiError:
        with session_scope(engine, write=True) as session:
            audit(session, "login_refused", username=user.username, address=address, reason=reason)
        return ApiError(status, detail, reason)

    if user.disabled:
        raise refused(401, "Ce compte est désactivé : contactez le CMS.", "user_disabled")
    if not authz.can_sync(user.roles):
        raise refused(403, "Ce compte d'administration ne se synchronise pas.", "forbidden_role")
    token = new_token()
    with session_scope(engine, write=True) as session:
        device = Device(
            user_id=user.id,
            name=body.device_name,
            token_sha256=token_digest(token),
            last_seen_at=utcnow(),
            install_id=body.install_id,
        )
        session.add(device)
        session.flush()
        recovery_key = laptop_recovery.hand_out(session, body.install_id, user, body.recovery_key)
        audit(
            session,
            "enrol",
            username=user.username,
            device_id=device.id,
            address=address,
            device_name=body.device_name,
            install_id=body.install_id,
            recovery_handed_out=recovery_key is not None,
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
        recovery_key=recovery_key,
    )
