"""The database key is random and only ever stored wrapped by a password-derived key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import FAST_KDF
from van_app import config
from van_app.core.db import WrongKeyError, make_engine
from van_app.core.keystore import (
    KdfParams,
    Keystore,
    KeystoreDamagedError,
    KeystoreError,
    WrongPasswordError,
)
from van_app.core.local_store import LocalStore
from van_app.core.models import StaffAccount


def test_wrong_password_opens_nothing(social_store: LocalStore, data_dir: Path) -> None:
    social_store.close()
    with pytest.raises(WrongPasswordError):
        LocalStore.open(data_dir, "amartin", "soleil-du-diois-2026")
    with pytest.raises(WrongPasswordError):
        LocalStore.open(data_dir, "inconnu", "Soleil-du-Diois-2026")


def test_right_password_opens_and_identifies_user(social_store: LocalStore, data_dir: Path) -> None:
    device = social_store.device_id
    social_store.close()
    store = LocalStore.open(data_dir, "amartin", "Soleil-du-Diois-2026")
    assert store.user.display_name == "Agnès Martin"
    assert store.user.roles == ("social_worker",)
    assert store.device_id == device
    store.close()


def test_added_user_opens_the_same_database(social_store: LocalStore, data_dir: Path) -> None:
    social_store.add_user(
        username="bnguyen",
        password="Lavande-26",
        display_name="Binh Nguyen",
        roles=["pmi_nurse"],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    social_store.close()
    assert Keystore(data_dir / config.KEYS_FILE).usernames() == ["amartin", "bnguyen"]
    store = LocalStore.open(data_dir, "bnguyen", "Lavande-26")
    assert store.user.roles == ("pmi_nurse",)
    with store.session() as session:
        names = sorted(a.username for a in session.exec(select(StaffAccount)))
    assert names == ["amartin", "bnguyen"]
    store.close()
    with pytest.raises(WrongPasswordError):
        LocalStore.open(data_dir, "bnguyen", "Soleil-du-Diois-2026")


def test_wrapped_copy_cannot_be_moved_to_another_user(tmp_path: Path) -> None:
    keystore = Keystore(tmp_path / "keys.json")
    keystore.create("amartin", "secret-a", FAST_KDF)
    data = json.loads(keystore.path.read_text())
    data["users"]["intrus"] = data["users"]["amartin"]
    keystore.path.write_text(json.dumps(data))
    with pytest.raises(WrongPasswordError):
        keystore.unlock("intrus", "secret-a")


def test_key_file_holds_no_key_in_clear(tmp_path: Path) -> None:
    keystore = Keystore(tmp_path / "keys.json")
    key = keystore.create("amartin", "secret-a", FAST_KDF)
    text = keystore.path.read_text()
    assert key.hex() not in text
    assert base64.b64encode(key).decode() not in text
    assert keystore.unlock("amartin", "secret-a") == key
    assert keystore.path.stat().st_mode & 0o077 == 0


def test_database_refuses_any_other_key(social_store: LocalStore, data_dir: Path) -> None:
    social_store.close()
    with pytest.raises(WrongKeyError):
        make_engine(data_dir / config.DATABASE_FILE, bytes(32))


def test_production_kdf_is_argon2id_with_real_cost(tmp_path: Path) -> None:
    keystore = Keystore(tmp_path / "keys.json")
    keystore.create("amartin", "secret-a")
    entry = json.loads(keystore.path.read_text())["users"]["amartin"]
    assert entry["kdf"] == "argon2id"
    assert entry["memory_cost_kib"] >= KdfParams().memory_cost_kib >= 64 * 1024
    assert keystore.unlock("amartin", "secret-a")


def test_last_user_cannot_be_removed(tmp_path: Path) -> None:
    keystore = Keystore(tmp_path / "keys.json")
    keystore.create("amartin", "secret-a", FAST_KDF)
    with pytest.raises(KeystoreError):
        keystore.remove_user("amartin")


def test_device_cannot_be_set_up_twice(social_store: LocalStore, data_dir: Path) -> None:
    with pytest.raises(KeystoreError):
        LocalStore.initialize(
            data_dir,
            username="x",
            password="y",
            display_name="X",
            roles=["social_worker"],
            cms_code="CMS-DIE",
            kdf=FAST_KDF,
        )


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: "pas du JSON",
        lambda data: json.dumps([1, 2]),
        lambda data: json.dumps({**data, "version": 99}),
        lambda data: json.dumps(_tamper(data, memory_cost_kib=64 * 1024 * 1024)),  # 64 GiB
        lambda data: json.dumps(_tamper(data, time_cost=10_000)),
        lambda data: json.dumps(_tamper(data, time_cost=0)),
        lambda data: json.dumps(_tamper(data, parallelism="2")),
        lambda data: json.dumps(_tamper(data, salt="@@@")),
        lambda data: json.dumps(_tamper(data, nonce=base64.b64encode(b"x").decode())),
        lambda data: json.dumps(_tamper(data, kdf="md5")),
    ],
)
def test_a_damaged_or_tampered_key_file_is_said_so_and_bounded(  # type: ignore[no-untyped-def]
    social_store: LocalStore, data_dir: Path, damage
) -> None:
    social_store.close()
    path = data_dir / config.KEYS_FILE
    path.write_text(damage(json.loads(path.read_text("utf-8"))), "utf-8")
    with pytest.raises(KeystoreDamagedError):
        LocalStore.open(data_dir, "amartin", "Soleil-du-Diois-2026")


def _tamper(data: dict, **values) -> dict:  # type: ignore[type-arg, no-untyped-def]
    entry = {**data["users"]["amartin"], **values}
    return {**data, "users": {"amartin": entry}}
