"""Where the server's logs go: stderr (journald under systemd) and, with ``VAN_SYNC_LOG_DIR``,
rotating files (``server.log`` for the application, ``access.log`` for requests).

No personal data: the application logs only actions, ids and counts; SQL parameters are
hidden from database errors (``make_engine``); access lines carry the path without its query
string (today only ``since``/``limit`` travel there, but a future parameter must not leak).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sync_server.core.config import Settings

SERVER_LOG = "server.log"
ACCESS_LOG = "access.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_FORMAT = '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s'


class DropQueryString(logging.Filter):
    """uvicorn's access record without the query string of its path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            client, method, path, version, status = args
            record.args = (client, method, path.split("?", 1)[0], version, status)
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server process (also uvicorn's ``log_config``)."""
    handlers: dict[str, dict[str, Any]] = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
        "console_access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["no_query"],
            "stream": "ext://sys.stderr",
        },
    }
    app_handlers, access_handlers = ["console"], ["console_access"]
    if settings.log_dir is not None:
        folder = Path(settings.log_dir)
        folder.mkdir(parents=True, exist_ok=True)
        rotation = {
            "class": "logging.handlers.RotatingFileHandler",
            "maxBytes": settings.log_max_bytes,
            "backupCount": settings.log_backup_count,
            "encoding": "utf-8",
        }
        handlers["file"] = {**rotation, "formatter": "plain", "filename": str(folder / SERVER_LOG)}
        handlers["file_access"] = {
            **rotation,
            "formatter": "access",
            "filters": ["no_query"],
            "filename": str(folder / ACCESS_LOG),
        }
        app_handlers.append("file")
        access_handlers.append("file_access")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_query": {"()": DropQueryString}},
        "formatters": {
            "plain": {"format": FORMAT},
            "access": {"()": "uvicorn.logging.AccessFormatter", "fmt": ACCESS_FORMAT},
        },
        "handlers": handlers,
        "loggers": {
            "sync_server": {"handlers": app_handlers, "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": app_handlers, "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {
                "handlers": access_handlers,
                "level": "INFO",
                "propagate": False,
            },
        },
    }
