"""Per-field server versions on this device: what each value's author had seen.

A record's ``server_version`` is the version of the state this device last took from the
server. A field may lag behind it: a value typed here and not yet accepted keeps the version
its author saw (a pull never makes a pending field look seen), and a field accepted by the
server while others changed the record stays at the version of that acceptance. Those
exceptions, rare and short-lived, live here, one row per record; every other field is at
``server_version``. No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import JSON
from sqlmodel import Field, Session, SQLModel, col, select


class FieldVersions(SQLModel, table=True):
    """The fields of one record whose version differs from the record's ``server_version``."""

    __tablename__ = "sync_field_version"

    record_id: str = Field(primary_key=True, max_length=36)
    record_table: str = Field(max_length=64)
    versions: dict[str, int | None] = Field(default_factory=dict, sa_type=JSON)


def load_field_versions(session: Session, ids: Iterable[str]) -> dict[str, FieldVersions]:
    """The exception rows of these records, by record id (absent: no exception)."""
    wanted = sorted(set(ids))
    rows: dict[str, FieldVersions] = {}
    for start in range(0, len(wanted), 500):
        for row in session.exec(
            select(FieldVersions).where(
                col(FieldVersions.record_id).in_(wanted[start : start + 500])
            )
        ).all():
            rows[row.record_id] = row
    return rows
