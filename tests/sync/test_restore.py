"""A server restored from a backup older than some of the vans' work: every device recovers.

Three laptops (social worker, PMI nurse, supervisor) work before and after a backup, with
everything synced everywhere; then the server is restored from the backup and the laptops
sync again in every order. Whatever the order and however the restore was noticed (the
administrator's ``mark-restored``, the server's own high-water mark, or a laptop's cursor
ahead of the server): nothing is lost, nothing is duplicated, no conflict is invented, every
record has its true author, and every laptop's foreign keys hold.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.sync.conftest import SyncServer, Van, add_person
from tests.sync.helpers import (
    TODAY,
    ServerDatabase,
    edit,
    foreign_keys_hold,
    record_pmi,
    rows,
    value,
)
from tests.sync.test_contract import record_consultation
from van_app.core.conflicts import settle_conflict
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SocialConsultation,
    SyncConflict,
)
from van_app.core.outbox import OutboxEntry

ORDERS = [
    ("social", "nurse", "supervisor"),
    ("supervisor", "nurse", "social"),
    ("nurse", "supervisor", "social"),
]


def backup(server: SyncServer) -> Path:
    database = Path(server.database_url.removeprefix("sqlite:///"))
    copy = database.with_name("backup.db")
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def restore(server: SyncServer, copy: Path, *, forget_high_water: bool = False) -> None:
    """What the administrator does: stop the server, put the backup back."""
    server.kill()
    database = Path(server.database_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    copy.rename(database)
    if forget_high_water:
        Path(f"{database}.high-water.json").unlink(missing_ok=True)


def everyone(vans: dict[str, Van], order: tuple[str, ...] = ("social", "nurse", "supervisor")):  # type: ignore[no-untyped-def]
    return [vans[name].sync() for name in order]


# A laptop notices a restore alone only when its cursor is ahead of the server: the one whose
# work came last syncs first (docs/server.md says to run the command).
CASES = [(noticed, order) for noticed in ("command", "high_water") for order in ORDERS]
CASES.append(("device", ORDERS[0]))


@pytest.mark.parametrize(("noticed_by", "order"), CASES)
def test_every_device_recovers_a_restore_whatever_the_order(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer, order: tuple[str, ...], noticed_by: str
) -> None:
    vans = {"social": enrol("amartin"), "nurse": enrol("bnguyen"), "supervisor": enrol("croux")}
    social, nurse = vans["social"], vans["nurse"]
    kept_person = add_person(social, "Avant", phone="0475000000")
    kept_visit = record_consultation(social, kept_person)
    assert all(r.verified for r in everyone(vans))
    copy = backup(sync_server)

    # Work after the backup, synced everywhere: the restore will lose it on the server.
    baby = add_person(nurse, "Bébé", "Léo", sex="M", birth_date=TODAY - dt.timedelta(days=120))
    baby_visit = record_pmi(nurse, baby)
    edit(social, kept_person, "phone", "0475999999")
    late_person = add_person(social, "Après")
    late_visit = record_consultation(social, late_person)
    edit(nurse, kept_person, "birthplace", "Nyons")
    for _ in range(2):
        assert all(r.verified for r in everyone(vans))
    # And work not yet synced when the server goes back.
    edit(social, late_person, "usual_name", "Faure")

    restore(sync_server, copy, forget_high_water=noticed_by == "device")
    if noticed_by == "command":
        sync_server.admin("mark-restored")
    sync_server.start()

    first = [vans[name].sync() for name in order]
    assert any(r.restored_server for r in first)
    reports = [vans[name].sync() for name in order]
    assert all(r.verified for r in reports), [r.mismatches for r in reports]

    server = ServerDatabase(sync_server, social.store.user.cms_code)
    try:
        people = server.records("beneficiary")
        assert set(people) == {kept_person, baby, late_person}  # none lost, none twice
        assert people[baby].author == nurse.username  # its true author, whoever sent it back
        assert people[late_person].author == social.username
        assert people[kept_person].fields["phone"] == "0475999999"
        assert people[kept_person].fields["birthplace"] == "Nyons"
        assert people[late_person].fields["usual_name"] == "Faure"
        assert set(server.records("social_consultation")) == {kept_visit, late_visit}
        assert set(server.records("pmi_consultation")) == {baby_visit}
        assert server.records("sync_conflict") == {}  # nothing invented
    finally:
        server.close()
    for van in vans.values():
        assert rows(van, OutboxEntry) == []  # nothing stranded "en attente"
        assert foreign_keys_hold(van)
        assert {p.id for p in rows(van, Beneficiary)} == {kept_person, baby, late_person}
        assert value(van, kept_person, "phone") == "0475999999"
    assert {c.id for c in rows(vans["supervisor"], SocialConsultation)} == {kept_visit, late_visit}
    assert {c.id for c in rows(nurse, PmiConsultation)} == {baby_visit}


def test_a_conflict_the_restore_lost_comes_back_from_the_laptop_that_made_it(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    """Two laptops changed one phone; the server kept the later value and recorded the other
    as a conflict; the server is restored before the supervisor pulled it."""
    vans = {"social": enrol("amartin"), "nurse": enrol("bnguyen"), "supervisor": enrol("croux")}
    social, nurse, supervisor = vans["social"], vans["nurse"], vans["supervisor"]
    person = add_person(social, phone="0475000000")
    assert all(r.verified for r in everyone(vans))
    copy = backup(sync_server)
    edit(social, person, "phone", "0475111111")
    edit(nurse, person, "phone", "0475222222")  # later: kept
    assert social.sync().verified and nurse.sync().verified and social.sync().verified
    restore(sync_server, copy)
    sync_server.start()
    for van in (social, nurse, supervisor, social, nurse):
        van.sync()
    assert supervisor.sync().verified
    [conflict] = [c for c in rows(supervisor, SyncConflict) if not c.deleted]
    assert (conflict.kept_value, conflict.other_value) == ("0475222222", "0475111111")
    assert value(supervisor, person, "phone") == value(social, person, "phone") == "0475222222"


@pytest.mark.parametrize("noticed_by", ["command", "high_water"])
def test_a_backup_older_than_an_earlier_restore_loses_nothing(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer, noticed_by: str
) -> None:
    """Restored once (marked), worked on, then restored again from an older nightly backup."""
    social, nurse = enrol("amartin"), enrol("bnguyen")
    person = add_person(social, phone="0475000000")
    assert social.sync().verified and nurse.sync().verified
    oldest = backup(sync_server)
    kept = oldest.with_name("oldest-copy.db")
    shutil.copyfile(oldest, kept)
    edit(social, person, "phone", "0475111111")
    assert social.sync().verified and nurse.sync().verified
    restore(sync_server, oldest)
    sync_server.start()
    for van in (social, nurse, social, nurse):
        van.sync()
    edit(social, person, "phone", "0475222222")  # work in the new epoch
    late = add_person(social, "Tardif")
    assert social.sync().verified and nurse.sync().verified
    restore(sync_server, kept)  # the older backup, from before the first restore
    if noticed_by == "command":
        sync_server.admin("mark-restored")
    sync_server.start()
    for van in (social, nurse, social, nurse):
        van.sync()
    assert social.sync().verified and nurse.sync().verified
    for van in (social, nurse):
        assert rows(van, OutboxEntry) == []
        assert value(van, person, "phone") == "0475222222"
    server = ServerDatabase(sync_server, social.store.user.cms_code)
    try:
        people = server.records("beneficiary")
        assert set(people) == {person, late}
        assert people[person].fields["phone"] == "0475222222"
    finally:
        server.close()


@pytest.mark.parametrize("backup_before", ["conflict", "settlement"])
def test_a_settled_conflict_stays_settled_after_a_restore(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer, backup_before: str
) -> None:
    social, nurse, supervisor = enrol("amartin"), enrol("bnguyen"), enrol("croux")
    person = add_person(social, phone="0475000000")
    assert all(v.sync().verified for v in (social, nurse, supervisor))
    copy = backup(sync_server) if backup_before == "conflict" else None
    edit(social, person, "phone", "0475111111")
    edit(nurse, person, "phone", "0475222222")
    social.sync(), nurse.sync(), social.sync()
    assert supervisor.sync().verified
    copy = copy or backup(sync_server)  # "settlement": the conflict is open in the backup
    [conflict] = [c for c in rows(supervisor, SyncConflict) if not c.deleted]
    settle_conflict(supervisor.store, conflict.id, "kept")
    assert supervisor.sync().verified
    restore(sync_server, copy)
    sync_server.start()
    for van in (supervisor, social, nurse, supervisor, social, nurse):
        van.sync()
    assert supervisor.sync().verified
    assert [c.deleted for c in rows(supervisor, SyncConflict)] == [True]
    server = ServerDatabase(sync_server, supervisor.store.user.cms_code)
    try:
        assert [r.deleted for r in server.records("sync_conflict").values()] == [True]
    finally:
        server.close()


def test_an_edit_undone_after_the_backup_does_not_leave_the_laptop_stuck(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    person = add_person(social, phone="0475000000")
    assert social.sync().verified
    copy = backup(sync_server)
    edit(social, person, "phone", "0475111111")
    assert social.sync().verified
    edit(social, person, "phone", "0475000000")  # a typo corrected: back to the old number
    assert social.sync().verified
    restore(sync_server, copy)
    sync_server.start()
    social.sync()
    assert social.sync().verified
    assert rows(social, OutboxEntry) == []


def test_disabling_a_colleague_leaves_every_laptop_verified(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social, nurse = enrol("amartin"), enrol("bnguyen")
    assert social.sync().verified
    sync_server.kill()
    sync_server.start()
    sync_server.admin("disable-user", nurse.username)
    social.sync()
    assert social.sync().verified


def test_a_colleagues_record_put_back_as_it_was_is_taken_as_the_server_holds_it(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    """The social worker moved a follow-up's due date and moved it back after the backup; the
    nurse's laptop pulled it meanwhile. After the restore the server holds the same values at
    an older version, and only the social worker may send it: the nurse's laptop must not wait
    for her forever."""
    social, nurse = enrol("amartin"), enrol("bnguyen")
    record_consultation(social, add_person(social))
    [follow_up] = rows(social, FollowUp)
    assert social.sync().verified and nurse.sync().verified
    copy = backup(sync_server)
    due = follow_up.due_on
    edit(social, follow_up.id, "due_on", due + dt.timedelta(days=7), model=FollowUp)
    assert social.sync().verified
    edit(social, follow_up.id, "due_on", due, model=FollowUp)
    assert social.sync().verified and nurse.sync().verified
    restore(sync_server, copy)
    sync_server.start()
    for van in (social, nurse, social, nurse):
        van.sync()
    assert social.sync().verified and nurse.sync().verified
