"""Liveness: answers without login, so a van can tell the server is reachable."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from sync_server import PROTOCOL_VERSION, __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    protocol_version: int


@router.get("/health", response_model=Health)
def health() -> Health:
    """Is the server up, and which protocol does it speak."""
    return Health(status="ok", version=__version__, protocol_version=PROTOCOL_VERSION)
