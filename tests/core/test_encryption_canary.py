"""Nothing written about a person can be read from the files of the data folder."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from van_app import config
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation

CANARIES = ["Zorglubienne", "CANARY-NOTE-7f3a9", "0612345678", "Quetzalcoatl-Village"]


def _leaks(folder: Path) -> list[tuple[str, str]]:
    """Every (file, canary) pair where the canary appears in any common encoding."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        for canary in CANARIES:
            for form in {canary, canary.lower(), canary.upper()}:
                for encoded in (form.encode("utf-8"), form.encode("utf-16-le")):
                    if encoded in content:
                        found.append((path.name, canary))
    return found


def _write_canaries(store: LocalStore) -> None:
    with store.session() as session:
        person = store.stamp(
            Beneficiary(
                birth_name="Zorglubienne",
                first_names="Quetzalcoatl-Village",
                birth_date=dt.date(1975, 3, 14),
                sex="F",
                phone="0612345678",
                author="",
                device="",
            )
        )
        session.add(person)
        session.flush()
        session.add(
            store.stamp(
                SocialConsultation(
                    beneficiary_id=person.id,
                    consultation_date=dt.date(2026, 11, 2),
                    demand_types=["logement"],
                    note="Demande de logement CANARY-NOTE-7f3a9",
                    author="",
                    device="",
                )
            )
        )


def test_canaries_absent_from_every_file_while_open_and_after_close(
    social_store: LocalStore, data_dir: Path
) -> None:
    _write_canaries(social_store)
    # While open the change sits in the WAL, not yet checkpointed into the main file.
    assert (data_dir / (config.DATABASE_FILE + "-wal")).stat().st_size > 0
    assert _leaks(data_dir) == []
    with social_store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    social_store.close()
    assert _leaks(data_dir) == []


def test_the_check_would_see_a_plain_database(tmp_path: Path) -> None:
    """Guard the guard: the same canaries in an unencrypted SQLite file are found."""
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE t (name TEXT)")
    plain.execute("INSERT INTO t VALUES (?)", ("Zorglubienne",))
    plain.commit()
    plain.close()
    assert ("plain.db", "Zorglubienne") in _leaks(tmp_path)


def test_plain_sqlite_cannot_read_the_database(social_store: LocalStore, data_dir: Path) -> None:
    _write_canaries(social_store)
    social_store.close()
    db_file = data_dir / config.DATABASE_FILE
    assert not db_file.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db_file).execute("SELECT * FROM sqlite_master").fetchall()
