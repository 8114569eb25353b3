"""Data lifecycle across a real server and laptops: rectification, deletion on request, purge."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import create_engine
from sqlmodel import Session, select

from tests.sync.conftest import SyncServer, Van, add_person
from van_app.core.models import Beneficiary
from van_app.core.person_removal import delete_person_on_request
from van_app.core.rectification import IdentityForm, correct_identity, identity_form
from van_app.core.reference import reference


def rows(van: Van, model):  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return list(session.exec(select(model)).all())


def server_rows(server: SyncServer, sql: str, **params):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    engine = create_engine(server.database_url)
    try:
        with Session(engine) as session:
            return list(session.execute(text(sql), params).all())
    finally:
        engine.dispose()


def test_a_rectification_reaches_another_laptop_and_is_stamped_on_the_server(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    social, nurse = enrol("amartin"), enrol("bnguyen")
    person = add_person(social, birth_name="Achar", first="Josianne")
    social.sync()
    nurse.sync()
    ref, today = reference(), dt.date(2026, 12, 6)
    form = identity_form(nurse.store, person, ref)
    form.birth_name, form.first_names, form.phone = "Achard", "Josiane", "04 75 22 33 44"
    assert correct_identity(nurse.store, person, form, ref, today) == [
        "birth_name",
        "first_names",
        "phone",
    ]
    assert correct_identity(nurse.store, person, form, ref, today) == []  # nothing new
    assert nurse.sync().verified
    assert social.sync().verified
    [held] = rows(social, Beneficiary)
    assert (held.birth_name, held.first_names, held.phone) == (
        "Achard",
        "Josiane",
        "04 75 22 33 44",
    )
    # The audit: who changed each field, from which device (the server's field stamps).
    [(stamps,)] = server_rows(
        sync_server, "SELECT field_stamps FROM sync_record WHERE id = :id", id=person
    )
    stamps = json.loads(stamps) if isinstance(stamps, str) else stamps
    assert stamps["birth_name"][2] == nurse.username
    assert stamps["birth_date"][2] == social.username
    assert stamps["birth_name"][1] != stamps["birth_date"][1]  # the devices (server ids)


def test_a_refused_rectification_writes_nothing(enrol) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from van_app.core.validation import ValidationError

    social = enrol("amartin")
    person = add_person(social)
    with pytest.raises(ValidationError) as refused:
        correct_identity(
            social.store, person, IdentityForm(birth_name="", first_names="Josiane",
            birth_date="32/01/1950", sex="F"), reference(), dt.date(2026, 12, 6),
        )  # fmt: skip
    assert {"birth_name", "birth_date"} <= set(refused.value.errors)
    assert rows(social, Beneficiary)[0].birth_name == "Achard"


def test_a_deletion_on_request_is_audited_and_reaches_every_laptop(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    social, supervisor = enrol("amartin"), enrol("croux")
    person = add_person(social)
    social.sync()
    supervisor.sync()
    delete_person_on_request(supervisor.store, person)
    report = supervisor.sync()
    assert report.rejected == 0 and report.verified
    assert social.sync().verified
    assert [p.deleted for p in rows(social, Beneficiary)] == [True]
    events = server_rows(
        sync_server,
        "SELECT username, detail FROM audit_event WHERE action = 'person_deleted'",
    )
    assert [(u, person in str(d)) for u, d in events if person in str(d)] == [
        (supervisor.username, True)
    ]
