"""Records that cannot be served: set aside at once, repaired by the administrator or at upgrade.

Since every string is checked at the door (``text.py``), a record the server cannot serialise
should never exist; one written by an older server, or by a bug, must still never stop anyone
else's pull. A pull or fetch that meets one sets it aside (``SyncRecord.quarantined``,
audited) and serves the rest; ``van-sync-server quarantine`` lists them and ``--repair``
cleans their strings (a lone surrogate becomes U+FFFD, a control character is dropped) and
serves them again with a new version. At start, an upgraded server checks every stored record
once and repairs what it finds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from sync_server.core.db import session_scope
from sync_server.models import SyncRecord, utcnow
from sync_server.services.audit import audit
from sync_server.services.digests import class_digests
from sync_server.services.versions import VersionCounter, read_meta
from sync_server.wire_schema import TableSpec

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BATCH = 500


def unservable(fields: Mapping[str, Any]) -> str | None:
    """Why these fields cannot be sent in an answer (or stored on PostgreSQL), or None."""
    try:
        text = json.dumps(fields, ensure_ascii=False)
        text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError):
        return "caractère Unicode invalide"
    if "\\u0000" in text:
        return "caractère nul"
    return None


def cleaned(value: Any) -> Any:
    """The value with lone surrogates replaced and control characters removed."""
    if isinstance(value, str):
        return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    if isinstance(value, dict):
        return {cleaned(str(key)): cleaned(item) for key, item in value.items()}
    return value


def set_aside(engine: Engine, rows: Iterable[tuple[str, str, str]]) -> None:
    """Quarantine (table, id, reason) records met while serving; audited."""
    rows = list(rows)
    if not rows:
        return
    with session_scope(engine, write=True) as session:
        for table_name, record_id, reason in rows:
            record = session.get(SyncRecord, (table_name, record_id))
            if record is not None and record.quarantined is None:
                record.quarantined = reason[:200]
                session.add(record)
        audit(session, "record_quarantined", records=[[t, i, r] for t, i, r in rows])


def quarantined(session: Session) -> list[SyncRecord]:
    return list(
        session.exec(
            select(SyncRecord)
            .where(col(SyncRecord.quarantined).is_not(None))
            .order_by(col(SyncRecord.version))
        ).all()
    )


def repair(
    session: Session,
    schema: Mapping[str, TableSpec],
    records: Iterable[SyncRecord],
    operator: str | None,
) -> int:
    """Clean the records' strings, serve them again with a new version; how many."""
    counter: VersionCounter | None = None
    repaired = []
    for record in records:
        counter = counter or VersionCounter(session)
        record.fields = cleaned(dict(record.fields))
        record.version = counter.next()
        record.field_versions = dict.fromkeys(record.fields, record.version)
        if record.table_name in schema:
            record.digests = class_digests(schema[record.table_name], record.fields)
        record.quarantined = None
        record.updated_at = utcnow()
        session.add(record)
        repaired.append([record.table_name, record.id])
    if repaired:
        audit(session, "record_repaired", username=operator, records=repaired)
    return len(repaired)


def check_stored_strings(engine: Engine, schema: Mapping[str, TableSpec]) -> int:
    """Once per database: find and repair the records an older server stored unchecked."""
    with session_scope(engine) as session:
        if read_meta(session).strings_checked_at is not None:
            return 0
    found = 0
    last: tuple[str, str] = ("", "")
    while True:
        with session_scope(engine) as session:
            rows = session.exec(
                select(SyncRecord.table_name, SyncRecord.id, SyncRecord.fields)
                .where(
                    (col(SyncRecord.table_name) > last[0])
                    | ((SyncRecord.table_name == last[0]) & (col(SyncRecord.id) > last[1]))
                )
                .order_by(col(SyncRecord.table_name), col(SyncRecord.id))
                .limit(BATCH)
            ).all()
        if not rows:
            break
        last = (rows[-1][0], rows[-1][1])
        bad = [(t, i) for t, i, fields in rows if unservable(fields) or fields != cleaned(fields)]
        if bad:
            with session_scope(engine, write=True) as session:
                records = [session.get(SyncRecord, key) for key in bad]
                found += repair(session, schema, [r for r in records if r], "upgrade")
    with session_scope(engine, write=True) as session:
        meta = read_meta(session)
        meta.strings_checked_at = utcnow()
        session.add(meta)
    return found
