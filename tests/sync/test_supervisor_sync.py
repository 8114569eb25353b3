"""What the supervisor's work needs from sync: conflicts reach her, her choices reach everyone."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from tests.sync.conftest import Van, add_person
from van_app.core.models import Beneficiary, SyncConflict, TourPattern, TourStop
from van_app.core.outbox import OutboxEntry
from van_app.core.person_removal import restore_person


def rows(van: Van, model):  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        return list(session.exec(select(model)).all())


def edit_person(van: Van, person_id: str, **values) -> None:  # type: ignore[no-untyped-def]
    with van.store.session() as session:
        record = session.get(Beneficiary, person_id)
        for name, value in values.items():
            setattr(record, name, value)
        session.add(van.store.stamp(record))


def test_a_same_field_conflict_reaches_the_supervisor_and_her_choice_syncs_everywhere(
    enrol,  # type: ignore[no-untyped-def]
) -> None:
    social, nurse, supervisor = enrol("amartin"), enrol("bnguyen"), enrol("croux")
    person = add_person(social, phone="0475000000")
    social.sync()
    nurse.sync()
    edit_person(social, person, phone="0475111111")
    edit_person(nurse, person, phone="0475222222")  # later: wins the field
    social.sync()
    nurse.sync()
    social.sync()
    assert [p.phone for p in rows(social, Beneficiary)] == ["0475222222"]
    assert rows(social, SyncConflict) == []  # the CMS's conflicts go to supervisors only;
    # the nurse's laptop keeps the one its push made, to send back if a restore loses it
    assert [(c.record_id, c.field) for c in rows(nurse, SyncConflict)] == [(person, "phone")]

    assert supervisor.sync().verified
    [conflict] = rows(supervisor, SyncConflict)
    assert (conflict.table, conflict.record_id, conflict.field) == ("beneficiary", person, "phone")
    assert (conflict.kept_value, conflict.other_value) == ("0475222222", "0475111111")
    assert conflict.other_author == social.username and conflict.kept_author == nurse.username

    # She picks the losing value: an ordinary change of the field, and the conflict's tombstone.
    edit_person(supervisor, person, phone=conflict.other_value)
    with supervisor.store.session() as session:
        settled = session.get(SyncConflict, conflict.id)
        settled.deleted = True
        session.add(supervisor.store.stamp(settled))
    report = supervisor.sync()
    assert report.rejected == 0 and report.pushed == 2 and report.verified
    assert rows(supervisor, OutboxEntry) == []
    for van in (social, nurse):
        assert van.sync().verified
        assert [p.phone for p in rows(van, Beneficiary)] == ["0475111111"]
    assert [c.deleted for c in rows(supervisor, SyncConflict)] == [True]
    assert supervisor.sync().verified


def test_a_repeating_stop_planned_at_the_cms_reaches_every_van(enrol) -> None:  # type: ignore[no-untyped-def]
    supervisor, social, nurse = enrol("croux"), enrol("amartin"), enrol("bnguyen")
    cms = supervisor.store.user.cms_code
    with supervisor.store.session() as session:
        pattern = supervisor.store.stamp(
            TourPattern(
                commune_insee="26113", weekday=1, week_of_month=2,
                first_date=dt.date(2026, 12, 1), start_time=dt.time(9, 30),
                end_time=dt.time(12), place="Salle des fêtes", services="both",
                skipped_dates=["2027-01-12"], cms_code=cms, author="", device="",
            )
        )  # fmt: skip
        session.add(pattern)
        for day in (dt.date(2026, 12, 8), dt.date(2027, 2, 9)):
            session.add(
                supervisor.store.stamp(
                    TourStop(
                        commune_insee="26113", stop_date=day, start_time=dt.time(9, 30),
                        end_time=dt.time(12), place="Salle des fêtes", services="both",
                        cms_code=cms, pattern_id=pattern.id, author="", device="",
                    )
                )
            )  # fmt: skip
    assert supervisor.sync().pushed == 3
    for van in (social, nurse):
        assert van.sync().verified
        [received] = rows(van, TourPattern)
        assert received.skipped_dates == ["2027-01-12"]
        stops = sorted(rows(van, TourStop), key=lambda s: s.stop_date)
        assert [s.stop_date for s in stops] == [dt.date(2026, 12, 8), dt.date(2027, 2, 9)]
        assert {s.pattern_id for s in stops} == {received.id}

    # A van cannot plan the tour: the server refuses, the van keeps the change and says why.
    with social.store.session() as session:
        stop = session.exec(select(TourStop)).first()
        stop.place = "Parking de l'église"
        session.add(social.store.stamp(stop))
    assert social.sync().rejected == 1
    [refused] = rows(social, OutboxEntry)
    assert refused.rejected_reason


def test_only_the_author_or_the_supervisor_deletes_a_person_and_she_can_put_it_back(
    enrol,  # type: ignore[no-untyped-def]
) -> None:
    social, nurse, supervisor = enrol("amartin"), enrol("bnguyen"), enrol("croux")
    person = add_person(social)
    assert social.sync().verified and nurse.sync().verified and supervisor.sync().verified
    with nurse.store.session() as session:  # the nurse's laptop tries: the server refuses
        record = session.get(Beneficiary, person)
        record.deleted = True
        session.add(nurse.store.stamp(record))
    report = nurse.sync()
    assert report.rejected == 1
    [(_, why)] = rejected_reasons(nurse)
    assert "responsable du CMS" in why
    with supervisor.store.session() as session:
        record = session.get(Beneficiary, person)
        record.deleted = True
        session.add(supervisor.store.stamp(record))
    assert supervisor.sync().verified and social.sync().verified
    assert [p.deleted for p in rows(social, Beneficiary)] == [True]
    restore_person(supervisor.store, person)
    assert supervisor.sync().verified and social.sync().verified
    assert [p.deleted for p in rows(social, Beneficiary)] == [False]
    edit_person(social, person, phone="0475333333")  # alive again: edits go through
    assert social.sync().verified and supervisor.sync().verified
    assert [p.phone for p in rows(supervisor, Beneficiary)] == ["0475333333"]


def rejected_reasons(van: Van) -> list[tuple[str, str]]:
    from van_app.core.outbox import rejected_changes

    with van.store.session() as session:
        return rejected_changes(session)
