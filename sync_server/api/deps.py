"""Dependencies of the routes: settings, engine, schema, protocol version, device token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import select

from sync_server import PROTOCOL_VERSION, authz
from sync_server.api.errors import ApiError
from sync_server.authz import Actor
from sync_server.core.config import Settings
from sync_server.core.db import session_scope
from sync_server.core.high_water import HighWater
from sync_server.core.security import token_digest
from sync_server.models import Device, UserAccount, as_utc, utcnow
from sync_server.services.audit import audit
from sync_server.text import is_token, shown
from sync_server.wire_schema import TableSpec

MIN_PROTOCOL_VERSION = 2  # per-field bases, epochs and value digests
LAST_SEEN_PRECISION = dt.timedelta(minutes=5)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_schema(request: Request) -> dict[str, TableSpec]:
    return request.app.state.schema


def get_high_water(request: Request) -> HighWater:
    return request.app.state.high_water


def known_server_id(
    x_server_id: Annotated[
        str | None,
        Header(
            max_length=64,
            description="The server_id the device's versions refer to (absent: a new device)",
        ),
    ] = None,
) -> str | None:
    if x_server_id and not is_token(x_server_id):
        raise ApiError(422, "En-tête X-Server-Id invalide.", "invalid")
    return x_server_id or None


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SchemaDep = Annotated[dict[str, TableSpec], Depends(get_schema)]
HighWaterDep = Annotated[HighWater, Depends(get_high_water)]
KnownServerId = Annotated[str | None, Depends(known_server_id)]


def require_protocol(
    x_protocol_version: Annotated[str | None, Header()] = None,
) -> int:
    """426 for a client too old for this server (or one that does not say its version)."""
    text = (x_protocol_version or "").strip()
    version = int(text) if text.isdigit() and len(text) <= 6 else 0
    if version < MIN_PROTOCOL_VERSION:
        raise ApiError(
            426,
            "Cette version de l'application est trop ancienne pour le serveur du CMS : "
            f"faites la mise à jour (protocole {PROTOCOL_VERSION} attendu).",
            "client_too_old",
        )
    return version


_bearer = HTTPBearer(auto_error=False, description="Jeton du poste reçu à l'inscription")


def _unauthorized(detail: str, code: str) -> ApiError:
    return ApiError(401, detail, code, headers={"WWW-Authenticate": "Bearer"})


def client_address(request: Request, settings: Settings) -> str | None:
    """The socket's address, or the one a trusted reverse proxy forwarded."""
    peer = request.client.host if request.client else None
    trusted = {p.strip() for p in settings.trusted_proxies.split(",") if p.strip()}
    forwarded = request.headers.get("x-forwarded-for")
    if peer in trusted and forwarded:
        return shown(forwarded.split(",")[-1].strip())
    return peer


def current_actor(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The device's user, checked on every request: a revoked device or a disabled user
    is refused at once."""
    address = client_address(request, settings)
    if credentials is None or not credentials.credentials:
        _refused(engine, address, "invalid_token", request)
        raise _unauthorized("Jeton d'accès manquant : inscrivez ce poste.", "invalid_token")
    digest = token_digest(credentials.credentials)
    with session_scope(engine) as session:
        row = session.exec(
            select(Device, UserAccount)
            .join(UserAccount, Device.user_id == UserAccount.id)  # type: ignore[arg-type]
            .where(Device.token_sha256 == digest)
        ).first()
    if row is None:
        _refused(engine, address, "invalid_token", request)
        raise _unauthorized(
            "Jeton d'accès inconnu : inscrivez de nouveau ce poste.", "invalid_token"
        )
    device, user = row
    if device.revoked_at is not None:
        _refused(engine, address, "device_revoked", request, user.username, device.id)
        raise _unauthorized(
            "Ce poste n'est plus autorisé à se synchroniser : contactez le CMS.", "device_revoked"
        )
    if user.disabled:
        _refused(engine, address, "user_disabled", request, user.username, device.id)
        raise _unauthorized("Ce compte est désactivé : contactez le CMS.", "user_disabled")
    now = utcnow()
    if device.last_seen_at is None or now - as_utc(device.last_seen_at) > LAST_SEEN_PRECISION:
        with session_scope(engine, write=True) as session:
            stored = session.get(Device, device.id)
            if stored is not None:
                stored.last_seen_at = now
                session.add(stored)
    return Actor(user.username, tuple(user.roles), user.cms_code, device.id, address)


def _refused(
    engine: Engine,
    address: str | None,
    reason: str,
    request: Request,
    username: str | None = None,
    device_id: str | None = None,
) -> None:
    """A refused request goes to the audit log too: who tried what, from where."""
    with session_scope(engine, write=True) as session:
        audit(
            session,
            "request_refused",
            username=username,
            device_id=device_id,
            address=address,
            reason=reason,
            path=shown(request.url.path),
        )


def syncing_actor(
    request: Request, engine: EngineDep, actor: Annotated[Actor, Depends(current_actor)]
) -> Actor:
    """Administrators administer accounts; they hold no records and do not sync."""
    if not authz.can_sync(actor.roles):
        _refused(engine, actor.address, "forbidden_role", request, actor.username, actor.device_id)
        raise ApiError(403, "Ce compte d'administration ne se synchronise pas.", "forbidden_role")
    return actor


CurrentActor = Annotated[Actor, Depends(syncing_actor)]
