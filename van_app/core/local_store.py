"""The device's local store: the encrypted database opened with a user's password.

``LocalStore.initialize`` sets a device up for its first user; ``LocalStore.open`` is the
offline login: the password unwraps the database key, nothing else can. The store also
knows who is logged in and which device this is, so every record it writes is stamped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from van_app import config
from van_app.core.db import make_engine, migrate, session_scope
from van_app.core.keystore import KdfParams, Keystore, KeystoreError
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.models import StaffAccount, SyncedRecord, utcnow
from van_app.core.outbox import FROM_SERVER  # importing it installs the outbox hook
from van_app.core.sync_state import FieldVersions  # noqa: F401  (its table, for migrations)

DEVICE_ID_KEY = "device_id"


@dataclass(frozen=True)
class CurrentUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    cms_code: str


class LocalStore:
    """An unlocked local database, with the logged-in user and the device id."""

    def __init__(
        self, data_dir: Path, engine: Engine, key: bytes, user: CurrentUser, device_id: str
    ) -> None:
        self.data_dir = data_dir
        self._key = key  # kept while unlocked, to wrap a copy for a new user of the device
        self.engine = engine
        self.user = user
        self.device_id = device_id

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def initialize(
        cls,
        data_dir: Path,
        *,
        username: str,
        password: str,
        display_name: str,
        roles: list[str],
        cms_code: str,
        kdf: KdfParams | None = None,
    ) -> LocalStore:
        """Set up a new device: a fresh database key wrapped for its first user."""
        keystore = Keystore(data_dir / config.KEYS_FILE)
        db_path = data_dir / config.DATABASE_FILE
        if keystore.exists() or db_path.exists():
            raise KeystoreError("this device is already set up")
        key = keystore.create(username, password, kdf)
        engine = make_engine(db_path, key)
        migrate(engine)
        device_id = f"dev-{secrets.token_hex(8)}"
        with session_scope(engine) as session:
            session.info[FROM_SERVER] = True  # accounts are the server's; never pushed back
            set_meta(session, DEVICE_ID_KEY, device_id)
            session.add(
                StaffAccount(
                    username=username,
                    display_name=display_name,
                    roles=list(roles),
                    cms_code=cms_code,
                    author=username,
                    device=device_id,
                )
            )
        return cls._opened(data_dir, engine, key, username)

    @classmethod
    def open(cls, data_dir: Path, username: str, password: str) -> LocalStore:
        """Offline login. Raises WrongPasswordError when the password unwraps nothing."""
        key = Keystore(data_dir / config.KEYS_FILE).unlock(username, password)
        engine = make_engine(data_dir / config.DATABASE_FILE, key)
        migrate(engine)
        return cls._opened(data_dir, engine, key, username)

    @classmethod
    def _opened(cls, data_dir: Path, engine: Engine, key: bytes, username: str) -> LocalStore:
        with Session(engine) as session:
            device_id = get_meta(session, DEVICE_ID_KEY)
            account = session.exec(
                select(StaffAccount).where(StaffAccount.username == username)
            ).first()
        if device_id is None or account is None:
            engine.dispose()
            raise KeystoreError(f"user {username!r} has a key but no account on this device")
        user = CurrentUser(
            account.username, account.display_name, tuple(account.roles), account.cms_code
        )
        return cls(data_dir, engine, key, user, device_id)

    # -- users of the device -------------------------------------------------------------

    def add_user(
        self,
        *,
        username: str,
        password: str,
        display_name: str,
        roles: list[str],
        cms_code: str,
        kdf: KdfParams | None = None,
    ) -> None:
        """Let another professional log in on this device with their own password."""
        with session_scope(self.engine) as session:
            session.info[FROM_SERVER] = True  # accounts are the server's; never pushed back
            existing = session.exec(
                select(StaffAccount).where(StaffAccount.username == username)
            ).first()
            account = existing or StaffAccount(
                username=username, display_name="", cms_code="", author="", device=""
            )
            account.display_name = display_name
            account.roles = list(roles)
            account.cms_code = cms_code
            self.stamp(account)
            session.add(account)
        Keystore(self.data_dir / config.KEYS_FILE).add_user(self._key, username, password, kdf)

    # -- writing ---------------------------------------------------------------------------

    def stamp(self, record: SyncedRecord) -> SyncedRecord:
        """Mark a record as written now, by the logged-in user, on this device."""
        now = utcnow()
        if not record.author:
            record.author = self.user.username
            record.created_at = now
        record.device = self.device_id
        record.updated_at = now
        return record

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: everything in the block commits together or not at all.

        It holds the write lock from its start (BEGIN IMMEDIATE): a save waits for a sync's
        page to commit, and the reverse, rather than failing.
        """
        with session_scope(self.engine) as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A transaction that only reads (figures, exports, searches): it never holds up a
        save, and any write in it is refused."""
        with session_scope(self.engine, read_only=True) as session:
            yield session

    def close(self) -> None:
        """Lock: drop the connections and forget the key."""
        self.engine.dispose()
        self._key = b""
