"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from sync_server import __version__
from sync_server.api.routes import health
from sync_server.core.config import Settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Drôme Proximité — serveur de synchronisation",
        version=__version__,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.include_router(health.router, prefix=API_PREFIX)
    return app
