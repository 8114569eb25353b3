"""The demo laptop syncs each demo professional once, so the CMS side is filled as in real life.

Without it, the supervisor's review queue of ``make demo`` would stay empty until the social
worker and the nurse each logged in and synced their month. Each user syncs with their own
token (enrolled online with the demo password), in the order a real day ends: the vans first,
then the CMS, then the vans again to receive the supervisor's reviews.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from van_app.core.demo import DEMO_PASSWORD, DEMO_USERS
from van_app.core.local_store import LocalStore
from van_app.sync.client import SyncClient, SyncError
from van_app.sync.engine import SyncEngine
from van_app.sync.enrolment import obtain_token, token_store


def _sync_one(data_dir: Path, server_url: str, username: str) -> str:
    store = LocalStore.open(data_dir, username, DEMO_PASSWORD)
    try:
        token = token_store(store).get(server_url, username) or obtain_token(
            store, server_url, DEMO_PASSWORD
        )
        client = SyncClient(server_url, token)
        try:
            report = SyncEngine(store, client).run()
        finally:
            client.close()
    finally:
        store.close()
    state = "vérifiée" if report.verified else "à reprendre"
    return (
        f"  {username:<8} {report.pushed} envoyé(s), {report.pulled} reçu(s), "
        f"{report.rejected} refusé(s) — synchronisation {state}"
    )


def sync_demo_laptop(data_dir: Path, server_url: str) -> Iterator[str]:
    """Sync every demo user of the laptop with the demo server; says what happened, in French."""
    usernames = [username for username, _, _ in DEMO_USERS]
    vans = [u for u in usernames if u != "croux"]
    yield f"Synchronisation de démonstration avec {server_url} :"
    for username in (*vans, "croux", *vans):
        try:
            yield _sync_one(data_dir, server_url, username)
        except SyncError as exc:
            yield f"  {username:<8} non synchronisé : {exc}"
            return
