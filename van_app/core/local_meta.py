"""Device-local facts kept in the encrypted database and never synced (device id, cursors)."""

from __future__ import annotations

from sqlmodel import Field, Session, SQLModel, select


class LocalMeta(SQLModel, table=True):
    __tablename__ = "local_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=4000)


def get_meta(session: Session, key: str) -> str | None:
    row = session.exec(select(LocalMeta).where(LocalMeta.key == key)).first()
    return None if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(LocalMeta, key)
    if row is None:
        session.add(LocalMeta(key=key, value=value))
    else:
        row.value = value
        session.add(row)
