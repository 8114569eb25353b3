"""Request and response bodies of the protocol (docs/protocol.md), as OpenAPI shows them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from sync_server.text import is_identifier, is_token, text_problem

MAX_VERSION = 2**62  # versions are 64-bit integers in the database
MAX_FETCH = 1000
INSTALL_ID = r"^[0-9a-f]{32}$"
RECOVERY_KEY = r"^[A-Za-z0-9+/]{43}=$"  # 32 random bytes, base64


class ErrorOut(BaseModel):
    detail: str
    code: str


class RestoredOut(ErrorOut):
    """409 ``server_restored``: the device's versions belong to an older epoch."""

    server_id: str
    floor: int


class UserPublic(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    cms_code: str


def _typed_password(value: str) -> str:
    """Any character a keyboard types, tabs included, but Unicode scalars and no NUL."""
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


def _one_line(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class EnrolIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(min_length=1, max_length=120)
    # The laptop's installation, and the recovery key it proposes if the server has none.
    install_id: str | None = Field(default=None, pattern=INSTALL_ID)
    recovery_key: str | None = Field(default=None, pattern=RECOVERY_KEY)

    @field_validator("username", "device_name")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return _typed_password(value)


class EnrolOut(BaseModel):
    device_id: str
    token: str
    user: UserPublic
    # The laptop's recovery key, for a professional of its CMS (docs/security.md).
    recovery_key: str | None = None


class RecoveryIn(BaseModel):
    """A laptop's recovery key, deposited by a device of that laptop."""

    install_id: str = Field(pattern=INSTALL_ID)
    recovery_key: str = Field(pattern=RECOVERY_KEY)


class RecoveryOut(BaseModel):
    kept: bool


class PasswordChangeIn(BaseModel):
    """A professional's new server password; the current one proves it is them."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)

    @field_validator("current_password", "new_password")
    @classmethod
    def _password(cls, value: str) -> str:
        return _typed_password(value)


class ChangeIn(BaseModel):
    """One outbox entry. Only the envelope is checked here: a bad table, id or field value
    rejects this change alone (status ``rejected``), never the whole request."""

    model_config = ConfigDict(extra="ignore")

    change_id: str = Field(min_length=1, max_length=64)
    table: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64)
    base_version: int | None = None
    bases: dict[str, int] | None = Field(
        default=None, description="Per field, the version its author had seen"
    )
    fields: dict[str, Any] = Field(default_factory=dict)
    deleted: bool = False
    replay: bool = Field(
        default=False, description="Values the server held before a restore (with origins)"
    )
    origins: dict[str, int] | None = Field(
        default=None, description="Replay: each field's version before the restore"
    )
    seen: dict[str, Any] | None = Field(
        default=None, description="Per field, the value its author saw before changing it"
    )
    undelete: bool = Field(
        default=False, description="A supervisor puts back a record tombstoned by mistake"
    )


# Each change is checked on its own (``ChangeIn``): one that does not fit is refused alone
# (status ``rejected``, code ``invalid``), the others apply (sync invariant 8).
CHANGES = Field(
    default_factory=list,
    json_schema_extra={"items": {"$ref": "#/components/schemas/ChangeIn"}},
    description="Changes (ChangeIn), each checked on its own",
)


# A batch's change ids as one prefix: a change sent without ``change_id`` has the id
# "<change_prefix>.<its record id>" (unique: a batch holds one change per record at most).
CHANGE_PREFIX = Field(
    default=None,
    min_length=1,
    max_length=24,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    description="Changes without change_id have the id '<change_prefix>.<id>'",
)


class PushIn(BaseModel):
    changes: list[Any] = CHANGES
    change_prefix: str | None = CHANGE_PREFIX


class ChangeResult(BaseModel):
    change_id: str
    status: Literal["applied", "duplicate", "merged", "rejected"]
    version: int | None = None
    reason: str | None = None
    code: str | None = None
    previous_version: int | None = None
    lost_fields: list[str] = Field(default_factory=list)
    conflicts: list[dict[str, Any]] = Field(
        default_factory=list, description="Conflicts this change made: {id, version, fields}"
    )
    device: str | None = Field(
        default=None,
        description="Stored exactly as sent over the version the device held: the record's "
        "device as the server keeps it; the device holds the record whole at version",
    )


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


ChecksumKind = Literal["sorted", "sum"]
CHECKSUM_KIND = Field(
    default="sorted",
    description="sorted: SHA-256 of the sorted lines; sum: the additive checksum of the lines",
)


class SummaryOut(BaseModel):
    server_id: str
    server_max_version: int
    tables: dict[str, TableSummary]
    checksum_kind: ChecksumKind = "sorted"


class SummaryIn(BaseModel):
    exclude: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, description="Ids the device holds changes of its own for"
    )
    checksum_kind: ChecksumKind = CHECKSUM_KIND


class SyncIn(BaseModel):
    changes: list[Any] = CHANGES
    change_prefix: str | None = CHANGE_PREFIX
    since: int = Field(default=0, ge=0, le=MAX_VERSION)
    limit: int | None = Field(default=None, ge=0, le=MAX_VERSION)
    exclude: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list)
    # Leave out records whose current version this device's own push wrote as it sent them.
    skip_own: bool = False
    checksum_kind: ChecksumKind = CHECKSUM_KIND
    # False: no summary in the answer (a client that pushes a batch checks against a summary
    # it asks for once its outbox is empty, so this one would be made for nothing).
    summary: StrictBool = True


class RecordKey(BaseModel):
    table: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        if not is_identifier(value):
            raise ValueError("type de fiche invalide")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not is_token(value):
            raise ValueError("identifiant invalide")
        return value


class FetchIn(BaseModel):
    records: list[RecordKey] = Field(max_length=MAX_FETCH)


class FetchOut(BaseModel):
    records: list[RecordOut]
    server_max_version: int
    server_id: str


class DigestsIn(BaseModel):
    table: str = Field(min_length=1, max_length=64)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        if not is_identifier(value):
            raise ValueError("type de fiche invalide")
        return value


class DigestsOut(BaseModel):
    """``records``: ``[id, version, digest]`` of every record of the table the user may pull."""

    records: list[tuple[str, int, str]]
    server_max_version: int
    server_id: str


class SyncOut(BaseModel):
    """Push results, the first pull page and the summary, all read after the push."""

    results: list[ChangeResult]
    records: list[RecordOut]
    next: int
    more: bool
    summary: SummaryOut | None  # None when the request said ``"summary": false``
    server_max_version: int
    server_max_version_before: int  # before this request's push: restore detection
    server_id: str
