"""Unexpected failures are said in French; the exception class goes to the log only."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import pytest

from van_app.ui.failure_text import failure_reason

UI = Path(__file__).resolve().parents[2] / "van_app" / "ui"
# Screens of issue 13 (reviews, activity, right of access) still being written: their
# engineer replaces their class names with failure_reason; nothing else may add one.
NOT_YET = {
    "activity.py",
    "person_file.py",
}
LOGGING_ONLY = {"failure_text.py", "session.py"}  # the class name goes to the log there


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (sqlite3.DatabaseError("file is not a database MOREL"), "erreur de la base locale"),
        (sqlite3.OperationalError("database is locked"), "base locale occupée"),
        (PermissionError(13, "Permission denied"), "accès refusé"),
        (FileNotFoundError(2, "No such file"), "fichier ou disque inaccessible"),
        (KeyError("Lucie"), "le détail est dans le journal"),
    ],
)
def test_a_french_reason_and_the_class_in_the_log_without_the_message(
    exc: BaseException, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="van_app.ui.failure_text"):
        text = failure_reason(_raised(exc))
    assert said in text
    assert "Error" not in text and type(exc).__name__ not in text
    assert type(exc).__name__ in caplog.text
    assert "MOREL" not in caplog.text and "Lucie" not in caplog.text


def test_no_class_name_reaches_a_user_message() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in NOT_YET | LOGGING_ONLY:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if re.search(r"type\((exc|error|err|e)\)\.__name__", line):
                found.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert found == []
