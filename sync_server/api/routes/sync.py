"""Push, pull, summary, all three in one request, and the repair calls (docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ValidationError

from sync_server.api.deps import (
    CurrentActor,
    EngineDep,
    HighWaterDep,
    KnownServerId,
    SchemaDep,
    SettingsDep,
    require_protocol,
)
from sync_server.api.errors import ApiError
from sync_server.api.schemas import (
    MAX_VERSION,
    ChangeIn,
    ChecksumKind,
    DigestsIn,
    DigestsOut,
    ErrorOut,
    FetchIn,
    FetchOut,
    PullOut,
    PushIn,
    PushOut,
    RestoredOut,
    SummaryIn,
    SummaryOut,
    SyncIn,
    SyncOut,
)
from sync_server.authz import Actor
from sync_server.core.config import Settings
from sync_server.core.high_water import HighWater
from sync_server.services.epochs import Epoch, ServerRestored, VersionFromNowhere, check_epoch
from sync_server.services.pull import digest_list, fetch_records, pull_page, summarize
from sync_server.services.push import Change, push_changes
from sync_server.services.served import with_records

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[Depends(require_protocol)])

_ERRORS = {
    401: {"model": ErrorOut, "description": "Jeton inconnu, poste révoqué ou compte désactivé"},
    403: {"model": ErrorOut, "description": "Compte sans rôle de synchronisation"},
    409: {"model": RestoredOut, "description": "Serveur restauré : le poste doit se recaler"},
    413: {"model": ErrorOut, "description": "Requête trop volumineuse"},
    422: {"model": ErrorOut, "description": "Requête mal formée (rien n'est appliqué)"},
    426: {"model": ErrorOut, "description": "Application trop ancienne"},
}


def _changes(settings: Settings, changes: list[Any], prefix: str | None = None) -> list[Change]:
    if len(changes) > settings.max_changes:
        raise ApiError(
            413,
            f"Trop de modifications dans une requête ({settings.max_changes} au plus) : "
            "envoyez-les en plusieurs fois.",
            "too_many_changes",
        )
    return [_change(_with_change_id(item, prefix)) for item in changes]


def _with_change_id(item: Any, prefix: str | None) -> Any:
    """A change sent without its id has the batch's: "<change_prefix>.<record id>"."""
    if prefix is None or not isinstance(item, dict) or "change_id" in item:
        return item
    record_id = item.get("id")
    if not isinstance(record_id, str):
        return item  # refused as it is: no id, no change id
    return {**item, "change_id": f"{prefix}.{record_id}"}


def _change(item: Any) -> Change:
    """One change as the service takes it; one that does not fit the envelope becomes an
    invalid change, refused on its own."""
    plain = _plain_change(item)
    if plain is not None:
        return plain
    try:
        c = ChangeIn.model_validate(item)
    except ValidationError:
        change_id = item.get("change_id") if isinstance(item, dict) else None
        return Change(str(change_id), "", "", invalid=True)
    return Change(
        c.change_id,
        c.table,
        c.id,
        c.base_version,
        c.fields,
        c.deleted,
        bases=c.bases,
        replay=c.replay,
        origins=c.origins,
        seen=c.seen,
        undelete=c.undelete,
    )


def _plain_change(item: Any) -> Change | None:
    """The change of an entry whose every member already has exactly its ``ChangeIn`` type
    (what a laptop sends): the values ``ChangeIn`` would give, without building the model.
    None for anything else, which ``ChangeIn`` judges as before."""
    if type(item) is not dict:
        return None
    change_id, table, record_id = item.get("change_id"), item.get("table"), item.get("id")
    for text in (change_id, table, record_id):
        if type(text) is not str or not 0 < len(text) <= 64 or not text.isascii():
            return None
    base_version = item.get("base_version")
    if base_version is not None and type(base_version) is not int:
        return None
    flags = [item.get(name, False) for name in ("deleted", "replay", "undelete")]
    if any(type(flag) is not bool for flag in flags):
        return None
    fields = item.get("fields", _NO_FIELDS)
    bases, origins, seen = item.get("bases"), item.get("origins"), item.get("seen")
    if not (
        _plain_dict(fields)
        and (bases is None or _plain_dict(bases, int))
        and (origins is None or _plain_dict(origins, int))
        and (seen is None or _plain_dict(seen))
    ):
        return None
    deleted, replay, undelete = flags
    return Change(
        change_id,
        table,
        record_id,
        base_version,
        dict(fields),
        deleted,
        bases=None if bases is None else dict(bases),
        replay=replay,
        origins=None if origins is None else dict(origins),
        seen=None if seen is None else dict(seen),
        undelete=undelete,
    )


_NO_FIELDS: dict[str, Any] = {}


def _plain_dict(value: Any, kind: type | None = None) -> bool:
    """A dict with ASCII text keys (and values of exactly ``kind``, when given)."""
    if type(value) is not dict:
        return False
    if not all(type(key) is str and key.isascii() for key in value):
        return False
    return kind is None or all(type(v) is kind for v in value.values())


