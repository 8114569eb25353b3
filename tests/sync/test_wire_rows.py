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


def test_summaries_in_sqlite_equal_the_lines_made_in_python(social_store: LocalStore) -> None:
    """The verification's per-table count and checksum, whichever way they are made, for
    every reader, with stale, kept and left-out lines."""
    from van_app.sync.verify import Verifier

    records = build_demo_records(reference(), dt.date(2026, 11, 19), social_store.device_id)
    with session_scope(social_store.engine) as session:
        add_in_dependency_order(session, records)
    with session_scope(social_store.engine) as session:
        for number, model in enumerate(MODELS.values()):
            session.connection().exec_driver_sql(
                f"UPDATE {model.__tablename__} SET server_version = {number} + rowid "
                "WHERE rowid % 7 != 0"  # some never reached the server: not counted
            )
    left_out = {r.id for r in records[::11]}  # records with changes of the laptop's own
    roles_of = {
        "amartin": ["social_worker"],
        "bnguyen": ["pmi_nurse"],
        "croux": ["supervisor"],
    }
    for username, roles in roles_of.items():
        verifier = Verifier(username, roles)
        tables = verifier.tables()
        for round_ in range(3):  # first: every line stale; then kept; then some changed
            for kind in ("sorted", "sum"):
                with session_scope(social_store.engine) as session:
                    expected = verifier.summary(verifier.lines(session, tables, left_out), kind)
                    session.rollback()  # the lines made here are not kept
                with session_scope(social_store.engine) as session:
                    made = verifier.summaries(session, tables, left_out, kind)
                    assert made == expected, (username, round_, kind)
            with session_scope(social_store.engine) as session:
                session.connection().exec_driver_sql(
                    "UPDATE beneficiary SET server_version = server_version + 1000, "
                    "phone = '0475000000' WHERE rowid % 3 = 0 AND server_version IS NOT NULL"
                )


def test_a_push_batch_reads_the_outbox_through_its_index(social_store: LocalStore) -> None:
    """Each batch reads only the entries it sends (plus those in flight), never the whole
    outbox: a long day offline must not make every batch slower than the one before."""
    from sqlalchemy import event

    from van_app.sync.outgoing import Outgoing

    with social_store.session() as session:
        for n in range(30):
            session.add(social_store.stamp(_person(n)))
    statements: list[tuple[str, object]] = []

    def record(*args: object) -> None:  # conn, cursor, statement, parameters, context, many
        statement, parameters = str(args[2]), args[3]
        if statement.lstrip().upper().startswith("SELECT") and " outbox" in statement:
            statements.append((statement, parameters))

    event.listen(social_store.engine, "before_cursor_execute", record)
    try:
        with social_store.session() as session:
            assert len(Outgoing(social_store.user.username, 512_000, 10).next_batch(session)) == 10
    finally:
        event.remove(social_store.engine, "before_cursor_execute", record)
    chunk_reads = [(s, p) for s, p in statements if "ORDER BY outbox.seq" in s]
    assert chunk_reads, statements
    with social_store.engine.connect() as connection:
        for statement, parameters in chunk_reads:
            plan = [
                row[3]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            assert any("ix_outbox_leaving" in step for step in plan), plan
            assert not any(step.startswith("SCAN outbox") and "INDEX" not in step for step in plan)
            assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort either


def _person(n: int):  # type: ignore[no-untyped-def]
    from van_app.core.models import Beneficiary

    return Beneficiary(
        birth_name=f"Plan{n}", first_names="Essai", birth_date=dt.date(1980, 1, 1), sex="F",
        commune_insee="26113", author="", device="",
    )  # fmt: skip
