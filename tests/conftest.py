"""Shared fixtures: every test gets its own data folder; nothing touches the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from van_app import config
from van_app.core.keystore import KdfParams
from van_app.core.local_store import LocalStore

# Argon2id at a test cost: the production cost is exercised by tests/core/test_keystore.py.
FAST_KDF = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app's data folder at a fresh temporary folder for every test."""
    path = tmp_path / "van-data"
    monkeypatch.setenv(config.DATA_DIR_ENV, str(path))
    monkeypatch.setenv(config.MACHINE_SETTINGS_ENV, str(tmp_path / "machine-settings.json"))
    monkeypatch.delenv(config.SERVER_URL_ENV, raising=False)
    monkeypatch.setenv("VAN_APP_KEYRING_BACKEND", "memory")
    return path


@pytest.fixture
def social_store(data_dir: Path) -> Iterator[LocalStore]:
    """A device set up for a social worker, unlocked."""
    store = LocalStore.initialize(
        data_dir,
        username="amartin",
        password="Soleil-du-Diois-2026",
        display_name="Agnès Martin",
        roles=["social_worker"],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    yield store
    store.close()
