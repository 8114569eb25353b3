"""Writing an export file so that a failure never leaves half a file where the user expects one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """``write`` a hidden file beside ``path``, then rename it: all or nothing.

    The partial file sits in the folder the user chose (never in a shared temp folder, since
    an export may name a person) and is removed if writing fails.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partiel")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
