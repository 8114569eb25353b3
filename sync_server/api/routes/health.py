"""Liveness and readiness: answer without login, so a van (``/health``) or a supervisor
(systemd, a load balancer, a monitoring probe: ``/ready``) can tell the server is usable."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from sync_server import PROTOCOL_VERSION, __version__

router = APIRouter(tags=["health"])
log = logging.getLogger("sync_server.health")

NOT_READY = (
    "Base de données du serveur indisponible : les synchronisations sont suspendues. "
    "Les postes gardent leurs saisies et réessaieront."
)


class Health(BaseModel):
    status: str
    version: str
    protocol_version: int


class Ready(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=Health)
def health() -> Health:
    """Is the process up, and which protocol does it speak (no database access)."""
    return Health(status="ok", version=__version__, protocol_version=PROTOCOL_VERSION)


def database_answers(engine: Engine) -> bool:
    """The server's own table read through a pooled connection (``SELECT`` on server_meta).

    An SQLite file removed under the server still answers through connections opened before,
    so its existence is checked too.
    """
    if engine.url.get_backend_name() == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).is_file():
            log.error("readiness: the SQLite database file is missing")
            return False
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM server_meta")).first()
    except SQLAlchemyError as exc:
        log.error("readiness: database query failed (%s)", type(exc).__name__)
        return False
    return True


@router.get(
    "/ready",
    response_model=Ready,
    responses={503: {"description": "Base de données indisponible"}},
)
def ready(request: Request) -> Ready | JSONResponse:
    """Can the server serve syncs: its database answers a query."""
    if not database_answers(request.app.state.engine):
        return JSONResponse(
            {"detail": NOT_READY, "code": "not_ready"},
            status_code=503,
            headers={"Retry-After": "30"},
        )
    return Ready(status="ready", database="ok")
