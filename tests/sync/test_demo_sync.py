"""`make demo`: the demo laptop syncs each professional, so the CMS side has a month to review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import FAST_KDF
from tests.sync.conftest import SyncServer
from van_app.core.demo import DEMO_PASSWORD, ensure_demo_data
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.core.review import ReviewFilter, review_queue
from van_app.sync.demo_sync import sync_demo_laptop

TODAY = dt.date.today()


def test_the_demo_month_reaches_the_supervisor_for_review(
    tmp_path: Path, sync_server: SyncServer
) -> None:
    sync_server.admin("seed-demo")
    laptop = tmp_path / "laptop"
    list(ensure_demo_data(laptop, TODAY, kdf=FAST_KDF))

    lines = list(sync_demo_laptop(laptop, sync_server.url))
    assert len(lines) == 6 and all("vérifiée" in line for line in lines[1:]), lines
    assert all("0 refusé" in line for line in lines[1:])

    store = LocalStore.open(laptop, "croux", DEMO_PASSWORD)
    try:
        with store.session() as session:
            rows = review_queue(session, store.user, ReviewFilter(), reference())
    finally:
        store.close()
    assert {row.kind for row in rows} == {"social", "pmi"}, "both services wait for review"

    again = list(sync_demo_laptop(laptop, sync_server.url))  # a second `make demo`
    assert all("0 envoyé(s), 0 reçu(s)" in line for line in again[1:]), again

    unreachable = list(sync_demo_laptop(laptop, "http://127.0.0.1:9"))
    assert "non synchronisé" in unreachable[1] and len(unreachable) == 2
