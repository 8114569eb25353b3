"""What the sync tests do again and again: edit as the app does, read a device or the server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from sync_server.core.db import make_engine
from sync_server.models import SyncRecord
from tests.sync.conftest import SyncServer, Van
from tests.sync.faults import FaultyProxy
from van_app.core.models import Beneficiary
from van_app.core.pmi import PmiForm, sign_pmi_consultation
from van_app.core.reference import reference
from van_app.sync.client import SyncClient

TODAY = dt.date.today()


def through(van: Van, proxy: FaultyProxy) -> Van:
    """The same laptop, its requests going through the faulty proxy."""
    van.client.close()
    van.client = SyncClient(proxy.url, van.client.token)
    return van


def edit(van: Van, person_id: str, field: str, value: Any, model: Any = Beneficiary) -> None:
    """Change one field of a record as a screen does (stamped, queued in the outbox)."""
    with van.store.session() as session:
        record = session.get(model, person_id)
        assert record is not None
        setattr(record, field, value)
        session.add(van.store.stamp(record))


def value(van: Van, record_id: str, field: str, model: Any = Beneficiary) -> Any:
    with van.store.session() as session:
        record = session.get(model, record_id)
        return None if record is None else getattr(record, field)


def rows(van: Van, model: Any) -> list[Any]:
    with van.store.session() as session:
        return list(session.exec(select(model)).all())


def record_pmi(van: Van, person_id: str, weight_g: int = 6300) -> str:
    """A signed PMI consultation of a baby, as the nurse's form writes it."""
    form = PmiForm(
        beneficiary_id=person_id, kind="child", duration_minutes=20, weight_g=weight_g,
        length_mm=620, head_circumference_mm=410, note="Bonne croissance.",
    )  # fmt: skip
    return sign_pmi_consultation(van.store, form, reference(), TODAY)


def foreign_keys_hold(van: Van) -> bool:
    with van.store.engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


class ServerDatabase:
    """The server's own database, read as an administrator would (the oracle's view)."""

    def __init__(self, server: SyncServer, cms_code: str) -> None:
        self.engine: Engine = make_engine(server.database_url)
        self.cms_code = cms_code  # tests sharing a server each work in a CMS of their own

    def records(self, table: str) -> dict[str, SyncRecord]:
        with Session(self.engine) as session:
            found = session.exec(
                select(SyncRecord).where(
                    SyncRecord.table_name == table, SyncRecord.cms_code == self.cms_code
                )
            ).all()
            return {r.id: r for r in found}

    def close(self) -> None:
        self.engine.dispose()
