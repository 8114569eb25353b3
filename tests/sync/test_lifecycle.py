"""Data lifecycle across a real server and laptops: rectification, deletion on request, purge."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from tests.factories import add_social_consultation, add_stop
from tests.sync.conftest import SyncServer, Van, add_person
from van_app.core.lifecycle import upcoming_purge
from van_app.core.models import Beneficiary, SocialConsultation
from van_app.core.outbox import OutboxEntry
from van_app.core.person_removal import delete_person_on_request
from van_app.core.rectification import IdentityForm, correct_identity, identity_form
from van_app.core.reference import reference
from van_app.core.work_in_progress import WorkInProgress


def rows(van: Van, model):  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return list(session.exec(select(model)).all())


def server_rows(server: SyncServer, sql: str, **params):  # type: ignore[no-untyped-def]
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


# -- the purge ---------------------------------------------------------------------------------

LATER = "2029-01-15"  # the purge's day: everything registered today is past 24 months


def _store_rows(van: Van, sql: str) -> list:  # type: ignore[type-arg]
    with van.store.session() as session:
        return list(session.execute(text(sql)).all())


def _stop(supervisor: Van, social: Van) -> str:
    """A stop of the tour (the supervisor plans them), known on the social worker's laptop."""
    stop = add_stop(supervisor.store, dt.date(2026, 12, 1), cms_code=supervisor.store.user.cms_code)
    assert supervisor.sync().rejected == 0
    social.sync()
    return stop


def test_a_person_past_the_period_is_purged_everywhere(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    _purge_end_to_end(enrol, sync_server)


def test_the_purge_on_postgresql(pg_enrol, pg_sync_server: SyncServer) -> None:  # type: ignore[no-untyped-def]
    _purge_end_to_end(pg_enrol, pg_sync_server)


def _purge_end_to_end(enrol, sync_server: SyncServer) -> None:  # type: ignore[no-untyped-def]
    social, supervisor = enrol("amartin"), enrol("croux")
    gone = add_person(social, birth_name="Zébulonne", first="Quentine")
    open_one = add_person(social, birth_name="Achard", first="Josiane")
    stop = _stop(supervisor, social)
    add_social_consultation(social.store, open_one, stop, dt.date(2026, 12, 1))  # a draft
    add_social_consultation(
        social.store, gone, stop, dt.date(2026, 12, 1), status="signed",
        signed_at=dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC),
    )  # fmt: skip
    report = social.sync()
    assert report.rejected == 0, report
    assert supervisor.sync().verified

    listed = sync_server.admin("purge", "--dry-run", "--today", LATER)
    cms = social.store.user.cms_code
    assert f"  {cms:<12} 1 personne(s)" in listed.splitlines()  # the draft keeps the other
    with supervisor.store.read_session() as session:
        upcoming = upcoming_purge(session, dt.date(2028, 12, 20))
    assert [u.person_id for u in upcoming] == [gone]
    out = sync_server.admin("purge", "--today", LATER)
    assert f"  {cms:<12} 1 personne(s)" in out.splitlines()

    for van in (social, supervisor):
        assert van.sync().verified
        ids = {p.id for p in rows(van, Beneficiary)}
        assert ids == {open_one}
        assert [c.beneficiary_id for c in rows(van, SocialConsultation)] == [open_one]
        assert _store_rows(van, "SELECT rowid FROM beneficiary_fts WHERE beneficiary_fts "
                           "MATCH 'zebulonne'") == []  # fmt: skip
        words = {w for (w,) in _store_rows(van, "SELECT word FROM beneficiary_fts_word")}
        assert "zebulonne" not in words and "quentine" not in words and "achard" in words
        blobs = b"".join(b for (b,) in _store_rows(van, "SELECT block FROM beneficiary_fts_data"))
        assert b"zebulonne" not in blobs and b"achard" in blobs
        assert _store_rows(van, "PRAGMA freelist_count") == [(0,)]  # VACUUM ran
    # On the server: only ids and versions remain of her and what hung on her.
    erased = server_rows(
        sync_server,
        "SELECT table_name, deleted, fields, purged_at FROM sync_record WHERE id IN (:a, :b)",
        a=gone,
        b=rows(social, SocialConsultation)[0].id,
    )
    for table_name, deleted, fields, purged_at in erased:
        fields = json.loads(fields) if isinstance(fields, str) else fields
        if table_name == "beneficiary":
            assert deleted and fields == {} and purged_at is not None
    [(fields,)] = server_rows(sync_server, "SELECT fields FROM sync_record WHERE id = :a", a=gone)
    assert "Zébulonne" not in str(fields) and "Zebulonne" not in str(fields)
    # Nothing more to take, and she is not counted again.
    assert f"  {cms:<12}" not in sync_server.admin("purge", "--today", LATER)


