"""A van process that records people and syncs in a loop until it is killed (kill -9 tests).

Usage: python -m tests.sync.sync_worker DATA_DIR USERNAME PASSWORD SERVER_URL TOKEN
Prints "synced <n>" after each complete sync, so the parent can kill at any moment.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("VAN_APP_KEYRING_BACKEND", "memory")

import contextlib

from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.sync.client import SyncClient, SyncError
from van_app.sync.engine import SyncEngine


def main() -> None:
    data_dir, username, password, url, token = sys.argv[1:6]
    store = LocalStore.open(Path(data_dir), username, password)
    client = SyncClient(url, token)
    n = 0
    while True:
        n += 1
        with store.session() as session:
            session.add(
                store.stamp(
                    Beneficiary(
                        birth_name=f"Tué{n}",
                        first_names="Neuf",
                        birth_date=dt.date(1980, 1, 1),
                        sex="M",
                        author="",
                        device="",
                    )
                )
            )
        with contextlib.suppress(SyncError):
            SyncEngine(store, client, batch_max=3, page_size=3).run()
        print(f"synced {n}", flush=True)


if __name__ == "__main__":
    main()
