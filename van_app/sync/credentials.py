"""The device's sync token, kept in the system keyring (never a password).

Like Vorta, the keyring sits behind a tiny interface: the system keyring when one works; an
in-memory store when ``VAN_APP_KEYRING_BACKEND=memory`` (tests, so no keychain prompt); and,
where the laptop has no usable keyring, the encrypted local database (``LocalMeta``), which
only the user's password opens — still never a plain file.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)

SERVICE = "drome-proximite-sync"
BACKEND_ENV = "VAN_APP_KEYRING_BACKEND"
_MEMORY: dict[tuple[str, str], str] = {}


def _account(server_url: str, username: str) -> str:
    return f"{server_url.rstrip('/')}|{username}"


class TokenStore:
    """get / set / forget the token of (server, user) on this device."""

    def __init__(
        self,
        fallback_get: Callable[[str], str | None] | None = None,
        fallback_set: Callable[[str, str | None], None] | None = None,
    ) -> None:
        self._fallback_get = fallback_get
        self._fallback_set = fallback_set
        self._keyring = None if os.environ.get(BACKEND_ENV) == "memory" else self._system()

    @staticmethod
    def _system():  # type: ignore[no-untyped-def]
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring):
                return None
            return keyring
        except Exception as exc:  # no D-Bus, no backend: fall back, say so in the log
            log.info("no usable system keyring (%s)", type(exc).__name__)
            return None

    @property
    def backend_name(self) -> str:
        if os.environ.get(BACKEND_ENV) == "memory":
            return "memory"
        return "keyring" if self._keyring is not None else "local-database"

    def get(self, server_url: str, username: str) -> str | None:
        account = _account(server_url, username)
        if os.environ.get(BACKEND_ENV) == "memory":
            return _MEMORY.get((SERVICE, account))
        if self._keyring is not None:
            try:
                return self._keyring.get_password(SERVICE, account)
            except Exception as exc:
                log.warning("keyring read failed (%s)", type(exc).__name__)
        return self._fallback_get(account) if self._fallback_get else None

    def set(self, server_url: str, username: str, token: str | None) -> None:
        """Store ``token``; None forgets it (a revoked device)."""
        account = _account(server_url, username)
        if os.environ.get(BACKEND_ENV) == "memory":
            if token is None:
                _MEMORY.pop((SERVICE, account), None)
            else:
                _MEMORY[(SERVICE, account)] = token
            return
        if self._keyring is not None:
            try:
                if token is None:
                    with contextlib.suppress(Exception):  # nothing to delete
                        self._keyring.delete_password(SERVICE, account)
                else:
                    self._keyring.set_password(SERVICE, account, token)
                return
            except Exception as exc:
                log.warning("keyring write failed (%s); using the local database", type(exc))
        if self._fallback_set is None:
            raise RuntimeError("no keyring and no local fallback for the sync token")
        self._fallback_set(account, token)
