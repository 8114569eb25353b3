"""The database key, wrapped once per user by a key derived from that user's password.

The database key is 32 random bytes that never touch the disk in clear. For each user the
file ``keys.json`` holds an Argon2id salt and parameters and the database key sealed with
AES-256-GCM under the password-derived key (the username is authenticated data, so a wrapped
copy cannot be moved to another name). A wrong password fails the GCM tag: nothing opens.
The file holds staff usernames only, never anything about a beneficiary.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
KEY_BYTES = 32
_AAD_PREFIX = b"drome-proximite/db-key/v1/"
_RECOVERY_AAD = b"drome-proximite/db-key/recovery/v1/"


class WrongPasswordError(Exception):
    """The password does not unwrap the database key (or the user is unknown)."""


class UnverifiedPasswordError(WrongPasswordError):
    """The password opens nothing here and the CMS server could not be asked about it (a
    password reset at the CMS opens the laptop only online)."""


class KeystoreError(Exception):
    """The key file is missing, unreadable or inconsistent."""


class KeystoreDamagedError(KeystoreError):
    """The key file exists but is damaged or was tampered with (not JSON, wrong shape,
    parameters out of bounds): nothing can be unwrapped from it."""


# Bounds on the Argon2id parameters read back from the file: a tampered file must not make
# the login take an hour or a gigabyte, nor weaken the derivation below the default's floor.
TIME_COST = (1, 10)
MEMORY_KIB = (8 * 1024, 1024 * 1024)
PARALLELISM = (1, 16)


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults follow RFC 9106's second recommended option (64 MiB)."""

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 2

    def derive(self, password: str, salt: bytes) -> bytes:
        return hash_secret_raw(
            password.encode("utf-8"),
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_cost_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _wrap(db_key: bytes, username: str, password: str, params: KdfParams) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = params.derive(password, salt)
    sealed = AESGCM(kek).encrypt(nonce, db_key, _AAD_PREFIX + username.encode("utf-8"))
    return {
        "kdf": "argon2id",
        "time_cost": params.time_cost,
        "memory_cost_kib": params.memory_cost_kib,
        "parallelism": params.parallelism,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped_key": _b64(sealed),
    }


def _checked_entry(entry: Any) -> tuple[KdfParams, bytes, bytes, bytes]:
    """A user's entry, its parameters within bounds and its fields well formed."""

    def bounded(name: str, limits: tuple[int, int]) -> int:
        value = entry.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise KeystoreDamagedError(f"{name}: not an integer")
        if not limits[0] <= value <= limits[1]:
            raise KeystoreDamagedError(f"{name}: out of bounds")
        return value

    if not isinstance(entry, dict) or entry.get("kdf") != "argon2id":
        raise KeystoreDamagedError("unknown key derivation")
    params = KdfParams(
        bounded("time_cost", TIME_COST),
        bounded("memory_cost_kib", MEMORY_KIB),
        bounded("parallelism", PARALLELISM),
    )
    try:
        salt, nonce = _unb64(entry["salt"]), _unb64(entry["nonce"])
        sealed = _unb64(entry["wrapped_key"])
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise KeystoreDamagedError("malformed wrapped key") from exc
    if len(salt) < 16 or len(nonce) != 12 or len(sealed) != KEY_BYTES + 16:
        raise KeystoreDamagedError("malformed wrapped key")
    return params, salt, nonce, sealed


class Keystore:
    """The ``keys.json`` file: one wrapped copy of the database key per user of the device."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise KeystoreError("no key file: this device has no user yet") from exc
        except (OSError, ValueError) as exc:
            raise KeystoreDamagedError(f"unreadable key file: {type(exc).__name__}") from exc
        if (
            not isinstance(data, dict)
            or data.get("version") != FORMAT_VERSION
            or not isinstance(data.get("users"), dict)
        ):
            raise KeystoreDamagedError("unknown key file format")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        """Atomic replace with fsync: a crash leaves the old file or the new one, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def usernames(self) -> list[str]:
        """Users who can log in on this device, for the login screen."""
        if not self.exists():
            return []
        return sorted(self._read()["users"])

    def create(self, username: str, password: str, params: KdfParams | None = None) -> bytes:
        """First user of the device: make a fresh random database key and wrap it."""
        if self.exists():
            raise KeystoreError("this device already has a key file")
        db_key = secrets.token_bytes(KEY_BYTES)
        entry = _wrap(db_key, username, password, params or KdfParams())
        self._write({"version": FORMAT_VERSION, "users": {username: entry}})
        return db_key

    def unlock(self, username: str, password: str) -> bytes:
        """The database key, if this password is the user's; WrongPasswordError otherwise."""
        entry = self._read()["users"].get(username)
        if entry is None:
            raise WrongPasswordError(username)
        params, salt, nonce, sealed = _checked_entry(entry)
        kek = params.derive(password, salt)
        try:
            return AESGCM(kek).decrypt(nonce, sealed, _AAD_PREFIX + username.encode("utf-8"))
        except InvalidTag as exc:
            raise WrongPasswordError(username) from exc

    def add_user(
        self, db_key: bytes, username: str, password: str, params: KdfParams | None = None
    ) -> None:
        """Give another user (or the same user with a new password) a wrapped copy."""
        data = self._read()
        data["users"][username] = _wrap(db_key, username, password, params or KdfParams())
        self._write(data)

    # -- recovery: the copy the server's key opens (docs/security.md) -------------------------

    def install_id(self) -> str | None:
        """This laptop's installation id (not secret): names its recovery key at the server."""
        value = self._read().get("install_id")
        return value if isinstance(value, str) and len(value) == 32 else None

    def has_recovery(self) -> bool:
        data = self._read()
        return isinstance(data.get("recovery"), dict) and self.install_id() is not None

    def seal_recovery(self, db_key: bytes, install_id: str, recovery_key: bytes) -> None:
        """Keep a copy of the database key sealed with the recovery key (which stays at the
        server): a professional the server vouches for can open the store without another's
        password."""
        if len(recovery_key) != KEY_BYTES:
            raise KeystoreError("a recovery key is 32 bytes")
        data = self._read()
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(recovery_key).encrypt(nonce, db_key, _RECOVERY_AAD + install_id.encode())
        data["install_id"] = install_id
        data["recovery"] = {"nonce": _b64(nonce), "wrapped_key": _b64(sealed)}
        self._write(data)

    def unlock_with_recovery(self, recovery_key: bytes) -> bytes:
        """The database key from the server's recovery key; WrongPasswordError if it does
        not open this laptop's sealed copy (another laptop's key, or none kept here)."""
        data = self._read()
        install_id, entry = self.install_id(), data.get("recovery")
        if install_id is None or not isinstance(entry, dict) or len(recovery_key) != KEY_BYTES:
            raise WrongPasswordError("no recovery copy on this laptop")
        try:
            nonce, sealed = _unb64(entry["nonce"]), _unb64(entry["wrapped_key"])
            return AESGCM(recovery_key).decrypt(nonce, sealed, _RECOVERY_AAD + install_id.encode())
        except (KeyError, TypeError, AttributeError, ValueError, InvalidTag) as exc:
            raise WrongPasswordError("the recovery key does not open this laptop") from exc

    def remove_user(self, username: str) -> None:
        data = self._read()
        if username in data["users"] and len(data["users"]) == 1:
            raise KeystoreError("the last user of the device cannot be removed")
        data["users"].pop(username, None)
        self._write(data)
