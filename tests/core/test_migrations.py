"""Schema migrations: an older database is brought up to date without losing a row."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

import van_app.core.local_meta
import van_app.core.outbox
import van_app.core.sync_state
import van_app.core.work_in_progress  # noqa: F401
from van_app.core.db import (
    current_revision,
    head_revision,
    include_object,
    make_engine,
    migrate,
    session_scope,
)
from van_app.core.models import Beneficiary, SocialConsultation

OLD_REVISION = "0001"


def _fill_old_schema(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    """Rows written as the first schema's app wrote them (raw SQL: no current model)."""
    with engine.begin() as conn:
        for i in range(count):
            person_id = str(uuid.uuid4())
            conn.execute(
                text(
                    "INSERT INTO beneficiary (id, created_at, updated_at, author, device, "
                    "deleted, birth_name, usual_name, first_names, birth_date, sex, known_to_cms)"
                    " VALUES (:id, '2026-01-05 10:00:00', '2026-01-05 10:00:00', 'amartin', "
                    "'dev-1', 0, :birth, NULL, :first, '1980-02-01', 'F', 1)"
                ),
                {"id": person_id, "birth": f"Évêque-{i}", "first": "Hélène Marie"},
            )
            conn.execute(
                text(
                    "INSERT INTO social_consultation (id, created_at, updated_at, author, device,"
                    " deleted, beneficiary_id, consultation_date, known_before, status,"
                    " demand_types, actions, note) VALUES (:id, '2026-01-05 10:00:00',"
                    " '2026-01-05 10:00:00', 'amartin', 'dev-1', 0, :person, '2026-01-05', 1,"
                    " 'signed', '[\"logement\"]', '[]', :note)"
                ),
                {"id": str(uuid.uuid4()), "person": person_id, "note": f"note {i}"},
            )


def test_old_database_migrates_without_losing_a_row(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "old.db", secrets.token_bytes(32))
    migrate(engine, OLD_REVISION)
    assert current_revision(engine) == OLD_REVISION
    _fill_old_schema(engine, 40)

    migrate(engine)

    assert current_revision(engine) == head_revision() != OLD_REVISION
    with session_scope(engine) as session:
        people = session.exec(select(Beneficiary)).all()
        consultations = session.exec(select(SocialConsultation)).all()
    assert len(people) == 40
    assert len(consultations) == 40
    assert {c.note for c in consultations} == {f"note {i}" for i in range(40)}
    # 0002's backfill: people from the old schema are found by the new accent-free search.
    assert all(p.search_key == f"eveque {p.birth_name.split('-')[1]} helene marie" for p in people)
    engine.dispose()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    """A model changed without its migration would make this diff non-empty."""
    engine = make_engine(tmp_path / "fresh.db", secrets.token_bytes(32))
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "twice.db", secrets.token_bytes(32))
    migrate(engine)
    _fill_old_schema(engine, 3)
    migrate(engine)
    with session_scope(engine) as session:
        assert len(session.exec(select(Beneficiary)).all()) == 3
    engine.dispose()
