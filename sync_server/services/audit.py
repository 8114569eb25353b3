"""Append-only audit log: who did what, from which device. Never notes or measures."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sync_server.models import AuditEvent


def audit(
    session: Session,
    action: str,
    *,
    username: str | None = None,
    device_id: str | None = None,
    **detail: Any,
) -> None:
    session.add(AuditEvent(action=action, username=username, device_id=device_id, detail=detail))
