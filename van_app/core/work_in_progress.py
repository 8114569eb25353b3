"""Work in progress: what a person is typing in a form, kept in the encrypted store. No Qt.

A form keeps its state here within a couple of seconds of each change and when the screen is
left, valid or not, so that nothing typed is lost to a screen change, a logout, the lock, a
crash or a flat battery (DESIGN.md, invariant 12). It stays on this laptop, never synced,
under its author's name, until she saves or signs the form; reopening the form brings it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, Session, SQLModel, col, select

from van_app.core.local_store import LocalStore
from van_app.core.models import UTCDateTime, utcnow


class WorkInProgress(SQLModel, table=True):
    """One form's unsaved state for one professional of the laptop."""

    __tablename__ = "work_in_progress"

    username: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=120)  # "social:<id>", "social:new:<person>"…
    title: str = Field(max_length=300)  # what it is, to list it: "Consultation sociale — …"
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    saved_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class KeptWork:
    key: str
    title: str
    payload: dict[str, Any]
    saved_at: dt.datetime


def keep_work(store: LocalStore, key: str, title: str, payload: dict[str, Any]) -> None:
    """Write (or replace) the state of one form for the logged-in professional."""
    with store.session() as session:
        row = session.get(WorkInProgress, (store.user.username, key))
        if row is None:
            row = WorkInProgress(username=store.user.username, key=key, title=title[:300])
        row.title = title[:300]
        row.payload = payload
        row.saved_at = utcnow()
        session.add(row)


def kept_work(session: Session, username: str, key: str) -> KeptWork | None:
    row = session.get(WorkInProgress, (username, key))
    return None if row is None else KeptWork(row.key, row.title, dict(row.payload), row.saved_at)


def drop_work(store: LocalStore, *keys: str) -> None:
    """The form was saved or signed (or its work abandoned): forget what was kept."""
    with store.session() as session:
        for key in keys:
            row = session.get(WorkInProgress, (store.user.username, key))
            if row is not None:
                session.delete(row)


def all_kept_work(session: Session, username: str) -> list[KeptWork]:
    """Everything this professional left unsaved on this laptop, the latest first."""
    rows = session.exec(
        select(WorkInProgress)
        .where(WorkInProgress.username == username)
        .order_by(col(WorkInProgress.saved_at).desc())
    ).all()
    return [KeptWork(r.key, r.title, dict(r.payload), r.saved_at) for r in rows]


def latest_work(session: Session, username: str, prefix: str) -> KeptWork | None:
    """The latest kept work of one kind of form ("register:"), to offer back when it opens."""
    row = session.exec(
        select(WorkInProgress)
        .where(WorkInProgress.username == username, col(WorkInProgress.key).startswith(prefix))
        .order_by(col(WorkInProgress.saved_at).desc())
    ).first()
    return None if row is None else KeptWork(row.key, row.title, dict(row.payload), row.saved_at)


def consultation_of(work: KeptWork) -> tuple[str, str, str] | None:
    """(kind, person id, consultation id or "") of kept consultation typing, else None."""
    kind, _, rest = work.key.partition(":")
    if kind not in ("social", "pmi"):
        return None
    form = work.payload.get("form") or {}
    person = form.get("beneficiary_id") if isinstance(form, dict) else None
    if rest.startswith("new:"):
        return kind, rest.removeprefix("new:"), ""
    if not isinstance(person, str):
        return None
    return kind, person, rest
