"""Upgrades of the laptop's store: a copy before a migration, and a French refusal when a
newer app already upgraded it."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import text

from van_app.core.db import (
    StoreTooNewError,
    current_revision,
    discard_pre_upgrade_copy,
    head_revision,
    make_engine,
    migrate,
    pre_upgrade_copy,
)

OLD_REVISION = "0001"


def _old_store(folder: Path, key: bytes) -> Path:
    store_file = folder / "van.db"
    engine = make_engine(store_file, key)
    migrate(engine, OLD_REVISION, store_file=store_file)
    engine.dispose()
    return store_file


def test_the_store_is_copied_before_a_pending_migration_only(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    store_file = _old_store(tmp_path, key)
    assert not pre_upgrade_copy(store_file).exists()  # a new store has nothing to keep

    engine = make_engine(store_file, key)
    migrate(engine, store_file=store_file)
    assert current_revision(engine) == head_revision()
    copy = pre_upgrade_copy(store_file)
    assert copy.exists() and copy.stat().st_mode & 0o077 == 0
    assert b"SQLite format 3" not in copy.read_bytes()[:16]  # still encrypted
    before = make_engine(copy, key)  # the same key opens it, as it was
    assert current_revision(before) == OLD_REVISION
    before.dispose()

    copy.unlink()
    migrate(engine, store_file=store_file)  # nothing pending: no copy
    assert not copy.exists()
    engine.dispose()


def test_the_copy_goes_once_discarded(tmp_path: Path) -> None:
    store_file = _old_store(tmp_path, key := secrets.token_bytes(32))
    engine = make_engine(store_file, key)
    migrate(engine, store_file=store_file)
    engine.dispose()
    discard_pre_upgrade_copy(store_file)
    assert not pre_upgrade_copy(store_file).exists()
    discard_pre_upgrade_copy(store_file)  # nothing to remove: nothing said


def _upgraded_by_a_newer_app(store_file: Path, key: bytes, version: str | None) -> None:
    engine = make_engine(store_file, key)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0042_from_the_future'"))
        if version is None:
            connection.execute(text("DELETE FROM local_meta WHERE key = 'app_version'"))
        else:
            connection.execute(
                text("UPDATE local_meta SET value = :v WHERE key = 'app_version'"), {"v": version}
            )
    engine.dispose()


@pytest.mark.parametrize(
    ("written_by", "said"), [("0.3.0", "la version 0.3.0"), (None, "une version plus récente")]
)
def test_an_older_app_on_a_newer_store_says_which_version_is_needed(
    tmp_path: Path, written_by: str | None, said: str
) -> None:
    key = secrets.token_bytes(32)
    store_file = tmp_path / "van.db"
    _upgraded_by_a_newer_app(store_file, key, written_by)
    engine = make_engine(store_file, key)
    with pytest.raises(StoreTooNewError) as refused:
        migrate(engine, store_file=store_file)
    message = str(refused.value)
    assert said in message and "intactes" in message
    assert "Error" not in message and "0042" not in message
    assert current_revision(engine) == "0042_from_the_future"  # untouched
    assert not pre_upgrade_copy(store_file).exists()
    engine.dispose()


def test_the_app_version_is_recorded_by_each_upgrade(tmp_path: Path) -> None:
    from van_app import __version__

    key = secrets.token_bytes(32)
    store_file = _old_store(tmp_path, key)
    engine = make_engine(store_file, key)
    migrate(engine, store_file=store_file)
    with engine.connect() as connection:
        recorded = connection.execute(
            text("SELECT value FROM local_meta WHERE key = 'app_version'")
        ).scalar()
    assert recorded == __version__
    engine.dispose()
