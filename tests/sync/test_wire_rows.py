"""The push reads records as rows: their wire JSON must be the one the model objects give."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlmodel import select

from van_app.core.db import add_in_dependency_order, session_scope
from van_app.core.demo import build_demo_records
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.sync.digests import fields_digest, record_digest, user_classes
from van_app.sync.wire import MODELS, record_fields
from van_app.sync.wire_rows import load_rows, row_fields


def test_rows_give_the_same_wire_values_and_digests_as_records(social_store: LocalStore) -> None:
    records = build_demo_records(reference(), dt.date(2026, 11, 19), social_store.device_id)
    with session_scope(social_store.engine) as session:
        add_in_dependency_order(session, records)
    classes = user_classes(["social_worker", "pmi_nurse", "supervisor"])
    compared: Counter[str] = Counter()
    with social_store.read_session() as session:
        for table, model in MODELS.items():
            objects = session.exec(select(model)).all()
            rows = load_rows(session, [(table, o.id) for o in objects])
            for record in objects:
                row = rows[(table, record.id)]
                assert row_fields(table, row) == record_fields(record), table
                some = sorted(record_fields(record))[::2]
                assert row_fields(table, row, some) == record_fields(record, set(some))
                assert fields_digest(table, row_fields(table, row), classes) == record_digest(
                    record, classes
                )
                compared[table] += 1
    # The demo holds people, both kinds of consultation, stops, answers, reviews…
    assert len(compared) >= 8, compared
