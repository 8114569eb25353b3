"""The device's local store: the encrypted database opened with a user's password.

``LocalStore.initialize`` sets a device up for its first user; ``LocalStore.open`` is the
offline login: the password unwraps the database key, nothing else can. The store also
knows who is logged in and which device this is, so every record it writes is stamped.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from van_app import config
from van_app.core.db import make_engine, migrate, session_scope
from van_app.core.keystore import KdfParams, Keystore, KeystoreError, WrongPasswordError
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.models import StaffAccount, SyncedRecord, utcnow
from van_app.core.outbox import FROM_SERVER  # importing it installs the outbox hook
from van_app.core.sync_state import FieldVersions  # noqa: F401  (its table, for migrations)

DEVICE_ID_KEY = "device_id"
RECOVERY_KEY_META = "recovery_key"  # inside the encrypted store, to deposit it again


def _keep_account(
    engine: Engine, username: str, display_name: str, roles: list[str], cms_code: str
) -> None:
    """The professional's account as the server described it (never pushed back)."""
    with session_scope(engine) as session:
        session.info[FROM_SERVER] = True
        existing = session.exec(select(StaffAccount).where(StaffAccount.username == username))
        account = existing.first() or StaffAccount(
            username=username, display_name="", cms_code="", author="", device=""
        )
        account.display_name = display_name
        account.roles = list(roles)
        account.cms_code = cms_code
        account.updated_at = utcnow()
        account.device = get_meta(session, DEVICE_ID_KEY) or account.device
        if not account.author:
            account.author = username
            account.created_at = account.updated_at
        session.add(account)


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
        self.enrolled_token = ""  # set by an online login, for the keyring
        self.recovery_deposited = False  # once per session (van_app.sync.account_upkeep)

    @property
    def database_key(self) -> bytes:
        """For sealing the laptop's recovery copy, only while unlocked."""
        return self._key

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
        migrate(engine, store_file=data_dir / config.DATABASE_FILE)
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
        migrate(engine, store_file=data_dir / config.DATABASE_FILE)
        return cls._opened(data_dir, engine, key, username)

    @classmethod
    def join(
        cls,
        data_dir: Path,
        key: bytes,
        *,
        username: str,
        password: str,
        display_name: str,
        roles: list[str],
        cms_code: str,
        kdf: KdfParams | None = None,
    ) -> LocalStore:
        """Open the store with its database key (from the laptop's recovery copy) and let
        ``username`` log in with ``password`` from now on: a second professional of the
        laptop, or one whose password the CMS reset."""
        engine = make_engine(data_dir / config.DATABASE_FILE, key)
        migrate(engine, store_file=data_dir / config.DATABASE_FILE)
        _keep_account(engine, username, display_name, roles, cms_code)
        Keystore(data_dir / config.KEYS_FILE).add_user(key, username, password, kdf)
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
        _keep_account(self.engine, username, display_name, roles, cms_code)
        Keystore(self.data_dir / config.KEYS_FILE).add_user(self._key, username, password, kdf)

    def change_password(self, current: str, new: str, kdf: KdfParams | None = None) -> None:
        """Rewrap the database key for the logged-in user's new password (WrongPasswordError
        if ``current`` is not theirs). The server's password follows at the next sync."""
        keystore = Keystore(self.data_dir / config.KEYS_FILE)
        if keystore.unlock(self.user.username, current) != self._key:
            raise KeystoreError("the key file does not match the open store")
        keystore.add_user(self._key, self.user.username, new, kdf)

    def remove_professional(self, username: str) -> None:
        """Take a colleague off this laptop: their password no longer opens it."""
        if username == self.user.username:
            raise KeystoreError("one does not remove oneself")
        Keystore(self.data_dir / config.KEYS_FILE).remove_user(username)

    def recovery_key(self) -> tuple[str, bytes]:
        """This laptop's install id and recovery key, made (and sealed in keys.json) if the
        laptop has none yet or its copy does not match: the key to deposit at the server."""
        keystore = Keystore(self.data_dir / config.KEYS_FILE)
        with self.read_session() as session:
            kept = get_meta(session, RECOVERY_KEY_META)
        install_id = keystore.install_id()
        if kept and install_id:
            key = base64.b64decode(kept)
            try:
                if keystore.unlock_with_recovery(key) == self._key:
                    return install_id, key
            except WrongPasswordError:
                pass  # a crash between the two writes below: make a new pair
        install_id = install_id or secrets.token_hex(16)
        key = secrets.token_bytes(32)
        with self.session() as session:
            set_meta(session, RECOVERY_KEY_META, base64.b64encode(key).decode("ascii"))
        keystore.seal_recovery(self._key, install_id, key)
        return install_id, key

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
