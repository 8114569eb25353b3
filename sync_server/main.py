"""The FastAPI application factory."""

from __future__ import annotations

import gc
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware

from sync_server import __version__
from sync_server.api.errors import install_error_handlers
from sync_server.api.middleware import RequestBodyMiddleware
from sync_server.api.routes import account, auth, health, sync
from sync_server.api.schemas import ChangeIn
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.core.high_water import HighWater, high_water_path
from sync_server.core.password_gate import PasswordGate
from sync_server.services.digests import backfill_digests
from sync_server.services.quarantine import check_stored_strings
from sync_server.wire_schema import load_schema

API_PREFIX = "/api/v1"


def _document_changes(app: FastAPI) -> None:
    """Pushes take their changes one by one (a bad one is refused alone), so the request
    bodies declare them loosely: the schema still names ``ChangeIn`` for client writers."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            definition = ChangeIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components["ChangeIn"] = definition
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The app on an up-to-date database (migrations run here, before the first request)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.resolved_database_url())
    migrate(engine)
    development = settings.environment == "development"
    app = FastAPI(
        title="Drôme Proximité — serveur de synchronisation",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/docs" if development else None,
        redoc_url="/redoc" if development else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.schema = load_schema(settings.resolved_schema_path())
    app.state.high_water = HighWater(
        high_water_path(
            engine.url.render_as_string(hide_password=False), settings.resolved_state_dir()
        )
    )
    with session_scope(engine, write=True) as session:
        backfill_digests(session, app.state.schema)
    check_stored_strings(engine, app.state.schema)
    app.state.password_gate = PasswordGate(
        settings.max_password_checks, settings.password_queue_seconds
    )
    install_error_handlers(app)
    _document_changes(app)
    app.add_middleware(RequestBodyMiddleware, max_bytes=settings.max_body_bytes)
    # Level 6, not Starlette's 9: pages compress within a few per cent of it for half the CPU
    # (responses are what twenty vans pulling at once cost the server most).
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(account.router, prefix=API_PREFIX)
    app.include_router(sync.router, prefix=API_PREFIX)
    return app


def serving_app() -> FastAPI:
    """``create_app`` for a server worker: what startup built (modules, models, routes) is
    frozen out of the garbage collector's full passes, which would walk it all again and
    again during pushes (issue 15)."""
    app = create_app()
    gc.freeze()
    return app