def test_a_deletion_on_request_takes_what_hangs_on_her_at_the_purge(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    social, supervisor = enrol("amartin"), enrol("croux")
    person = add_person(social, birth_name="Achard", first="Josiane")
    stop = _stop(supervisor, social)
    add_social_consultation(social.store, person, stop, dt.date(2026, 12, 1))
    assert social.sync().rejected == 0
    supervisor.sync()
    delete_person_on_request(supervisor.store, person)
    assert supervisor.sync().verified
    sync_server.admin("purge")  # today: only the deletion's consequences
    for van in (social, supervisor):
        assert van.sync().verified
        assert rows(van, Beneficiary) == [] and rows(van, SocialConsultation) == []
    [(fields, purged)] = server_rows(
        sync_server, "SELECT fields, purged_at FROM sync_record WHERE id = :a", a=person
    )
    assert fields in ({}, "{}") and purged is not None


def test_the_purge_deletes_old_audit_events(sync_server: SyncServer) -> None:
    sync_server.admin("list-users")
    engine = create_engine(sync_server.database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (at, action, detail) VALUES "
                "(:old, 'old_one', '{}'), (:recent, 'recent_one', '{}')"
            ),
            {"old": dt.datetime(2027, 12, 1), "recent": dt.datetime(2028, 12, 1)},
        )
    engine.dispose()
    out = sync_server.admin("purge", "--today", LATER)
    assert "événement(s) du journal d'audit supprimé(s)" in out
    actions = {a for (a,) in server_rows(sync_server, "SELECT action FROM audit_event")}
    assert "old_one" not in actions and "recent_one" in actions and "purge" in actions


def test_an_edit_waiting_on_a_laptop_does_not_bring_a_purged_person_back(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    social, nurse = enrol("amartin"), enrol("bnguyen")
    person = add_person(social, birth_name="Zébulonne", first="Quentine")
    social.sync()
    nurse.sync()
    with nurse.store.session() as session:  # typed offline, before the purge
        record = session.get(Beneficiary, person)
        record.phone = "04 75 00 00 00"
        session.add(nurse.store.stamp(record))
    sync_server.admin("purge", "--today", LATER)
    report = nurse.sync()
    assert report.rejected == 1  # shown to the user, not dropped (invariant 1)
    [(deleted, fields)] = server_rows(
        sync_server, "SELECT deleted, fields FROM sync_record WHERE id = :a", a=person
    )
    assert deleted and fields in ({}, "{}")
    with nurse.store.session() as session:
        assert session.get(Beneficiary, person).deleted  # kept while its refusal is shown
    assert social.sync().verified and rows(social, Beneficiary) == []
    with nurse.store.session() as session:  # once the refusal is gone, so is the row
        for entry in session.exec(select(OutboxEntry)).all():
            session.delete(entry)
    assert nurse.sync().verified
    assert rows(nurse, Beneficiary) == []
    assert _store_rows(nurse, "PRAGMA freelist_count") == [(0,)]


def test_a_consultation_typed_offline_for_a_purged_person_goes_at_the_next_purge(
    enrol,  # type: ignore[no-untyped-def]
    sync_server: SyncServer,
) -> None:
    social, supervisor = enrol("amartin"), enrol("croux")
    stop = _stop(supervisor, social)
    person = add_person(social, birth_name="Zébulonne", first="Quentine")
    social.sync()
    consultation = add_social_consultation(social.store, person, stop, dt.date(2026, 12, 1))
    with social.store.session() as session:
        session.add(
            WorkInProgress(username=social.username, key=f"social:{consultation}", title="x")
        )
    sync_server.admin("purge", "--today", LATER)  # before the draft reached the server
    assert social.sync().rejected == 0
    # Pulled pages are stored without foreign-key checks: she goes, her draft stays (its
    # refusal-free push made it a record of the server) until the next purge takes it.
    assert rows(social, Beneficiary) == [] and len(rows(social, SocialConsultation)) == 1
    sync_server.admin("purge", "--today", LATER)  # the draft hangs on a purged person
    for van in (social, supervisor):
        assert van.sync().verified
        assert rows(van, Beneficiary) == [] and rows(van, SocialConsultation) == []
    assert rows(social, WorkInProgress) == []
    [(deleted, fields)] = server_rows(
        sync_server, "SELECT deleted, fields FROM sync_record WHERE id = :a", a=consultation
    )
    assert deleted and fields in ({}, "{}")
