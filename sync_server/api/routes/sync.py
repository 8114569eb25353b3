"""Push, pull, summary, and all three in one request (docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sync_server.api.deps import (
    CurrentActor,
    EngineDep,
    SchemaDep,
    SettingsDep,
    require_protocol,
)
from sync_server.api.errors import ApiError
from sync_server.api.schemas import (
    MAX_VERSION,
    ChangeIn,
    ErrorOut,
    PullOut,
    PushIn,
    PushOut,
    SummaryOut,
    SyncIn,
    SyncOut,
)
from sync_server.core.config import Settings
from sync_server.core.db import session_scope
from sync_server.services.pull import pull_page, summarize
from sync_server.services.push import Change, push_changes
from sync_server.services.versions import read_meta

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[Depends(require_protocol)])

_ERRORS = {
    401: {"model": ErrorOut, "description": "Jeton inconnu, poste révoqué ou compte désactivé"},
    403: {"model": ErrorOut, "description": "Compte sans rôle de synchronisation"},
    413: {"model": ErrorOut, "description": "Requête trop volumineuse"},
    422: {"model": ErrorOut, "description": "Requête mal formée (rien n'est appliqué)"},
    426: {"model": ErrorOut, "description": "Application trop ancienne"},
}


def _changes(settings: Settings, changes: list[ChangeIn]) -> list[Change]:
    if len(changes) > settings.max_changes:
        raise ApiError(
            413,
            f"Trop de modifications dans une requête ({settings.max_changes} au plus) : "
            "envoyez-les en plusieurs fois.",
            "too_many_changes",
        )
    return [
        Change(c.change_id, c.table, c.id, c.base_version, c.fields, c.deleted) for c in changes
    ]


def _limit(settings: Settings, limit: int | None) -> int:
    return min(settings.default_pull_limit if limit is None else limit, settings.max_pull_limit)


@router.post("/push", response_model=PushOut, responses=_ERRORS)  # type: ignore[arg-type]
def push(
    body: PushIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
) -> PushOut:
    """Apply changes in order; each gets its own result. Replays return the first result."""
    outcome = push_changes(engine, schema, actor, _changes(settings, body.changes))
    return PushOut.model_validate(outcome, from_attributes=True)


@router.get("/pull", response_model=PullOut, responses=_ERRORS)  # type: ignore[arg-type]
def pull(
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
    since: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
    limit: Annotated[int | None, Query(ge=0, le=MAX_VERSION)] = None,
) -> PullOut:
    """The next page of records this user may read, with only the fields they may read."""
    page = pull_page(engine, schema, actor, since, _limit(settings, limit))
    return PullOut.model_validate(page, from_attributes=True)


@router.get("/summary", response_model=SummaryOut, responses=_ERRORS)  # type: ignore[arg-type]
def summary(actor: CurrentActor, engine: EngineDep, schema: SchemaDep) -> SummaryOut:
    """Count and checksum per table of what this user may pull, to verify a quiet sync."""
    return SummaryOut.model_validate(summarize(engine, schema, actor), from_attributes=True)


@router.post("", response_model=SyncOut, responses=_ERRORS)  # type: ignore[arg-type]
def sync(
    body: SyncIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
) -> SyncOut:
    """Push, then the first pull page, then the summary (docs/protocol.md, "Order of a sync")."""
    with session_scope(engine) as session:
        before = read_meta(session).max_version  # a client ahead of it: a restored server
    outcome = push_changes(engine, schema, actor, _changes(settings, body.changes))
    page = pull_page(engine, schema, actor, body.since, _limit(settings, body.limit))
    checked = summarize(engine, schema, actor)
    return SyncOut(
        results=outcome.results,  # type: ignore[arg-type]
        records=page.records,  # type: ignore[arg-type]
        next=page.next,
        more=page.more,
        summary=SummaryOut.model_validate(checked, from_attributes=True),
        server_max_version=checked.server_max_version,
        server_max_version_before=before,
        server_id=checked.server_id,
    )
