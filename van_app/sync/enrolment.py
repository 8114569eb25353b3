"""First online login on a laptop: the server checks the password, the device gets a token.

The same password then unwraps the local database key offline. The token goes to the
keyring (``TokenStore``); the password is never kept.
"""

from __future__ import annotations

import platform
from pathlib import Path

from van_app import config
from van_app.core.keystore import KdfParams, Keystore
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.sync.client import SyncClient
from van_app.sync.credentials import TokenStore


def enrol_device(
    data_dir: Path,
    server_url: str,
    username: str,
    password: str,
    *,
    tokens: TokenStore | None = None,
    kdf: KdfParams | None = None,
) -> LocalStore:
    """Enrol this laptop for ``username`` and return the unlocked local store.

    A new laptop is set up with this user; a laptop already set up gains one more user
    (the database key is wrapped for them with the key of the first store opened).
    Raises SyncError (French) when the server refuses or cannot be reached.
    """
    client = SyncClient(server_url)
    try:
        answer = client.enrol(username, password, f"{platform.node() or 'poste'} (van)")
    finally:
        client.close()
    user = answer["user"]
    keystore = Keystore(data_dir / config.KEYS_FILE)
    if not keystore.exists():
        store = LocalStore.initialize(
            data_dir,
            username=user["username"],
            password=password,
            display_name=user["display_name"],
            roles=list(user["roles"]),
            cms_code=user["cms_code"],
            kdf=kdf,
        )
    elif user["username"] in keystore.usernames():
        store = LocalStore.open(data_dir, user["username"], password)
    else:
        raise PermissionError(
            "Ce poste est déjà préparé pour d'autres professionnels : l'un d'eux doit "
            "ouvrir sa session pour y ajouter ce compte."
        )
    (tokens or token_store(store)).set(server_url, user["username"], answer["token"])
    return store


def token_store(store: LocalStore) -> TokenStore:
    """The keyring, falling back to the encrypted local database (never a plain file)."""

    def read(account: str) -> str | None:
        with store.session() as session:
            return get_meta(session, f"token.{account}")

    def write(account: str, token: str | None) -> None:
        with store.session() as session:
            set_meta(session, f"token.{account}", token or "")

    return TokenStore(fallback_get=lambda a: read(a) or None, fallback_set=write)


def obtain_token(store: LocalStore, server_url: str, password: str) -> str:
    """Enrol an already set-up laptop for its logged-in user; returns the new token."""
    client = SyncClient(server_url)
    try:
        answer = client.enrol(store.user.username, password, f"{platform.node() or 'poste'} (van)")
    finally:
        client.close()
    token_store(store).set(server_url, store.user.username, answer["token"])
    return str(answer["token"])
