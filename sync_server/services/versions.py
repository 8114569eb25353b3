"""The server id and the version counter every write takes its versions from."""

from __future__ import annotations

from sqlalchemy.orm.attributes import set_attribute
from sqlmodel import Session, select

from sync_server.models import ServerMeta


def ensure_server_meta(session: Session) -> ServerMeta:
    """Created with the database: a random server id and a counter at 0."""
    meta = session.get(ServerMeta, 1)
    if meta is None:
        meta = ServerMeta(id=1)
        session.add(meta)
        session.flush()
    return meta


def read_meta(session: Session) -> ServerMeta:
    meta = session.get(ServerMeta, 1)
    if meta is None:
        raise RuntimeError("server_meta missing: run migrations first")
    return meta


class VersionCounter:
    """Locks the counter row for the rest of the transaction and hands out versions.

    ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction already holds the write
    lock (BEGIN IMMEDIATE). Either way the transactions that take versions commit one after
    the other, in version order, so a pull cursor never skips a change (invariant 4).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.meta = session.exec(
            select(ServerMeta)
            .where(ServerMeta.id == 1)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()

    @property
    def server_id(self) -> str:
        return self.meta.server_id

    @property
    def current(self) -> int:
        return self.meta.max_version

    def next(self) -> int:
        """The next version (the row is in the session: written at the flush, once)."""
        version = self.meta.max_version + 1
        # As SQLModel's setattr does first (the ORM's change tracking), without the model's
        # own bookkeeping after it: a push takes one version per record.
        set_attribute(self.meta, "max_version", version)
        return version
