"""Search as you type: accents, case, prefixes, birth dates, tombstones, the results cap."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from van_app.core import text
from van_app.core.ids import new_id
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, utcnow
from van_app.core.people_search import (
    DEFAULT_LIMIT,
    fts_match_expression,
    parse_query,
    search_people,
)
from van_app.core.reference import reference

TODAY = dt.date(2026, 11, 23)


def add_person(
    store: LocalStore,
    birth_name: str,
    first_names: str,
    birth_date: dt.date = dt.date(1980, 3, 12),
    *,
    usual_name: str | None = None,
    sex: str = "F",
    deleted: bool = False,
    commune_insee: str | None = "26113",
) -> str:
    with store.session() as session:
        person = Beneficiary(
            birth_name=birth_name,
            usual_name=usual_name,
            first_names=first_names,
            birth_date=birth_date,
            sex=sex,
            commune_insee=commune_insee,
            deleted=deleted,
            author="",
            device="",
        )
        session.add(store.stamp(person))
        return person.id


def bulk_people(store: LocalStore, people: list[tuple[str, str, dt.date]]) -> None:
    """Many people at once, as a sync pull would write them (the triggers fill the index)."""
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "created_at": now,
            "updated_at": now,
            "author": "amartin",
            "device": "dev",
            "deleted": False,
            "birth_name": birth,
            "first_names": first,
            "birth_date": born,
            "sex": "F",
            "known_to_cms": False,
            "search_key": text.search_key(birth, None, first),
        }
        for birth, first, born in people
    ]
    with store.session() as session:
        session.execute(insert(Beneficiary), rows)


def names(store: LocalStore, typed: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    with store.session() as session:
        return [hit.name for hit in search_people(session, typed, reference(), TODAY, limit).hits]


@pytest.fixture
def people(social_store: LocalStore) -> LocalStore:
    add_person(social_store, "Dupré", "Hélène", usual_name="Martin")
    add_person(social_store, "Martin", "Jean-Pierre", dt.date(1955, 7, 1), sex="M")
    add_person(social_store, "Achard", "Josiane", dt.date(1950, 6, 1))
    add_person(social_store, "Marchand", "Léa", dt.date(2024, 3, 12))
    return social_store


@pytest.mark.parametrize("typed", ["helene", "Hélène", "HÉLÈNE", "HELENE", "hél", "he"])
def test_accents_and_case_do_not_matter(people: LocalStore, typed: str) -> None:
    assert names(people, typed) == ["MARTIN Hélène (née DUPRÉ)"]


def test_every_word_is_a_prefix_of_some_name(people: LocalStore) -> None:
    assert names(people, "dup hél") == ["MARTIN Hélène (née DUPRÉ)"]
    assert names(people, "hél dup") == ["MARTIN Hélène (née DUPRÉ)"]
    assert names(people, "dupre jean") == []
    assert names(people, "pierre") == ["MARTIN Jean-Pierre"]
    assert names(people, "jean-p") == ["MARTIN Jean-Pierre"]
    assert names(people, "lene") == [], "prefixes, not substrings"
    assert names(people, "elene") == ["MARTIN Hélène (née DUPRÉ)"], "but one letter left out"


def test_birth_names_starting_with_the_first_word_come_first(people: LocalStore) -> None:
    # "mar" is Martin (birth name), Marchand (birth name) and Mme Martin née Dupré (usual name).
    assert names(people, "mar") == [
        "MARCHAND Léa",
        "MARTIN Jean-Pierre",
        "MARTIN Hélène (née DUPRÉ)",
    ]


def test_result_lines_carry_age_commune_and_id(people: LocalStore) -> None:
    with people.session() as session:
        (hit,) = search_people(session, "achard", reference(), TODAY).hits
    assert hit.birth_date == dt.date(1950, 6, 1)
    assert hit.age == "76 ans"
    assert hit.commune == "Die"
    assert len(hit.id) == 36


@pytest.mark.parametrize(
    "typed", ["12/03/1980", "12031980", "12/03/80", "1980-03-12", "12.03.1980"]
)
def test_a_typed_date_searches_the_birth_date(people: LocalStore, typed: str) -> None:
    assert names(people, typed) == ["MARTIN Hélène (née DUPRÉ)"]


def test_dates_combine_with_names(people: LocalStore) -> None:
    assert names(people, "dupré 12/03/1980") == ["MARTIN Hélène (née DUPRÉ)"]
    assert names(people, "achard 12/03/1980") == []
    assert names(people, "12/03") == ["MARCHAND Léa", "MARTIN Hélène (née DUPRÉ)"]
    assert names(people, "mar 12/03") == ["MARCHAND Léa", "MARTIN Hélène (née DUPRÉ)"]
    assert names(people, "1955") == ["MARTIN Jean-Pierre"]
    assert names(people, "13/03/1980") == []
    assert names(people, "31/02/1980") == [], "a date that does not exist matches nobody"


def test_two_digit_years_are_never_in_the_future() -> None:
    assert parse_query("12/03/24", TODAY).birth_date == dt.date(2024, 3, 12)
    assert parse_query("12/03/80", TODAY).birth_date == dt.date(1980, 3, 12)
    assert parse_query("120380", TODAY).birth_date == dt.date(1980, 3, 12)


def test_a_date_being_typed_is_not_a_name() -> None:
    query = parse_query("martin 12/03/1", TODAY)
    assert query.tokens == ("martin",)
    assert query.day_month == (12, 3)
    assert parse_query("12", TODAY).tokens == ()


def test_deleted_people_are_not_found(people: LocalStore) -> None:
    add_person(people, "Achard", "Odette", dt.date(1930, 1, 1), deleted=True)
    assert names(people, "achard") == ["ACHARD Josiane"]
    assert names(people, "01/01/1930") == []


@pytest.mark.parametrize(
    "typed", ['mar"tin', "dup*", "OR", "AND martin", "NEAR(a b)", "name:x", "(", "-", "^a", "'"]
)
def test_fts_syntax_typed_by_mistake_is_harmless(people: LocalStore, typed: str) -> None:
    names(people, typed)  # no exception: every word is quoted before reaching FTS5
    assert fts_match_expression(("a", 'b"c')) == '"a"* AND "b""c"*'


def test_empty_search_finds_nobody(people: LocalStore) -> None:
    assert names(people, "") == []
    assert names(people, "  - ") == []


def test_results_are_capped_and_say_there_are_more(social_store: LocalStore) -> None:
    born = dt.date(1990, 1, 1)
    bulk_people(social_store, [("Martin", f"Prénom{i:03d}", born) for i in range(120)])
    with social_store.session() as session:
        result = search_people(session, "martin", reference(), TODAY)
        assert len(result.hits) == DEFAULT_LIMIT == 50 and result.more
        result = search_people(session, "martin", reference(), TODAY, limit=100)
        assert len(result.hits) == 100 and result.more
        result = search_people(session, "martin", reference(), TODAY, limit=120)
        assert len(result.hits) == 120 and not result.more
    assert names(social_store, "martin")[:2] == ["MARTIN Prénom000", "MARTIN Prénom001"]


def test_thousands_of_first_name_matches_are_walked_in_order(social_store: LocalStore) -> None:
    """Over 1 000 matches the search walks the name index instead of sorting: same answer."""
    born = dt.date(1990, 1, 1)
    surnames = ["Roux", "Blanc", "Abel", "Zed", "Morel"]
    bulk_people(social_store, [(surnames[i % 5] + f"x{i:04d}", "Zoé", born) for i in range(1100)])
    add_person(social_store, "Aaron", "Zoé", born, deleted=True)
    found = names(social_store, "zoé")
    assert len(found) == 50
    assert found == sorted(found)
    assert found[0] == "ABELX0002 Zoé"
    assert all("AARON" not in name for name in found)
    assert names(social_store, "z")[0] == "ZEDX0003 Zoé", "birth names starting with Z first"
