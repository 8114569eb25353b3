"""A person's save never fails because a sync runs, and a sync never fails because she saves.

A save reads the record, checks it, then writes: with a plain BEGIN, a sync committing a page
in between made the write fail at once with "database is locked". Writers now wait their turn.
"""

from __future__ import annotations

import threading
import time

from tests.sync.conftest import add_person
from tests.sync.helpers import value
from van_app.core.models import Beneficiary
from van_app.sync.client import SyncError


def test_saves_during_background_syncs_all_land(enrol) -> None:  # type: ignore[no-untyped-def]
    colleague, van = enrol("amartin"), enrol("amartin")  # the same user on two laptops
    people = [add_person(colleague, f"Nom{i}") for i in range(400)]
    assert colleague.sync().verified
    mine = add_person(van, "Ma", "Fiche")
    failures: list[BaseException] = []
    stop = threading.Event()

    def sync_in_background() -> None:
        while not stop.is_set():
            try:
                van.sync(page_size=20)  # many small pages: many short write transactions
            except SyncError:
                pass
            except BaseException as exc:
                failures.append(exc)
                return

    worker = threading.Thread(target=sync_in_background)
    worker.start()
    saved = 0
    try:
        for i in range(40):
            try:
                with van.store.session() as session:
                    record = session.get(Beneficiary, mine)  # read, check, then write
                    assert record is not None
                    time.sleep(0.01)
                    record.phone = f"04750000{i:02d}"
                    session.add(van.store.stamp(record))
                saved += 1
            except BaseException as exc:
                failures.append(exc)
    finally:
        stop.set()
        worker.join(timeout=120)
    assert failures == []
    assert saved == 40
    assert van.sync().verified
    assert value(van, mine, "phone") == "0475000039"
    assert all(value(van, p, "birth_name") is not None for p in people)
