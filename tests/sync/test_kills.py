"""kill -9 of the van process and of the server process at random moments during sync."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlmodel import select

from tests.sync.conftest import PASSWORD, Van, add_person
from tests.sync.test_contract import record_consultation
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation
from van_app.core.outbox import OutboxEntry
from van_app.sync.client import SyncError

KILLS = int(os.environ.get("SYNC_KILLS", "8"))
REPO = Path(__file__).resolve().parents[2]


def ids(van: Van, model) -> list[str]:  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return sorted(r.id for r in session.exec(select(model)).all())


def converged(van: Van, witness: Van) -> None:
    assert van.sync().verified
    assert ids(van, OutboxEntry) == []
    assert witness.sync().verified
    for model in (Beneficiary, SocialConsultation):
        assert ids(witness, model) == ids(van, model)


def test_the_van_process_killed_mid_sync_loses_and_duplicates_nothing(enrol) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    witness = enrol("croux")
    url, token, data_dir, username = (
        van.client.server_url,
        van.client.token,
        van.data_dir,
        van.username,
    )
    van.store.close()
    worker_args = [str(data_dir), username, PASSWORD, url, token]
    rng = random.Random(9)
    for _ in range(KILLS):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.sync_worker", *worker_args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            env={**os.environ, "VAN_APP_KEYRING_BACKEND": "memory"},
        )  # fmt: skip
        assert worker.stdout is not None
        worker.stdout.readline()  # it is up and has synced once
        time.sleep(rng.uniform(0, 0.25))  # then dies anywhere in the next syncs
        worker.kill()
        worker.wait()
    van.store = LocalStore.open(data_dir, username, PASSWORD)
    converged(van, witness)
    assert len(ids(van, Beneficiary)) >= KILLS


def test_the_server_killed_mid_sync_loses_and_duplicates_nothing(enrol, sync_server) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    witness = enrol("croux")
    rng = random.Random(4)
    for round_number in range(max(2, KILLS // 2)):
        for i in range(6):
            record_consultation(van, add_person(van, f"Serveur{round_number}x{i}"))

        def sync() -> None:
            with contextlib.suppress(SyncError):  # the server dies under it: "injoignable"
                van.sync(batch_max=2, page_size=2)

        worker = threading.Thread(target=sync)
        worker.start()
        time.sleep(rng.uniform(0, 0.15))
        sync_server.kill()
        worker.join(timeout=60)
        sync_server.start()
    converged(van, witness)


def test_a_server_restored_from_an_older_backup_is_detected_and_fed_again(  # type: ignore[no-untyped-def]
    enrol, sync_server
) -> None:
    import sqlite3

    van = enrol("amartin")
    witness = enrol("croux")
    kept = record_consultation(van, add_person(van, "Avant"))
    van.sync()
    database = Path(sync_server.database_url.removeprefix("sqlite:///"))
    backup = database.with_name("backup.db")
    with sqlite3.connect(database) as source, sqlite3.connect(backup) as copy:
        source.backup(copy)
    lost = record_consultation(van, add_person(van, "Après"))
    assert van.sync().verified  # the server has it… then loses it with the restore
    sync_server.kill()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    backup.rename(database)
    sync_server.start()

    report = van.sync()
    assert report.restored_server and report.verified
    assert witness.sync().verified
    assert set(ids(witness, SocialConsultation)) == {kept, lost}
    assert len(ids(witness, Beneficiary)) == 2
