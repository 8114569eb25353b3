"""The newest version this server process has seen, kept outside the database.

A database restored from a backup goes back in versions; its ``server_id`` is the backup's.
The high-water mark, in a small file beside an SQLite database (or in the state folder for
PostgreSQL) and in memory, remembers where the versions had got to: a database found below it
was restored, and the server marks the restore itself before serving anyone
(``services/epochs.py``). Written without fsync: after a power cut it may lag a little, which
the version gap of a marked restore covers.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Mark:
    server_id: str
    max_version: int


def high_water_path(database_url: str, state_dir: Path) -> Path | None:
    """Beside an SQLite file; in ``state_dir`` for a server database; None for :memory:."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return Path(f"{url.database}.high-water.json")
    name = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return state_dir / f"high-water-{name}.json"


class HighWater:
    """Thread-safe; ``raise_to`` only ever moves the mark up (per server id)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._mark = self._read()

    def _read(self) -> Mark | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return Mark(str(data["server_id"]), int(data["max_version"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def mark(self) -> Mark | None:
        with self._lock:
            return self._mark

    def raise_to(self, server_id: str, max_version: int) -> None:
        with self._lock:
            current = self._mark
            if (
                current is not None
                and current.server_id == server_id
                and current.max_version >= max_version
            ):
                return
            self._mark = Mark(server_id, max_version)
            self._write(self._mark)

    def _write(self, mark: Mark) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(
                json.dumps({"server_id": mark.server_id, "max_version": mark.max_version}),
                "utf-8",
            )
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only folder: detection then rests on the command and the devices
