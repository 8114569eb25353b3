"""The copy of the store taken before an upgrade is kept until the next verified sync."""

from __future__ import annotations

import pytest

from tests.sync.conftest import add_person
from van_app import config
from van_app.core.db import pre_upgrade_copy
from van_app.sync.client import ServerUnreachableError


@pytest.fixture(autouse=True)
def _memory_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAN_APP_KEYRING_BACKEND", "memory")


def test_the_pre_upgrade_copy_goes_after_a_verified_sync_only(enrol) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    copy = pre_upgrade_copy(van.data_dir / config.DATABASE_FILE)
    copy.write_bytes(b"the store as it was before the upgrade")
    server_url = van.client.server_url
    van.client.server_url = "http://127.0.0.1:9"  # nothing listens: the sync fails
    add_person(van, "Attente")
    with pytest.raises(ServerUnreachableError):
        van.sync()
    assert copy.exists()
    van.client.server_url = server_url
    assert van.sync().verified
    assert not copy.exists()
