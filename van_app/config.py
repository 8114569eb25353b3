"""Where the app keeps its data and finds its resources, and its few settings.

Paths come from platformdirs so each OS gets its usual folder; ``VAN_APP_DATA_DIR``
overrides the data folder so tests and development never touch the real user folders.
Settings come from the machine-wide preset IT deploys (``machine_settings_path``), then the
user's own ``settings.json``, then ``VAN_APP_SERVER_URL`` (make demo, support).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "drome-proximite"
APP_AUTHOR = "Departement-Drome"
DATA_DIR_ENV = "VAN_APP_DATA_DIR"
MACHINE_SETTINGS_ENV = "VAN_APP_MACHINE_SETTINGS"
RESOURCES_DIR_ENV = "VAN_APP_RESOURCES_DIR"

DATABASE_FILE = "van.db"
KEYS_FILE = "keys.json"
SETTINGS_FILE = "settings.json"


def is_frozen() -> bool:
    """True inside the PyInstaller bundle, where resources live next to the executable."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def data_dir() -> Path:
    """The folder holding the encrypted database, the wrapped keys and the settings."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def resources_dir() -> Path:
    """The shipped resources folder (package ``drome_resources``; the override for tests)."""
    override = os.environ.get(RESOURCES_DIR_ENV)
    if override:
        return Path(override)
    from drome_resources import root

    return root()


def database_path() -> Path:
    return data_dir() / DATABASE_FILE


def keys_path() -> Path:
    return data_dir() / KEYS_FILE


SERVER_URL_ENV = "VAN_APP_SERVER_URL"
DEFAULT_SERVER = "http://127.0.0.1:8765"


@dataclass
class Settings:
    """User-adjustable settings; stored as plain JSON, so never anything about a person."""

    idle_lock_minutes: int = 5
    # The CMS server proposed at first setup; VAN_APP_SERVER_URL sets it (make demo's port).
    server_url: str = field(default_factory=lambda: os.environ.get(SERVER_URL_ENV, DEFAULT_SERVER))
    device_name: str = ""

    @classmethod
    def load(cls) -> Settings:
        """The machine preset, overridden by the user's settings, then by VAN_APP_SERVER_URL."""
        values = _read_settings(machine_settings_path())
        values.pop("device_name", None)  # a device's own name is never preset for a fleet
        values.update(_read_settings(data_dir() / SETTINGS_FILE))
        if os.environ.get(SERVER_URL_ENV):
            values["server_url"] = os.environ[SERVER_URL_ENV]
        return cls(**values)

    def save(self) -> None:
        path = data_dir() / SETTINGS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, path)


def machine_settings_path() -> Path:
    """The preset IT deploys for every user of the laptop (by GPO on Windows): read-only here.

    ``%ProgramData%\\DromeProximite\\settings.json`` on Windows,
    ``/etc/drome-proximite/settings.json`` elsewhere; ``VAN_APP_MACHINE_SETTINGS`` for tests.
    """
    override = os.environ.get(MACHINE_SETTINGS_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(program_data) / "DromeProximite" / SETTINGS_FILE
    return Path("/etc/drome-proximite") / SETTINGS_FILE


_SETTING_TYPES = {"idle_lock_minutes": int, "server_url": str, "device_name": str}


def _read_settings(path: Path) -> dict[str, object]:
    """The known settings of a JSON file, each of the right type; {} if absent or unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        key: value
        for key, value in raw.items()
        if key in _SETTING_TYPES
        and isinstance(value, _SETTING_TYPES[key])
        and not isinstance(value, bool)
    }
