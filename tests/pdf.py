"""The text of an exported PDF, read by poppler's ``pdftotext`` (installed by ``make test``).

On a laptop where it is missing and cannot be installed (no root), the text checks are
skipped with a reason rather than failing: the PDF itself is still checked to be written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MISSING = "pdftotext (poppler-utils) is not installed: the PDF's text is not checked"


def has_pdftotext() -> bool:
    return shutil.which("pdftotext") is not None


def pdf_text(path: Path, *, layout: bool = True) -> str:
    """The PDF's text (UTF-8); skips the calling test where pdftotext is missing."""
    if not has_pdftotext():
        pytest.skip(MISSING)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
