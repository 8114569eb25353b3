"""Online logins: the server checks the password, the laptop gets a device token.

- The first professional on a new laptop sets it up: a fresh database key, sealed for her
  password and for the laptop's recovery key, which the server keeps.
- A second professional, or one whose password the CMS reset, opens an already set-up laptop
  with the recovery key the server hands to a professional of the laptop's CMS who has just
  proved their server password; the database key is then wrapped for that password too.
- A logged-in professional whose token was refused gets a new one (``obtain_token``).

The token goes to the keyring (``TokenStore``); the password is never kept.
"""

from __future__ import annotations

import base64
import binascii
import platform
import secrets
from pathlib import Path
from typing import Any

from van_app import config
from van_app.core.keystore import KdfParams, Keystore, WrongPasswordError
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import RECOVERY_KEY_META, LocalStore
from van_app.sync.client import DeviceNotAuthorizedError, SyncClient, SyncError
from van_app.sync.credentials import TokenStore


class NoRecoveryError(SyncError):
    """The server vouched for the professional but holds no key for this laptop they may use."""


def _device_name() -> str:
    return f"{platform.node() or 'poste'} (van)"


def _enrol(server_url: str, username: str, password: str, **laptop: str | None) -> dict[str, Any]:
    client = SyncClient(server_url)
    try:
        return client.enrol(username, password, _device_name(), **laptop)
    finally:
        client.close()


def _profile(user: dict[str, Any]) -> dict[str, Any]:
    """The professional as the server describes them, for the laptop's staff account."""
    return {
        "username": user["username"],
        "display_name": user["display_name"],
        "roles": list(user["roles"]),
        "cms_code": user["cms_code"],
    }


def enrol_device(
    data_dir: Path,
    server_url: str,
    username: str,
    password: str,
    *,
    tokens: TokenStore | None = None,
    kdf: KdfParams | None = None,
) -> LocalStore:
    """Log ``username`` in online and return the unlocked local store.

    A new laptop is set up with this user; a laptop already set up opens with the user's own
    local password, or else with its recovery key (a second professional, a reset password).
    Raises SyncError (French) when the server refuses or cannot be reached.
    """
    keystore = Keystore(data_dir / config.KEYS_FILE)
    if not keystore.exists():
        store = _set_up(data_dir, server_url, username, password, kdf)
    else:
        store = _open_online(data_dir, server_url, username, password, kdf)
    (tokens or token_store(store)).set(server_url, store.user.username, store.enrolled_token)
    return store


def _set_up(
    data_dir: Path, server_url: str, username: str, password: str, kdf: KdfParams | None
) -> LocalStore:
    install_id, recovery = secrets.token_hex(16), secrets.token_bytes(32)
    recovery_text = base64.b64encode(recovery).decode("ascii")
    answer = _enrol(
        server_url, username, password, install_id=install_id, recovery_key=recovery_text
    )
    user = answer["user"]
    store = LocalStore.initialize(data_dir, password=password, kdf=kdf, **_profile(user))
    if answer.get("recovery_key") == recovery_text:
        Keystore(data_dir / config.KEYS_FILE).seal_recovery(
            store.database_key, install_id, recovery
        )
        with store.session() as session:
            set_meta(session, RECOVERY_KEY_META, recovery_text)
    store.enrolled_token = str(answer["token"])
    return store


def _open_online(
    data_dir: Path, server_url: str, username: str, password: str, kdf: KdfParams | None
) -> LocalStore:
    keystore = Keystore(data_dir / config.KEYS_FILE)
    answer = _enrol(server_url, username, password, install_id=keystore.install_id())
    user = answer["user"]
    if user["username"] in keystore.usernames():
        try:
            store = LocalStore.open(data_dir, user["username"], password)
            store.enrolled_token = str(answer["token"])
            return store
        except WrongPasswordError:
            pass  # the CMS reset the password: the recovery key opens the store
    key = _recovered_key(keystore, answer.get("recovery_key"))
    store = LocalStore.join(data_dir, key, password=password, kdf=kdf, **_profile(user))
    store.enrolled_token = str(answer["token"])
    return store


def _recovered_key(keystore: Keystore, recovery_text: object) -> bytes:
    refusal = (
        "Le CMS n'a pas remis la clé de ce poste : il est peut-être d'un autre CMS, déclaré "
        "volé, ou sa clé n'a pas encore été déposée (un professionnel déjà inscrit ici doit "
        "ouvrir une fois sa session avec le réseau). Les saisies de ce poste sont intactes."
    )
    if not isinstance(recovery_text, str):
        raise NoRecoveryError(refusal)
    try:
        return keystore.unlock_with_recovery(base64.b64decode(recovery_text, validate=True))
    except (WrongPasswordError, binascii.Error, ValueError):
        raise NoRecoveryError(refusal) from None


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
    """A new token for the logged-in professional (first contact with the server, or
    "Réinscrire ce poste" after a refused token); returns it."""
    keystore = Keystore(store.data_dir / config.KEYS_FILE)
    answer = _enrol(server_url, store.user.username, password, install_id=keystore.install_id())
    token_store(store).set(server_url, store.user.username, answer["token"])
    return str(answer["token"])


def is_wrong_password(exc: BaseException) -> bool:
    return isinstance(exc, DeviceNotAuthorizedError) and exc.wrong_password
