"""Durability: WAL with synchronous=FULL, and a writer killed at any instant loses nothing
it acknowledged and leaves no half-written consultation."""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from van_app.core.db import make_engine, migrate, session_scope
from van_app.core.local_store import LocalStore
from van_app.core.models import FollowUp, SocialConsultation, SocialOrientation

WRITER = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CRASH_KILLS", "50"))
SEED = int(os.environ.get("CRASH_SEED", "20261123"))


def test_every_connection_uses_wal_and_full_sync(social_store: LocalStore) -> None:
    connections = [social_store.engine.connect() for _ in range(3)]
    try:
        for conn in connections:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
    finally:
        for conn in connections:
            conn.close()


def _check_consistent(db_path: Path, key: bytes, acknowledged: set[str]) -> int:
    engine = make_engine(db_path, key)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        with session_scope(engine) as session:
            consultations = session.exec(select(SocialConsultation)).all()
            orientations = dict(
                session.exec(
                    select(SocialOrientation.consultation_id, func.count()).group_by(
                        SocialOrientation.consultation_id
                    )
                ).all()
            )
            follow_ups = dict(
                session.exec(
                    select(FollowUp.consultation_id, func.count()).group_by(
                        FollowUp.consultation_id
                    )
                ).all()
            )
        present = {c.id for c in consultations}
        missing = acknowledged - present
        assert not missing, f"acknowledged consultations lost: {sorted(missing)[:3]}"
        for c in consultations:
            assert orientations.get(c.id, 0) == c.duration_minutes, "half-written consultation"
            assert follow_ups.get(c.id, 0) == c.duration_minutes, "half-written consultation"
        assert set(orientations) <= present and set(follow_ups) <= present, "orphan rows"
        return len(consultations)
    finally:
        engine.dispose()


def test_sigkill_at_random_moments_leaves_only_whole_consultations(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    key = secrets.token_bytes(32)
    db_path = tmp_path / "van.db"
    migrate(make_engine(db_path, key))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    acknowledged: set[str] = set()
    counts = []
    for round_number in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, str(WRITER), str(db_path), str(rng.randrange(1 << 30))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert writer.stdin and writer.stdout
        writer.stdin.write(key.hex() + "\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "ready", f"writer failed in round {round_number}"
        time.sleep(rng.uniform(0.0, 0.25))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        acknowledged |= {line.strip() for line in writer.stdout if line.strip()}
        counts.append(_check_consistent(db_path, key, acknowledged))
    assert counts[-1] > 0 and counts == sorted(counts), "writers made no progress"
