"""Request and response bodies of the protocol (docs/protocol.md), as OpenAPI shows them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_VERSION = 2**62  # versions are 64-bit integers in the database


class ErrorOut(BaseModel):
    detail: str
    code: str


class UserPublic(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    cms_code: str


class EnrolIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(min_length=1, max_length=120)


class EnrolOut(BaseModel):
    device_id: str
    token: str
    user: UserPublic


class ChangeIn(BaseModel):
    """One outbox entry. Only the envelope is checked here: a bad table, id or field value
    rejects this change alone (status ``rejected``), never the whole request."""

    model_config = ConfigDict(extra="ignore")

    change_id: str = Field(min_length=1, max_length=64)
    table: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64)
    base_version: int | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    deleted: bool = False


class PushIn(BaseModel):
    changes: list[ChangeIn]


class ChangeResult(BaseModel):
    change_id: str
    status: Literal["applied", "duplicate", "merged", "rejected"]
    version: int | None = None
    reason: str | None = None
    code: str | None = None


class PushOut(BaseModel):
    results: list[ChangeResult]
    server_max_version: int
    server_id: str


class RecordOut(BaseModel):
    table: str
    id: str
    version: int
    deleted: bool
    fields: dict[str, Any]


class PullOut(BaseModel):
    records: list[RecordOut]
    next: int
    more: bool
    server_max_version: int
    server_id: str


class TableSummary(BaseModel):
    count: int
    checksum: str


class SummaryOut(BaseModel):
    server_id: str
    server_max_version: int
    tables: dict[str, TableSummary]


class SyncIn(BaseModel):
    changes: list[ChangeIn] = Field(default_factory=list)
    since: int = Field(default=0, ge=0, le=MAX_VERSION)
    limit: int | None = Field(default=None, ge=0, le=MAX_VERSION)


class SyncOut(BaseModel):
    """Push results, the first pull page and the summary, all read after the push."""

    results: list[ChangeResult]
    records: list[RecordOut]
    next: int
    more: bool
    summary: SummaryOut
    server_max_version: int
    server_max_version_before: int  # before this request's push: restore detection
    server_id: str
