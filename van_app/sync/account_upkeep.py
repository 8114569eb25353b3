"""What a logged-in laptop owes the server about access, done before each sync: deposit its
recovery key once per session, and send a password changed on the laptop.

A password changed offline waits in the encrypted store (never a plain file) until the
server has it, then is forgotten; docs/security.md says why that is acceptable.
"""

from __future__ import annotations

import base64
import json
import logging

from van_app.core.keystore import KdfParams
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.sync.client import RequestRefusedError, SyncClient

log = logging.getLogger(__name__)


def _pending_key(username: str) -> str:
    return f"password_change.{username}"


def change_password(
    store: LocalStore, current: str, new: str, kdf: KdfParams | None = None
) -> None:
    """Rewrap the laptop's key for ``new`` now; the server's password follows at the next
    sync. Changed twice before a sync: the server still knows the first one."""
    store.change_password(current, new, kdf)
    key = _pending_key(store.user.username)
    with store.session() as session:
        waiting = get_meta(session, key)
        known_to_server = json.loads(waiting)["current"] if waiting else current
        set_meta(session, key, json.dumps({"current": known_to_server, "new": new}))


def password_change_waiting(store: LocalStore) -> bool:
    with store.read_session() as session:
        return bool(get_meta(session, _pending_key(store.user.username)))


def run(store: LocalStore, client: SyncClient) -> str:
    """Do what is owed; a French notice for the status bar, or "" when all went through."""
    notice = ""
    if not store.recovery_deposited:
        install_id, key = store.recovery_key()
        try:
            client.deposit_recovery(install_id, base64.b64encode(key).decode("ascii"))
        except RequestRefusedError as exc:  # another key for this laptop: keep working
            log.warning("recovery key not kept by the server (%s)", exc.code)
        store.recovery_deposited = True
    key = _pending_key(store.user.username)
    with store.read_session() as session:
        waiting = get_meta(session, key)
    if waiting:
        change = json.loads(waiting)
        try:
            client.change_password(change["current"], change["new"])
        except RequestRefusedError as exc:
            if exc.code != "wrong_password":
                raise
            notice = (
                "Le mot de passe du CMS n'a pas été changé : il a été modifié au CMS entre-temps. "
                "Sur ce poste, votre nouveau mot de passe reste valable."
            )
        with store.session() as session:
            set_meta(session, key, "")
    return notice
