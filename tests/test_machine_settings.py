"""The server address IT presets for the whole laptop, under the user's own, under the env."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from van_app import config

PRESET = "https://sync.cms.example"
USERS = "https://autre.cms.example"


def write(path: Path, values: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")


def test_the_machine_preset_gives_the_server_address() -> None:
    write(config.machine_settings_path(), {"server_url": PRESET, "idle_lock_minutes": 10})
    settings = config.Settings.load()
    assert (settings.server_url, settings.idle_lock_minutes) == (PRESET, 10)


def test_the_users_own_settings_override_the_preset() -> None:
    write(config.machine_settings_path(), {"server_url": PRESET, "idle_lock_minutes": 10})
    write(config.data_dir() / config.SETTINGS_FILE, {"server_url": USERS})
    settings = config.Settings.load()
    assert (settings.server_url, settings.idle_lock_minutes) == (USERS, 10)


def test_the_environment_wins_over_both(monkeypatch: pytest.MonkeyPatch) -> None:
    write(config.machine_settings_path(), {"server_url": PRESET})
    write(config.data_dir() / config.SETTINGS_FILE, {"server_url": USERS})
    monkeypatch.setenv(config.SERVER_URL_ENV, "http://127.0.0.1:8797")
    assert config.Settings.load().server_url == "http://127.0.0.1:8797"


def test_without_any_file_the_default_address() -> None:
    assert config.Settings.load().server_url == config.DEFAULT_SERVER


@pytest.mark.parametrize(
    "preset",
    [
        "not json",
        ["server_url", PRESET],
        {"server_url": 42, "idle_lock_minutes": "10", "unknown": 1},
        {"idle_lock_minutes": True},
    ],
)
def test_a_broken_or_mistyped_preset_is_ignored(preset: object) -> None:
    path = config.machine_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(preset if isinstance(preset, str) else json.dumps(preset), encoding="utf-8")
    settings = config.Settings.load()
    assert (settings.server_url, settings.idle_lock_minutes) == (config.DEFAULT_SERVER, 5)


def test_the_preset_never_names_the_device() -> None:
    write(config.machine_settings_path(), {"device_name": "POSTE-COMMUN"})
    assert config.Settings.load().device_name == ""


def test_the_preset_lives_in_the_machine_wide_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.MACHINE_SETTINGS_ENV)
    monkeypatch.setattr(config.sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", r"D:\ProgramData")
    assert config.machine_settings_path() == Path(r"D:\ProgramData") / "DromeProximite" / (
        "settings.json"
    )
    monkeypatch.setattr(config.sys, "platform", "linux")
    assert config.machine_settings_path() == Path("/etc/drome-proximite/settings.json")
