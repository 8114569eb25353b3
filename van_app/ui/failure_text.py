"""What the user reads when something failed unexpectedly: a French phrase, never an
exception class name ("(DatabaseError)"); the class and the traceback go to the log, without
the exception's message (it may quote a value someone typed)."""

from __future__ import annotations

import logging
import sqlite3
import traceback

from PySide6.QtCore import QCoreApplication

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("failure_text", text)


def failure_reason(exc: BaseException) -> str:
    """A short French reason, to put in parentheses after what failed."""
    log.error(
        "failure shown to the user: %s (message not logged)\n%s",
        type(exc).__name__,
        "".join(traceback.format_tb(exc.__traceback__)).rstrip(),
    )
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return _tr("base locale occupée : réessayez dans un instant")
    if isinstance(exc, PermissionError):
        return _tr("accès refusé par le système")
    if isinstance(exc, OSError):
        return _tr("fichier ou disque inaccessible")
    if isinstance(exc, MemoryError):
        return _tr("mémoire insuffisante")
    if isinstance(exc, sqlite3.DatabaseError) or type(exc).__module__.startswith(
        ("sqlalchemy", "sqlcipher3")
    ):
        return _tr("erreur de la base locale, le détail est dans le journal de l'application")
    return _tr("le détail est dans le journal de l'application")
