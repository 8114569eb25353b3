"""The real client against the real server: enrol, push, pull, verify, what each role gets."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.sync.conftest import Van, add_person
from van_app.core.models import Beneficiary, FollowUp, SocialConsultation
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.core.social import sign_social_consultation
from van_app.core.social_form import FollowUpInput, SocialForm
from van_app.sync.client import DeviceNotAuthorizedError, SyncClient, UpdateRequiredError

TODAY = dt.date.today()
NOTE = "Dossier FSL énergie préparé avec la personne."


def record_consultation(van: Van, person: str) -> str:
    form = SocialForm(
        beneficiary_id=person,
        consultation_date=TODAY,
        arrival_mode="town_hall_poster",
        demand_types=["energy"],
        outcome="follow_up_opened",
        note=NOTE,
        follow_ups=[FollowUpInput("energy", TODAY + dt.timedelta(days=14))],
    )
    return sign_social_consultation(van.store, None, reference(), TODAY, form)


def rows(van: Van, model):  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return list(session.exec(select(model)).all())


def test_a_day_goes_to_the_cms_and_each_role_gets_what_it_may_read(enrol) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    person = add_person(van, "Dupré", "Hélène", phone="0475000000")
    consultation = record_consultation(van, person)

    report = van.sync()
    assert report.verified and report.rejected == 0
    assert report.pushed == 3  # person, consultation, follow-up: each once
    assert rows(van, OutboxEntry) == []
    assert all(c.server_version for c in rows(van, SocialConsultation))

    quiet = van.sync()
    assert quiet.verified and quiet.requests == 1 and quiet.pushed == quiet.pulled == 0

    supervisor = enrol("croux")
    assert supervisor.sync().verified
    [seen] = rows(supervisor, SocialConsultation)
    assert (seen.id, seen.note, seen.demand_types) == (consultation, NOTE, ["energy"])
    assert len(rows(supervisor, FollowUp)) == 1

    nurse = enrol("bnguyen")
    assert nurse.sync().verified
    [visit] = rows(nurse, SocialConsultation)
    assert visit.consultation_date == TODAY  # the visit is known to the team (class S)…
    assert (
        visit.note == "" and visit.demand_types == [] and visit.outcome is None
    )  # …not its content
    assert all(f.demand_type == "" and f.note == "" for f in rows(nurse, FollowUp))
    [known] = rows(nurse, Beneficiary)
    assert known.phone == "0475000000"

    elsewhere = enrol("dvalence")
    assert elsewhere.sync().verified
    assert rows(elsewhere, Beneficiary) == [] and rows(elsewhere, SocialConsultation) == []


def test_different_fields_merge_and_the_same_field_has_one_winner_everywhere(enrol) -> None:  # type: ignore[no-untyped-def]
    first, second = enrol("amartin"), enrol("croux")
    person = add_person(first)
    first.sync()
    second.sync()
    with first.store.session() as session:
        record = session.get(Beneficiary, person)
        record.phone = "0475111111"
        record.usual_name = "Martin"
        first.store.stamp(record)
        session.add(record)
    with second.store.session() as session:
        record = session.get(Beneficiary, person)
        record.birthplace = "Die"
        record.usual_name = "Roux"
        second.store.stamp(record)  # written later: the later change wins the same field
        session.add(record)
    for van in (first, second, first, second):
        van.sync()
    for van in (first, second):
        [merged] = rows(van, Beneficiary)
        assert (merged.phone, merged.birthplace, merged.usual_name) == ("0475111111", "Die", "Roux")
    assert first.sync().verified and second.sync().verified


def test_a_refused_change_is_kept_with_its_reason_and_does_not_block_the_rest(enrol) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    person = add_person(van)
    consultation = record_consultation(van, person)
    van.sync()
    with van.store.session() as session:  # a signed consultation changed behind the rules
        record = session.get(SocialConsultation, consultation)
        record.note = "Réécrite après signature."
        session.add(van.store.stamp(record))
    add_person(van, "Faure", "Marcel")
    report = van.sync()
    assert report.rejected == 1 and report.pushed == 1
    [refused] = rows(van, OutboxEntry)
    assert refused.rejected_code == "signed" and "sign" in refused.rejected_reason
    [kept] = [c for c in rows(van, SocialConsultation)]
    assert kept.note == "Réécrite après signature."  # what was typed is still there to act on


def test_revoked_device_and_old_client_get_clear_french_errors(enrol, sync_server) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    van.sync()
    devices = sync_server.admin("list-devices", van.username)
    device_id = next(
        word for line in devices.splitlines() for word in line.split() if len(word) == 36
    )
    sync_server.admin("revoke-device", device_id)
    with pytest.raises(DeviceNotAuthorizedError) as refused:
        van.sync()
    assert "poste" in str(refused.value).lower()

    old = SyncClient(sync_server.url, van.client.token)
    old._http.headers["X-Protocol-Version"] = "0"
    with pytest.raises(UpdateRequiredError, match="mise à jour"):
        old.summary()
    old.close()


def test_a_consultation_can_arrive_before_its_person_edited_later(enrol) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    person = add_person(van)
    consultation = record_consultation(van, person)
    van.sync()
    with van.store.session() as session:  # the person now has a newer version than the visit
        record = session.get(Beneficiary, person)
        record.phone = "0475222222"
        session.add(van.store.stamp(record))
    van.sync()
    supervisor = enrol("croux")
    report = supervisor.sync(page_size=1)  # the visit comes pages before its person
    assert report.verified
    with supervisor.store.session() as session:
        assert session.get(SocialConsultation, consultation).beneficiary_id == person
        assert session.get(Beneficiary, person).phone == "0475222222"
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_on_a_shared_laptop_each_change_goes_with_its_authors_token(enrol, tmp_path) -> None:  # type: ignore[no-untyped-def]
    van = enrol("amartin")
    nurse_van = enrol("bnguyen")  # only to create the nurse's account and device on the server
    nurse = nurse_van.username
    nurse_van.close()
    van.store.add_user(
        username=nurse,
        password="Infirmiere-2026",
        display_name="Binh Nguyen",
        roles=["pmi_nurse"],
        cms_code=van.store.user.cms_code,
    )
    theirs = add_person(van, "Roux")
    with van.store.session() as session:  # written by the nurse on this laptop earlier
        record = session.get(Beneficiary, theirs)
        record.author = nurse
        session.add(record)
    mine = add_person(van, "Faure")
    report = van.sync()
    assert report.rejected == 0 and report.pushed == 1 and report.verified
    with van.store.session() as session:
        waiting = session.exec(select(OutboxEntry)).all()
    assert [e.record_id for e in waiting] == [theirs]  # waits for the nurse's own sync
    assert mine != theirs


def test_a_sync_that_pushes_has_the_server_make_one_summary_not_two(enrol, sync_server) -> None:  # type: ignore[no-untyped-def]
    """The combined call's summary is only used when nothing leaves: with a batch, the laptop
    asks the server not to make it, and checks against the one it asks for at the end."""
    from sqlalchemy import create_engine, text

    def summaries_made() -> int:
        engine = create_engine(sync_server.database_url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        text(
                            "SELECT count(*) FROM audit_event "
                            "WHERE action = 'summary' AND username = :user"
                        ),
                        {"user": van.username},
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    van = enrol("amartin")
    add_person(van, "Dupré", "Hélène")
    report = van.sync()
    assert report.verified and report.pushed == 1
    assert summaries_made() == 1  # the final check's only
    quiet = van.sync()
    assert quiet.verified and quiet.requests == 1
    assert summaries_made() == 2  # nothing left: the combined call's summary is the check
