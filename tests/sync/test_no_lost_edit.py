"""Directed regressions: an edit is never lost to a sync that fails, is cut, or is answered late.

Each test replays one case an independent fault harness found: the value a person saved ends
up the value everywhere, or the losing side of a recorded same-field conflict, never silently
gone; and the device says "synchronisé" only when its values are the server's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.sync.conftest import add_person
from tests.sync.faults import FaultyProxy
from tests.sync.helpers import edit, rows, through, value
from van_app.core.models import Beneficiary, SyncConflict
from van_app.sync.client import SyncError

SOCIAL_PHONE, NURSE_PHONE = "0475111111", "0475222222"


@pytest.fixture
def proxy(sync_server) -> Iterator[FaultyProxy]:  # type: ignore[no-untyped-def]
    proxy = FaultyProxy(sync_server.port)
    yield proxy
    proxy.close()


def conflicts_on(supervisor, field: str) -> list[tuple[object, object]]:  # type: ignore[no-untyped-def]
    assert supervisor.sync().verified
    return [
        (c.kept_value, c.other_value) for c in rows(supervisor, SyncConflict) if c.field == field
    ]


@pytest.mark.parametrize(
    ("fault", "batch_max"),
    [("drop_before", 500), ("drop_after", 500), ("drop_before", 1), ("cut_response", 1)],
)
def test_an_edit_queued_behind_a_failed_sync_keeps_the_base_its_author_saw(  # type: ignore[no-untyped-def]
    enrol, proxy: FaultyProxy, fault: str, batch_max: int
) -> None:
    """Birthplace changed, the sync fails; the phone changed; the nurse changes the same phone
    later and syncs: her later value wins and the social worker's is kept as a conflict."""
    social = through(enrol("amartin"), proxy)
    nurse, supervisor = enrol("bnguyen"), enrol("croux")
    person = add_person(social, phone="0475000000")
    for van in (social, nurse, supervisor):
        assert van.sync().verified
    edit(social, person, "birthplace", "Die")
    proxy.fail_next(fault)
    with contextlib.suppress(SyncError):
        social.sync(batch_max=batch_max)
    proxy.plan.clear()
    edit(social, person, "phone", SOCIAL_PHONE)
    edit(nurse, person, "phone", NURSE_PHONE)  # later than the social worker's
    assert nurse.sync().verified
    assert social.sync(batch_max=batch_max).verified
    assert nurse.sync().verified
    for van in (social, nurse):
        assert (value(van, person, "phone"), value(van, person, "birthplace")) == (
            NURSE_PHONE,
            "Die",
        )
    assert conflicts_on(supervisor, "phone") == [(NURSE_PHONE, SOCIAL_PHONE)]


def test_a_lost_answer_then_a_duplicate_after_the_page_ends_with_the_servers_value(  # type: ignore[no-untyped-def]
    enrol, proxy: FaultyProxy
) -> None:
    """Her push loses a same-field conflict and the answer is lost; the retry is cut in other
    batches, so the page comes before the 'duplicate': the laptop must not keep its value
    and call it synchronised."""
    social = through(enrol("amartin"), proxy)
    nurse, supervisor = enrol("bnguyen"), enrol("croux")
    person = add_person(social, phone="0475000000")
    for van in (social, nurse):
        assert van.sync().verified
    add_person(social, "Avant1")  # queued before the phone: the retry's first batches
    add_person(social, "Avant2")
    edit(social, person, "phone", SOCIAL_PHONE)
    edit(nurse, person, "phone", NURSE_PHONE)
    assert nurse.sync().verified
    proxy.fail_next("drop_after")  # applied (merged: the nurse's later value kept), answer lost
    with pytest.raises(SyncError):
        social.sync(batch_max=50)
    report = social.sync(batch_max=1)
    assert report.verified
    assert value(social, person, "phone") == NURSE_PHONE
    assert conflicts_on(supervisor, "phone") == [(NURSE_PHONE, SOCIAL_PHONE)]


def test_different_fields_edited_after_failed_syncs_all_survive(enrol, proxy) -> None:  # type: ignore[no-untyped-def]
    """Several outbox entries for one person, each after a failed sync, on two devices."""
    social = through(enrol("amartin"), proxy)
    nurse = enrol("bnguyen")
    person = add_person(social)
    assert social.sync().verified and nurse.sync().verified
    for field_name, typed in (("birthplace", "Crest"), ("usual_name", "Roux"), ("phone", "04")):
        edit(social, person, field_name, typed)
        proxy.fail_next("drop_after")
        with contextlib.suppress(SyncError):
            social.sync(batch_max=1)
    edit(nurse, person, "commune_insee", "26113")
    assert nurse.sync().verified
    proxy.plan.clear()
    assert social.sync().verified and nurse.sync().verified
    for van in (social, nurse):
        with van.store.session() as session:
            seen = session.get(Beneficiary, person)
            assert seen is not None
            assert (seen.birthplace, seen.usual_name, seen.phone, seen.commune_insee) == (
                "Crest",
                "Roux",
                "04",
                "26113",
            )