def _epoch(engine, high_water: HighWater, actor: Actor, known_id: str | None, seen: int) -> Epoch:  # type: ignore[no-untyped-def]
    """The current epoch; 409 when the device must recover from a restore first."""
    try:
        return check_epoch(
            engine, high_water, known_id=known_id, seen_version=seen,
            username=actor.username, device_id=actor.device_id,
        )  # fmt: skip
    except ServerRestored as restored:
        raise ApiError(
            409,
            "Le serveur du CMS a été restauré depuis une sauvegarde : ce poste renvoie ce "
            "qui a été perdu, puis se synchronise.",
            "server_restored",
            extra={"server_id": restored.server_id, "floor": restored.floor},
        ) from None
    except VersionFromNowhere:
        raise ApiError(
            422, "Version inconnue du serveur : rien n'a été appliqué.", "invalid_version"
        ) from None


def _limit(settings: Settings, limit: int | None) -> int:
    return min(settings.default_pull_limit if limit is None else limit, settings.max_pull_limit)


@router.post("/push", response_model=PushOut, responses=_ERRORS)  # type: ignore[arg-type]
def push(
    body: PushIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
) -> PushOut:
    """Apply changes in order; each gets its own result. Replays return the first result."""
    changes = _changes(settings, body.changes, body.change_prefix)
    _epoch(engine, high_water, actor, known_id, 0)
    outcome = push_changes(engine, schema, actor, changes)
    high_water.raise_to(outcome.server_id, outcome.server_max_version)
    return PushOut.model_validate(outcome, from_attributes=True)


@router.get("/pull", response_model=PullOut, responses=_ERRORS)  # type: ignore[arg-type]
def pull(
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
    since: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
    limit: Annotated[int | None, Query(ge=0, le=MAX_VERSION)] = None,
    skip_own: bool = False,
) -> Response:
    """The next page of records this user may read, with only the fields they may read;
    ``skip_own``: without those this device's own accepted pushes wrote as it sent them.
    Sent as encoded while read (``services/served.py``): the content of ``PullOut``."""
    _epoch(engine, high_water, actor, known_id, since)
    page = pull_page(engine, schema, actor, since, _limit(settings, limit), skip_own=skip_own)
    return Response(page.json(), media_type="application/json")


@router.get("/summary", response_model=SummaryOut, responses=_ERRORS)  # type: ignore[arg-type]
def summary(
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
    checksum_kind: ChecksumKind = "sorted",
) -> SummaryOut:
    """Count and checksum per table of what this user may pull, to verify a quiet sync."""
    _epoch(engine, high_water, actor, known_id, 0)
    checked = summarize(engine, schema, actor, kind=checksum_kind)
    return SummaryOut.model_validate(checked, from_attributes=True)


@router.post("/summary", response_model=SummaryOut, responses=_ERRORS)  # type: ignore[arg-type]
def summary_except(
    body: SummaryIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
) -> SummaryOut:
    """The summary without the records the device holds changes of its own for."""
    _epoch(engine, high_water, actor, known_id, 0)
    checked = summarize(engine, schema, actor, body.exclude, body.checksum_kind)
    return SummaryOut.model_validate(checked, from_attributes=True)


@router.post("/digests", response_model=DigestsOut, responses=_ERRORS)  # type: ignore[arg-type]
def digests(
    body: DigestsIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
) -> DigestsOut:
    """Id, version and value digest of each record of one table: to find what differs."""
    epoch = _epoch(engine, high_water, actor, known_id, 0)
    records = digest_list(engine, schema, actor, body.table)
    return DigestsOut(
        records=records, server_max_version=epoch.max_version, server_id=epoch.server_id
    )


@router.post("/fetch", response_model=FetchOut, responses=_ERRORS)  # type: ignore[arg-type]
def fetch(
    body: FetchIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
) -> FetchOut:
    """Named records again, as a pull gives them: what a device holds stale or lacks."""
    epoch = _epoch(engine, high_water, actor, known_id, 0)
    records = fetch_records(engine, schema, actor, [(k.table, k.id) for k in body.records])
    return FetchOut(
        records=records,  # type: ignore[arg-type]
        server_max_version=epoch.max_version,
        server_id=epoch.server_id,
    )


@router.post("", response_model=SyncOut, responses=_ERRORS)  # type: ignore[arg-type]
def sync(
    body: SyncIn,
    actor: CurrentActor,
    engine: EngineDep,
    schema: SchemaDep,
    settings: SettingsDep,
    high_water: HighWaterDep,
    known_id: KnownServerId,
) -> Response:
    """Push, then the first pull page, then the summary unless the body says ``"summary":
    false`` (docs/protocol.md, "Order of a sync"). The page's records go as encoded while
    read (``services/served.py``)."""
    changes = _changes(settings, body.changes, body.change_prefix)
    epoch = _epoch(engine, high_water, actor, known_id, body.since)
    outcome = push_changes(engine, schema, actor, changes)
    high_water.raise_to(outcome.server_id, outcome.server_max_version)
    page = pull_page(
        engine, schema, actor, body.since, _limit(settings, body.limit), skip_own=body.skip_own
    )
    checked = (
        summarize(engine, schema, actor, body.exclude, body.checksum_kind) if body.summary else None
    )
    answer = SyncOut(
        results=outcome.results,  # type: ignore[arg-type]
        records=[],
        next=page.next,
        more=page.more,
        summary=SummaryOut.model_validate(checked, from_attributes=True) if checked else None,
        server_max_version=checked.server_max_version if checked else page.server_max_version,
        server_max_version_before=epoch.max_version,
        server_id=checked.server_id if checked else page.server_id,
    )
    rest = answer.model_dump_json(exclude={"records"}).encode("utf-8")
    return Response(with_records(page.encoded, rest), media_type="application/json")
