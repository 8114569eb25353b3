"""Server settings, from the environment (prefix ``VAN_SYNC_``) or the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


def default_database_url() -> str:
    """An SQLite file in the server account's data folder (created on first use)."""
    folder = Path(user_data_dir("van-sync-server"))
    return f"sqlite:///{folder / 'sync.db'}"


def default_schema_path() -> Path:
    """The wire schema shipped in package ``drome_resources`` (``schema/sync_schema.json``)."""
    from drome_resources import root

    return root() / "schema" / "sync_schema.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAN_SYNC_")

    # "production" (the default) or "development": the interactive API pages (/docs, /redoc)
    # are served only in development; /openapi.json, the protocol's contract, always. Any
    # other value stops the server at start (a typo must not silently mean production).
    environment: Literal["production", "development"] = "production"
    # Log files (server.log, access.log), rotated by size; None: stderr only (journald).
    log_dir: Path | None = None
    log_max_bytes: int = 10 * MIB
    log_backup_count: int = 10
    database_url: str = ""  # empty: default_database_url()
    # Where the high-water mark of a server database lives (an SQLite file keeps it beside).
    state_dir: Path | None = None  # None: the account's data folder
    schema_path: Path | None = None  # None: default_schema_path()
    # Request limits (docs/protocol.md): 2 MB uncompressed per request, 500 changes per push.
    max_body_bytes: int = 2 * MIB
    max_changes: int = 500
    max_pull_limit: int = 1000
    default_pull_limit: int = 500
    # Argon2id cost of password hashes (argon2-cffi's defaults: RFC 9106 low-memory profile).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    # Reverse proxies whose X-Forwarded-For is believed for the client's address (audit log);
    # comma-separated addresses, e.g. "127.0.0.1". Empty: the socket's address.
    trusted_proxies: str = ""
    # Password checks of requests not yet authenticated (enrolment): at most this many at once
    # (each Argon2id check takes argon2_memory_kib), the others wait in a queue this long, then
    # get 503 with Retry-After. Memory stays bounded whatever the burst.
    max_password_checks: int = 2
    # Retention (DESIGN.md, "Data lifecycle"; ``van-sync-server purge``): people with no
    # contact for this many months and nothing open are purged; audit events are kept this long.
    purge_inactive_months: int = 24
    audit_keep_months: int = 12
    password_queue_seconds: float = 10.0
    # Login rate limiting per account.
    login_free_failures: int = 5
    login_max_delay_seconds: int = 3600
    login_max_failures_per_hour: int = 100

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def resolved_state_dir(self) -> Path:
        return self.state_dir or Path(user_data_dir("van-sync-server"))

    def resolved_schema_path(self) -> Path:
        return self.schema_path or default_schema_path()
