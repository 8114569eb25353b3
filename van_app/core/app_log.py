"""The laptop's own log: a rotating file in the data folder, for the support.

A support call needs something to read, and the windowed Windows build has no console: its
stderr (``None`` there) goes to the same file, and so do Python's fatal-error tracebacks.

Nothing personal is ever logged: the app's log lines name actions, tables, ids, counts and
exception classes, never a name, a note or a measure (database errors hide their values:
``hide_parameters`` on the engine). ``support_excerpt`` still drops a line that would carry
what looks like a date of birth or a phone number, in case a library says more than we do.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import logging.handlers
import platform
import re
import sys
from collections import deque
from pathlib import Path

from van_app import __version__

LOG_FILE = "van-app.log"
CRASH_FILE = "van-app-crash.log"  # Python's traceback of a hard crash (windowed build)
MAX_BYTES = 1024 * 1024
BACKUPS = 3
SUPPORT_LINES = 200
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A date (12/04/1988, 1988-04-12) or a French phone number: never in a support excerpt.
_PERSONAL_LOOKING = re.compile(
    r"\b\d{2}/\d{2}/\d{4}\b"  # 12/04/1988
    r"|\b\d{4}-\d{2}-\d{2}\b(?!T| \d)"  # 1988-04-12, not a log line's own time stamp
    r"|\b0\d(?:[ .]?\d{2}){4}\b"  # 04 75 00 00 00
)
_fault_stream: io.TextIOWrapper | None = None


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_FILE


def install_log_file(data_dir: Path, *, level: int = logging.INFO) -> Path:
    """Log to ``van-app.log`` (1 MB, 3 older files kept) and to stderr when there is one."""
    global _fault_stream
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    if sys.stderr is not None:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(console)
    else:  # the windowed build: what Python or a library prints goes to the file
        sys.stderr = _LogWriter(logging.getLogger("stderr"))
        if sys.stdout is None:
            sys.stdout = _LogWriter(logging.getLogger("stdout"))
        if _fault_stream is None:  # a crash in Qt or SQLCipher leaves its traceback here
            _fault_stream = (data_dir / CRASH_FILE).open("a", encoding="utf-8")
            faulthandler.enable(_fault_stream)
    logging.getLogger(__name__).info("Drôme Proximité %s started", __version__)
    return path


class _LogWriter(io.TextIOBase):
    """A file-like stderr for the windowed build: each line becomes a log record."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                self._logger.warning("%s", line.rstrip())
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            self._logger.warning("%s", self._pending.rstrip())
        self._pending = ""


def support_excerpt(data_dir: Path, lines: int = SUPPORT_LINES) -> str:
    """The last ``lines`` lines of the log, headed by the app version and the system, for
    "Copier le journal pour le support" (files only: it runs off the UI thread)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    path = log_path(data_dir)
    kept: deque[str] = deque(maxlen=lines)
    for candidate in (path.with_name(path.name + ".1"), path):  # the rotated file first
        if candidate.exists():
            with candidate.open(encoding="utf-8", errors="replace") as file:
                kept.extend(line.rstrip("\n") for line in file)
    body = ["[ligne retirée]" if _PERSONAL_LOOKING.search(line) else line for line in kept] or [
        "(journal vide)"
    ]
    header = (
        f"Drôme Proximité {__version__} — {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} — {len(kept)} dernière(s) ligne(s) du journal"
    )
    return "\n".join([header, *body]) + "\n"
