"""Merging a person registered twice: nothing authored is edited, everything follows the merge."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlmodel import select

from tests.core.test_conflicts import get, outbox, pulled, pulled_person, supervisor_store
from van_app.core.conflicts import ConflictAccessError
from van_app.core.distinct_people import DistinctRefusedError, dismiss_pair, distinct_pairs
from van_app.core.local_meta import get_meta
from van_app.core.local_store import LocalStore
from van_app.core.merge_people import (
    MergeRefusedError,
    compare,
    likely_duplicates,
    merge_people,
    merged_group,
    resolve_person,
)
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SocialConsultation,
)
from van_app.core.people_search import search_people
from van_app.core.person_file import person_file
from van_app.core.reference import reference
from van_app.core.registration import find_duplicates

__all__ = ["supervisor_store"]  # the fixture, shared

TODAY = dt.date(2026, 11, 23)
DAY = dt.date(2026, 11, 10)


def social_visit(store: LocalStore, person_id: str, day: dt.date = DAY, **fields: Any) -> str:
    visit = SocialConsultation(
        beneficiary_id=person_id,
        consultation_date=day,
        status="signed",
        demand_types=["rsa"],
        author="amartin",
        device="dev-a",
        **fields,
    )
    pulled(store, visit)
    return visit.id


def pmi_visit(store: LocalStore, person_id: str) -> str:
    visit = PmiConsultation(beneficiary_id=person_id, consultation_date=DAY, kind="prenatal",
                            status="signed", author="bnguyen", device="dev-b")  # fmt: skip
    pulled(store, visit)
    return visit.id


def link(store: LocalStore, parent: str, child: str, relation: str = "mother") -> str:
    record = HouseholdLink(parent_id=parent, child_id=child, relation=relation,
                           author="amartin", device="dev-a")  # fmt: skip
    pulled(store, record)
    return record.id


@pytest.fixture
def twice(supervisor_store: LocalStore) -> tuple[str, str]:
    """Camille Roux registered by the social worker, then by the nurse on her own laptop."""
    first = pulled_person(supervisor_store, "amartin", phone="06 11 22 33 44")
    second = pulled_person(
        supervisor_store, "bnguyen", first_names="Camile", phone=None, commune_insee="26167"
    )
    return first, second


def merged(store: LocalStore, keep: str, other: str, **choices: str) -> None:
    merge_people(store, keep, other, choices)


def file_of(store: LocalStore, person_id: str) -> Any:
    with store.session() as session:
        return person_file(session, store.user, person_id, reference(), TODAY)


def found(store: LocalStore, typed: str) -> list[str]:
    with store.session() as session:
        return [hit.id for hit in search_people(session, typed, reference(), TODAY).hits]


# -- following merges ------------------------------------------------------------------------


def test_resolve_person_follows_chains_and_survives_cycles(supervisor_store: LocalStore) -> None:
    a, b, c = (pulled_person(supervisor_store, first_names=n) for n in ("Ana", "Bea", "Cléo"))
    with supervisor_store.session() as session:
        assert resolve_person(session, a) == a
        session.get(Beneficiary, a).merged_into_id = b
        session.get(Beneficiary, b).merged_into_id = c
        session.flush()
        assert resolve_person(session, a) == c
        assert set(merged_group(session, c)) == {a, b, c}
        session.get(Beneficiary, c).merged_into_id = a  # two devices merged crosswise
        session.flush()
        assert resolve_person(session, a) == resolve_person(session, c) == min(a, b, c)
        session.rollback()


def test_a_merge_into_a_deleted_record_is_not_followed(supervisor_store: LocalStore) -> None:
    gone = pulled_person(supervisor_store, deleted=True)
    person = pulled_person(supervisor_store, merged_into_id=gone)
    with supervisor_store.session() as session:
        assert resolve_person(session, person) == person


# -- finding and comparing -------------------------------------------------------------------


def test_likely_duplicates_pairs_people_registered_by_different_people(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    same_author = pulled_person(supervisor_store, "amartin", first_names="Camila")  # twins?
    pulled_person(supervisor_store, "bnguyen", first_names="Jeanne")  # another person
    swapped = pulled_person(supervisor_store, "bnguyen", birth_name="Achard",
                            first_names="Josiane", birth_date=dt.date(1950, 6, 1))  # fmt: skip
    typo = pulled_person(supervisor_store, "amartin", birth_name="Achard",
                         first_names="Josianne", birth_date=dt.date(1950, 1, 6))  # fmt: skip
    with supervisor_store.session() as session:
        pairs = likely_duplicates(session, reference(), supervisor_store.user)
    ids = {frozenset((p.a.id, p.b.id)) for p in pairs}

    assert frozenset(twice) in ids
    assert frozenset((swapped, typo)) in ids
    assert frozenset((twice[0], same_author)) not in ids  # same author: she was warned
    assert frozenset((twice[1], same_author)) in ids
    pair = next(p for p in pairs if {p.a.id, p.b.id} == set(twice))
    assert (pair.a.registered_by, pair.b.registered_by) == ("Agnès Martin", "Binh Nguyen")


def test_merged_and_deleted_people_are_no_longer_paired(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    merged(supervisor_store, *twice)
    pulled_person(supervisor_store, "bnguyen", first_names="Camill", deleted=True)
    with supervisor_store.session() as session:
        assert likely_duplicates(session, reference(), supervisor_store.user) == []


def test_compare_shows_both_side_by_side_with_their_visits(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    social_visit(supervisor_store, first)
    social_visit(supervisor_store, second)
    pmi_visit(supervisor_store, second)
    with supervisor_store.session() as session:
        comparison = compare(session, first, second, reference(), supervisor_store.user)

    rows = {row.field: row for row in comparison.rows}
    assert rows["first_names"].label == "Prénoms"
    assert (rows["first_names"].value_a, rows["first_names"].value_b) == ("Camille", "Camile")
    assert (rows["commune_insee"].value_a, rows["commune_insee"].value_b) == ("Die", "Luc-en-Diois")
    assert rows["phone"].value_b == "non renseigné"
    assert rows["birth_date"].value_a == "05/05/1995" and not rows["birth_date"].differ
    assert rows["sex"].value_a == "Femme"
    assert set(comparison.differing) == {"first_names", "commune_insee", "phone"}
    assert (comparison.a.visits, comparison.b.visits) == (1, 2)


# -- merging ---------------------------------------------------------------------------------


def test_a_merge_writes_only_identity_records_and_queues_them(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    visit = social_visit(supervisor_store, second)

    merged(supervisor_store, first, second, commune_insee="other", phone="keep")

    kept = get(supervisor_store, Beneficiary, first)
    assert (kept.first_names, kept.commune_insee, kept.phone) == (
        "Camille",
        "26167",
        "06 11 22 33 44",
    )
    assert get(supervisor_store, Beneficiary, second).merged_into_id == first
    assert get(supervisor_store, SocialConsultation, visit).beneficiary_id == second  # untouched
    queued = outbox(supervisor_store)
    assert set(queued) == {first, second}
    assert "commune_insee" in queued[first] and "merged_into_id" in queued[second]


def test_the_kept_file_gathers_both_histories_and_the_merged_id_opens_it(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    mine = social_visit(supervisor_store, first, DAY)
    theirs = social_visit(supervisor_store, second, DAY - dt.timedelta(days=20))
    follow_up = FollowUp(beneficiary_id=second, demand_type="rsa", opened_on=DAY, due_on=TODAY,
                         author="amartin", device="dev-a")  # fmt: skip
    pulled(supervisor_store, follow_up)

    merged(supervisor_store, first, second)

    data = file_of(supervisor_store, first)
    assert [v.id for v in data.visits] == [mine, theirs]
    assert [v.person_id for v in data.visits] == [first, second]  # each opens with its own
    assert [f.id for f in data.follow_ups] == [follow_up.id]
    assert file_of(supervisor_store, second).person_id == first
    assert found(supervisor_store, "roux cam") == [first]


def test_household_links_move_to_the_kept_record_and_repeats_are_dropped(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    child = pulled_person(supervisor_store, first_names="Léo", sex="M",
                          birth_date=dt.date(2024, 2, 1))  # fmt: skip
    other_child = pulled_person(supervisor_store, first_names="Lou", birth_date=dt.date(2025, 3, 1))
    kept_link = link(supervisor_store, first, child)
    repeated = link(supervisor_store, second, child)
    moved = link(supervisor_store, second, other_child)

    result = merge_people(supervisor_store, first, second, {})

    assert (result.links_moved, result.links_dropped) == (1, 1)
    assert get(supervisor_store, HouseholdLink, repeated).deleted is True
    assert get(supervisor_store, HouseholdLink, moved).parent_id == first
    assert get(supervisor_store, HouseholdLink, kept_link).deleted is False
    members = file_of(supervisor_store, first).household
    assert sorted(m.person_id for m in members) == sorted([child, other_child])
    child_file = file_of(supervisor_store, child)
    assert [m.person_id for m in child_file.household if m.relation == "Mère"] == [first]


def test_a_link_made_later_to_the_merged_record_still_shows_on_the_kept_file(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    merged(supervisor_store, first, second)
    child = pulled_person(supervisor_store, first_names="Léo", sex="M",
                          birth_date=dt.date(2024, 2, 1))  # fmt: skip
    link(supervisor_store, second, child)  # made offline on the nurse's laptop, synced after

    assert [m.person_id for m in file_of(supervisor_store, first).household] == [child]
    child_mother = [m for m in file_of(supervisor_store, child).household if m.relation == "Mère"]
    assert [(m.person_id, m.name) for m in child_mother] == [(first, "ROUX Camille")]


def test_merged_people_are_not_offered_again_at_registration(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    first, second = twice
    merged(supervisor_store, first, second)
    newcomer = Beneficiary(birth_name="Roux", first_names="Camille", birth_date=dt.date(1995, 5, 5),
                           sex="F", author="", device="")  # fmt: skip
    with supervisor_store.session() as session:
        hits = find_duplicates(session, newcomer, reference(), TODAY)
    assert [hit.id for hit in hits] == [first]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "elle-même"),
        ("into_merged", "déjà été fusionnée"),
        ("deleted", "supprimée"),
        ("parent_child", "parent et enfant"),
        ("unknown_field", "incompris"),
    ],
)
def test_wrong_merges_are_refused_and_write_nothing(
    supervisor_store: LocalStore, twice: tuple[str, str], case: str, message: str
) -> None:
    first, second = twice
    keep, other, choices = first, second, {}
    if case == "itself":
        other = first
    elif case == "into_merged":
        third = pulled_person(supervisor_store, "bnguyen", first_names="Kamille")
        merged(supervisor_store, third, first)
    elif case == "deleted":
        other = pulled_person(supervisor_store, deleted=True)
    elif case == "parent_child":
        link(supervisor_store, first, second)
    else:
        choices = {"author": "other"}
    before = outbox(supervisor_store)

    with pytest.raises(MergeRefusedError, match=message):
        merge_people(supervisor_store, keep, other, choices)
    assert outbox(supervisor_store) == before


def test_a_birth_date_that_puts_a_child_before_its_parent_is_refused(
    supervisor_store: LocalStore,
) -> None:
    first = pulled_person(supervisor_store, "amartin")
    second = pulled_person(supervisor_store, "bnguyen", birth_date=dt.date(2025, 5, 5))
    child = pulled_person(supervisor_store, first_names="Léo", birth_date=dt.date(2024, 2, 1))
    link(supervisor_store, first, child)

    with pytest.raises(MergeRefusedError, match="après"):
        merge_people(supervisor_store, first, second, {"birth_date": "other"})
    assert get(supervisor_store, Beneficiary, first).birth_date == dt.date(1995, 5, 5)
    assert get(supervisor_store, Beneficiary, second).merged_into_id is None


def test_only_a_supervisor_merges(social_store: LocalStore) -> None:
    first = pulled_person(social_store, "amartin")
    second = pulled_person(social_store, "bnguyen", first_names="Camile")

    with pytest.raises(ConflictAccessError, match="responsable du CMS"):
        merge_people(social_store, first, second, {})
    with social_store.session() as session:
        assert session.exec(select(Beneficiary.merged_into_id)).all() == [None, None]


# -- two people after all --------------------------------------------------------------------


def pairs_found(store: LocalStore) -> set[frozenset[str]]:
    with store.session() as session:
        pairs = likely_duplicates(session, reference(), store.user)
    return {frozenset((p.a.id, p.b.id)) for p in pairs}


def test_a_pair_declared_two_people_is_no_longer_proposed(
    supervisor_store: LocalStore, twice: tuple[str, str]
) -> None:
    other = pulled_person(supervisor_store, "bnguyen", first_names="Camilla")
    before = outbox(supervisor_store)
    assert {frozenset(twice), frozenset((twice[0], other))} <= pairs_found(supervisor_store)

    assert dismiss_pair(supervisor_store, twice[1], twice[0]) is True  # either order
    assert dismiss_pair(supervisor_store, *twice) is False  # already known: idempotent

    found = pairs_found(supervisor_store)
    assert frozenset(twice) not in found
    assert frozenset((twice[0], other)) in found  # only that pair is set aside
    assert outbox(supervisor_store) == before  # kept on this device, nothing to sync
    with supervisor_store.session() as session:
        assert distinct_pairs(session) == {tuple(sorted(twice))}
        stored = json.loads(get_meta(session, "duplicates.distinct") or "")
    assert stored == [sorted(twice)]


def test_only_a_supervisor_declares_two_people(social_store: LocalStore) -> None:
    first = pulled_person(social_store, "amartin")
    second = pulled_person(social_store, "bnguyen", first_names="Camile")

    with pytest.raises(ConflictAccessError, match="responsable du CMS"):
        dismiss_pair(social_store, first, second)
    with social_store.session() as session:
        assert distinct_pairs(session) == set()


@pytest.mark.parametrize(
    ("case", "message"),
    [("itself", "elle-même"), ("deleted", "supprimée"), ("merged", "déjà été fusionnée")],
)
def test_a_pair_that_cannot_be_set_aside_is_refused(
    supervisor_store: LocalStore, twice: tuple[str, str], case: str, message: str
) -> None:
    first, second = twice
    if case == "itself":
        second = first
    elif case == "deleted":
        second = pulled_person(supervisor_store, deleted=True)
    else:
        third = pulled_person(supervisor_store, "bnguyen", first_names="Kamille")
        merged(supervisor_store, first, third)
        second = third

    with pytest.raises(DistinctRefusedError, match=message):
        dismiss_pair(supervisor_store, first, second)
    with supervisor_store.session() as session:
        assert distinct_pairs(session) == set()
