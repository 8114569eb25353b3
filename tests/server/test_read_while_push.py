"""Reads never wait behind a push on SQLite: a pull answers while a writer holds the lock.

Its audit line is written once the lock is free (services/read_audit.py), never lost.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from sync_server.authz import Actor
from sync_server.core.config import default_schema_path
from sync_server.core.db import IMMEDIATE, make_engine, migrate, session_scope
from sync_server.models import AuditEvent
from sync_server.services import read_audit
from sync_server.services.pull import pull_page, summarize
from sync_server.services.push import Change, push_changes
from sync_server.wire_schema import load_schema
from tests.server.conftest import beneficiary, new_id

SCHEMA = load_schema(default_schema_path())
ACTOR = Actor("amartin", ("social_worker",), "CMS-DIE", "device-1")


def test_a_pull_answers_while_a_push_holds_the_write_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cms.db'}")
    migrate(engine)
    person = new_id()
    push_changes(engine, SCHEMA, ACTOR, [Change("c1", "beneficiary", person, None, beneficiary())])
    with engine.connect() as writer:  # a push in progress: the write lock is taken
        writer.execution_options(**{IMMEDIATE: True})
        transaction = writer.begin()  # BEGIN IMMEDIATE
        page = pull_page(engine, SCHEMA, ACTOR, 0, 100)
        summary = summarize(engine, SCHEMA, ACTOR)
        transaction.rollback()
    assert person in [r["id"] for r in page.records]
    assert summary.tables["beneficiary"]["count"] == 1
    read_audit.flush(engine)
    with session_scope(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "pull" in actions and "summary" in actions
    engine.dispose()
