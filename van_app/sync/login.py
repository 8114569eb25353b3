"""The login decision: offline with the laptop's own copy of the key when the password opens
it, online when it cannot (a professional new to this laptop, a password the CMS reset)."""

from __future__ import annotations

from pathlib import Path

from van_app import config
from van_app.core.keystore import KdfParams, Keystore, UnverifiedPasswordError, WrongPasswordError
from van_app.core.local_store import LocalStore
from van_app.sync.client import DeviceNotAuthorizedError, ServerUnreachableError, SyncError
from van_app.sync.enrolment import enrol_device


class NotOnThisLaptopError(SyncError):
    """A professional new to this laptop, and no server to enrol with."""


def log_in(
    data_dir: Path,
    server_url: str,
    username: str,
    password: str,
    *,
    kdf: KdfParams | None = None,
) -> LocalStore:
    """The unlocked store for ``username``; WrongPasswordError when neither this laptop nor
    the server accepts the password; SyncError (French) for what the server refused."""
    keystore = Keystore(data_dir / config.KEYS_FILE)
    known = username in keystore.usernames()
    if known:
        try:
            return LocalStore.open(data_dir, username, password)
        except WrongPasswordError:
            if not server_url:
                raise
    elif not server_url:
        raise NotOnThisLaptopError(
            f"« {username} » n'est pas encore inscrit sur ce poste, qui ne connaît aucun "
            "serveur de CMS : contactez le support du CMS."
        )
    try:
        return enrol_device(data_dir, server_url, username, password, kdf=kdf)
    except DeviceNotAuthorizedError as exc:
        if exc.wrong_password:
            raise WrongPasswordError(username) from None
        raise
    except ServerUnreachableError:
        if known:
            raise UnverifiedPasswordError(username) from None
        raise NotOnThisLaptopError(
            f"« {username} » n'est pas encore inscrit sur ce poste : la première connexion "
            "d'un professionnel sur un poste se fait avec le réseau, pour vérifier son mot de "
            "passe auprès du CMS. Réessayez une fois connecté."
        ) from None
