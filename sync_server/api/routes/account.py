"""What a logged-in laptop does about its own access: deposit its recovery key, change its
professional's server password. Both need the device token; the password change also needs
the current password, so a token alone cannot take over an account."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from sync_server.api.deps import CurrentActor, EngineDep, SettingsDep, require_protocol
from sync_server.api.errors import ApiError
from sync_server.api.routes.auth import GateDep
from sync_server.api.schemas import ErrorOut, PasswordChangeIn, RecoveryIn, RecoveryOut
from sync_server.authz import Actor
from sync_server.core.db import session_scope
from sync_server.core.password_gate import GateBusyError
from sync_server.core.security import hash_password, verify_password
from sync_server.models import Device, utcnow
from sync_server.services import accounts, laptop_recovery
from sync_server.services.audit import audit

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(require_protocol)])


@router.post(
    "/recovery",
    response_model=RecoveryOut,
    responses={409: {"model": ErrorOut, "description": "Une autre clé est connue pour ce poste"}},
)
def deposit_recovery(body: RecoveryIn, actor: CurrentActor, engine: EngineDep) -> RecoveryOut:
    """Keep this laptop's recovery key (idempotent); refused for another laptop's id."""
    with session_scope(engine, write=True) as session:
        device = session.get(Device, actor.device_id)
        if device is None:  # pragma: no cover - the actor was just read
            raise ApiError(
                401, "Jeton d'accès inconnu : inscrivez de nouveau ce poste.", "invalid_token"
            )
        if device.install_id not in (None, body.install_id):
            raise ApiError(403, "Ce jeton appartient à un autre poste.", "other_laptop")
        device.install_id = body.install_id
        session.add(device)
        try:
            laptop_recovery.deposit(
                session, body.install_id, actor.cms_code, actor.username, body.recovery_key
            )
        except laptop_recovery.RecoveryMismatchError:
            _audit(session, actor, "recovery_refused", install_id=body.install_id)
            raise ApiError(
                409, "Le CMS connaît une autre clé de secours pour ce poste.", "recovery_mismatch"
            ) from None
        _audit(session, actor, "recovery_deposited", install_id=body.install_id)
    return RecoveryOut(kept=True)


@router.post(
    "/password",
    status_code=204,
    responses={
        403: {"model": ErrorOut, "description": "Mot de passe actuel incorrect"},
        503: {"model": ErrorOut, "description": "Serveur occupé : réessayer après Retry-After"},
    },
)
async def change_password(
    body: PasswordChangeIn,
    actor: CurrentActor,
    engine: EngineDep,
    settings: SettingsDep,
    gate: GateDep,
) -> None:
    """The professional's new password, from the app (it was changed on a laptop first)."""

    def check() -> bool:
        with session_scope(engine) as session:
            user = accounts.find_user(session, actor.username)
        return user is not None and verify_password(
            settings, user.password_hash, body.current_password
        )

    try:
        valid = await gate.run(check)
    except GateBusyError:
        raise ApiError(
            503,
            "Le serveur du CMS est très sollicité : réessayez dans quelques secondes.",
            "busy",
            headers={"Retry-After": str(math.ceil(gate.queue_seconds))},
        ) from None
    new_hash = await run_in_threadpool(hash_password, settings, body.new_password) if valid else ""
    await run_in_threadpool(_store_password, engine, actor, valid, new_hash)


def _store_password(engine, actor: Actor, valid: bool, new_hash: str) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        if valid:
            user = accounts.find_user(session, actor.username)
            assert user is not None
            user.password_hash = new_hash
            user.updated_at = utcnow()
            session.add(user)
        _audit(session, actor, "password_changed" if valid else "password_change_refused")
    if not valid:
        raise ApiError(
            403,
            "Le mot de passe actuel ne correspond pas à celui du CMS (il a peut-être été "
            "réinitialisé).",
            "wrong_password",
        )


def _audit(session: Session, actor: Actor, action: str, **detail: object) -> None:
    """What this device did about its access, with who and from where."""
    audit(
        session,
        action,
        username=actor.username,
        device_id=actor.device_id,
        address=actor.address,
        **detail,
    )
