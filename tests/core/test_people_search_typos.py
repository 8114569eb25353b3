"""One typo forgiven in a typed name, the vocabulary that makes it fast, and the query plans."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy import text as sql

from tests.core.test_people_search import add_person, bulk_people, names
from van_app.core import people_search, text
from van_app.core.db import make_engine, migrate
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.name_typos import deletion_variants, one_typo_apart
from van_app.core.people_search import search_people
from van_app.core.reference import reference

TODAY = dt.date(2026, 11, 23)
BORN = dt.date(1980, 3, 12)


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("frnacois", "francois"),  # two neighbouring letters swapped
        ("dupnot", "dupont"),
        ("moreu", "moreau"),  # a letter left out
        ("duppont", "dupont"),  # a letter too many
        ("dupomt", "dupont"),  # a letter replaced
        ("upont", "dupont"),  # the first letter left out
        ("dupontt", "dupont"),  # the last letter doubled
        ("udpont", "dupont"),  # the first two swapped
        ("dupotn", "dupont"),  # the last two swapped
    ],
)
def test_one_typo_apart(typed: str, word: str) -> None:
    assert one_typo_apart(typed, word)
    assert one_typo_apart(word, typed)


@pytest.mark.parametrize(
    ("typed", "word"),
    [("dupont", "dupont"), ("dpuotn", "dupont"), ("abcd", "bxcd"), ("dupo", "dupont"), ("", "")],
)
def test_not_one_typo_apart(typed: str, word: str) -> None:
    assert not one_typo_apart(typed, word)


def test_deletion_variants() -> None:
    assert deletion_variants("abc") == {"abc", "bc", "ac", "ab"}


# -- searching with a typo --------------------------------------------------------------------


@pytest.fixture
def people(social_store: LocalStore) -> LocalStore:
    add_person(social_store, "Dupré", "Hélène", usual_name="Martin")
    add_person(social_store, "Martin", "Jean-Pierre", dt.date(1955, 7, 1), sex="M")
    add_person(social_store, "Moreau", "François", dt.date(1962, 4, 2), sex="M")
    add_person(social_store, "Dupont", "Marc", dt.date(1971, 9, 9), sex="M")
    add_person(social_store, "Marti", "Ana", BORN)
    add_person(social_store, "Marta", "Zoé", dt.date(1990, 1, 1))
    return social_store


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("frnacois", ["MOREAU François"]),
        ("FRANCIOS", ["MOREAU François"]),
        ("dupnot", ["DUPONT Marc"]),
        ("dupnt", ["DUPONT Marc"]),
        ("duppont", ["DUPONT Marc"]),
        ("dupomt", ["DUPONT Marc"]),
        ("moreu", ["MOREAU François"]),
        ("helene", ["MARTIN Hélène (née DUPRÉ)"]),
        ("heleen", ["MARTIN Hélène (née DUPRÉ)"]),
        ("HÉLEEN", ["MARTIN Hélène (née DUPRÉ)"]),
        ("hélènne", ["MARTIN Hélène (née DUPRÉ)"]),
        ("jaen", ["MARTIN Jean-Pierre"]),
        ("pirere", ["MARTIN Jean-Pierre"]),
    ],
)
def test_one_typo_in_a_word_of_four_letters_or_more(
    people: LocalStore, typed: str, found: list[str]
) -> None:
    assert names(people, typed) == found


def test_every_word_may_carry_its_own_typo(people: LocalStore) -> None:
    assert names(people, "frnacois moreu") == ["MOREAU François"]
    assert names(people, "dupnot marc") == ["DUPONT Marc"]
    assert names(people, "dupnot ma") == ["DUPONT Marc"]
    assert names(people, "dupnot jean") == []


def test_two_typos_in_a_word_are_not_forgiven(people: LocalStore) -> None:
    assert names(people, "dpuotn") == []
    assert names(people, "frnacios") == []


def test_short_words_stay_prefixes(people: LocalStore) -> None:
    assert names(people, "dpu") == [], "three letters: still being typed, no typo guessed"
    assert names(people, "mro") == []
    assert names(people, "mraco") == [], "a typo is forgiven against whole words only"


def test_exact_and_prefix_matches_come_before_typos(people: LocalStore) -> None:
    # "marti" starts MARTI and MARTIN; MARTA is one letter away, listed after them.
    assert names(people, "marti") == [
        "MARTI Ana",
        "MARTIN Jean-Pierre",
        "MARTIN Hélène (née DUPRÉ)",
        "MARTA Zoé",
    ]


def test_typos_with_a_birth_date(people: LocalStore) -> None:
    assert names(people, "dupnot 09/09/1971") == ["DUPONT Marc"]
    assert names(people, "dupnot 1971") == ["DUPONT Marc"]
    assert names(people, "dupnot 12/03/1980") == []
    # Born the same day: the exact match (usual name Martin) before the typo (Marti).
    assert names(people, "martin 12/03/1980") == ["MARTIN Hélène (née DUPRÉ)", "MARTI Ana"]


def test_a_typo_never_finds_deleted_people(people: LocalStore) -> None:
    add_person(people, "Dupont", "Odette", dt.date(1930, 1, 1), deleted=True)
    assert names(people, "dupnot") == ["DUPONT Marc"]
    assert names(people, "dupnot odette") == []


def test_a_typo_never_finds_merged_people(people: LocalStore) -> None:
    twin = add_person(people, "Dupont", "Marc", dt.date(1971, 9, 9), sex="M")
    found = names_ids(people, "dupnot marc")
    assert len(found) == 2 and twin in found
    (keep,) = set(found) - {twin}
    with people.session() as session:
        session.get(Beneficiary, twin).merged_into_id = keep  # as a merge or a pull does
    assert names_ids(people, "dupnot marc") == [keep]


def test_the_page_is_filled_with_exact_matches_first(social_store: LocalStore) -> None:
    bulk_people(social_store, [("Martin", f"Prénom{i:02d}", BORN) for i in range(60)])
    bulk_people(social_store, [("Marten", f"Prénom{i:02d}", BORN) for i in range(5)])
    with social_store.session() as session:
        result = search_people(session, "martin", reference(), TODAY)
    assert result.more and all(hit.name.startswith("MARTIN ") for hit in result.hits)
    with social_store.session() as session:
        result = search_people(session, "martin", reference(), TODAY, limit=63)
    assert [hit.name[:6] for hit in result.hits[-3:]] == ["MARTEN"] * 3 and result.more


def names_ids(store: LocalStore, typed: str) -> list[str]:
    with store.session() as session:
        return [hit.id for hit in search_people(session, typed, reference(), TODAY).hits]


# -- the vocabulary kept by triggers ----------------------------------------------------------


def vocabulary(store_or_engine: LocalStore | Engine) -> dict[str, int]:
    engine = store_or_engine if isinstance(store_or_engine, Engine) else store_or_engine.engine
    with engine.connect() as conn:
        return dict(conn.execute(sql("SELECT word, people FROM beneficiary_fts_word")).all())


def variants(store_or_engine: LocalStore | Engine) -> set[tuple[str, str]]:
    engine = store_or_engine if isinstance(store_or_engine, Engine) else store_or_engine.engine
    with engine.connect() as conn:
        rows = conn.execute(sql("SELECT variant, word FROM beneficiary_fts_word_variant")).all()
    return {(row.variant, row.word) for row in rows}


def expected_vocabulary(engine: Engine) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """What the triggers should hold, computed here from every search key."""
    with engine.connect() as conn:
        keys = conn.execute(sql("SELECT search_key FROM beneficiary")).scalars().all()
    counts = Counter(word for key in keys for word in set(key.split()))
    pairs = {(v, w) for w in counts if len(w) >= 3 for v in deletion_variants(w)}
    return dict(counts), pairs


def test_vocabulary_follows_every_write(social_store: LocalStore) -> None:
    first = add_person(social_store, "Moreau", "François Marie")
    add_person(social_store, "Moreau", "Lou")
    bulk_people(social_store, [("Dupont", "Marie Marie", BORN), ("Li", "Ann", BORN)])
    assert vocabulary(social_store)["moreau"] == 2
    assert vocabulary(social_store)["marie"] == 2, "a word twice in one name counts once"
    assert ("li", "li") not in variants(social_store), "two letters: never a typo target"
    assert (vocabulary(social_store), variants(social_store)) == expected_vocabulary(
        social_store.engine
    )

    with social_store.session() as session:  # a correction, a merge or a pull: an update
        session.get(Beneficiary, first).first_names = "Francis Marie"
    assert "francois" not in vocabulary(social_store)
    assert not {pair for pair in variants(social_store) if pair[1] == "francois"}
    assert names(social_store, "frnacois") == []
    assert names(social_store, "frnacis") == ["MOREAU Francis Marie"]

    with social_store.session() as session:  # records are tombstoned, but a delete is kept too
        session.execute(sql("DELETE FROM beneficiary WHERE birth_name = 'Dupont'"))
    assert "dupont" not in vocabulary(social_store)
    assert vocabulary(social_store)["marie"] == 1
    assert (vocabulary(social_store), variants(social_store)) == expected_vocabulary(
        social_store.engine
    )


def test_migration_fills_the_vocabulary_for_people_already_there(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "old.db", secrets.token_bytes(32))
    migrate(engine, "0007")
    with engine.begin() as conn:
        for birth, first in [("Moreau", "François"), ("Dupont", "Marie Marie"), ("Moreau", "")]:
            conn.execute(
                sql(
                    "INSERT INTO beneficiary (id, created_at, updated_at, author, device, "
                    "deleted, birth_name, first_names, birth_date, sex, known_to_cms, "
                    "search_key) VALUES (:id, '2026-01-05 10:00:00', '2026-01-05 10:00:00', "
                    "'amartin', 'dev-1', 0, :birth, :first, '1980-02-01', 'F', 1, :key)"
                ),
                {
                    "id": str(uuid.uuid4()),
                    "birth": birth,
                    "first": first,
                    "key": text.search_key(birth, None, first),
                },
            )
    migrate(engine)
    assert vocabulary(engine) == {"moreau": 2, "francois": 1, "dupont": 1, "marie": 1}
    assert (vocabulary(engine), variants(engine)) == expected_vocabulary(engine)
    engine.dispose()


# -- query plans ------------------------------------------------------------------------------


def plans_of_search(store: LocalStore, typed: str) -> list[tuple[str, list[str]]]:
    """Each SELECT a search runs, with its query plan (run on the same data, same values)."""
    statements: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.session() as session:
            search_people(session, typed, reference(), TODAY)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    with store.engine.connect() as conn:
        explain = conn.exec_driver_sql
        return [
            (statement, [row[3] for row in explain(f"EXPLAIN QUERY PLAN {statement}", params)])
            for statement, params in statements
        ]


def assert_no_full_scan(plans: list[tuple[str, list[str]]]) -> None:
    for statement, plan in plans:
        assert not any("merged_into_id" in step for step in plan), (statement, plan)
        assert "SCAN b" not in plan, (statement, plan)  # the table read row by row
        assert not any(step.startswith("SCAN beneficiary_fts_word") for step in plan), plan


def plan_of(plans: list[tuple[str, list[str]]], fragment: str) -> list[list[str]]:
    return [plan for statement, plan in plans if fragment in statement]


@pytest.fixture
def crowd(people: LocalStore) -> LocalStore:
    bulk_people(people, [(f"Nom{i:03d}", "Camille", BORN + dt.timedelta(i)) for i in range(200)])
    return people


def test_name_search_uses_the_name_index_and_full_text_index(crowd: LocalStore) -> None:
    plans = plans_of_search(crowd, "dupnot ma")
    assert_no_full_scan(plans)
    (by_birth_name,) = plan_of(plans, "WHERE b.search_key >= ?")
    assert (
        by_birth_name[0]
        == "SEARCH b USING INDEX ix_beneficiary_search_key (search_key>? AND search_key<?)"
    )
    assert "USE TEMP B-TREE FOR ORDER BY" not in by_birth_name, "the index gives the order"
    (typo_words,) = plan_of(plans, "beneficiary_fts_word_variant")
    assert typo_words == ["SEARCH beneficiary_fts_word_variant USING PRIMARY KEY (variant=?)"]
    joins = plan_of(plans, "JOIN beneficiary b")
    assert len(joins) == 2, "the exact matches, then the ones through a typo"
    for plan in joins:
        assert plan[0].startswith("SCAN f VIRTUAL TABLE INDEX")  # the FTS index drives
        assert plan[1] == "SEARCH b USING INTEGER PRIMARY KEY (rowid=?)"


def test_many_matches_walk_the_name_index_without_sorting(
    crowd: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people_search, "_SORT_MATCHES_UP_TO", -1)
    plans = plans_of_search(crowd, "frnacois")
    walks = plan_of(plans, "INDEXED BY ix_beneficiary_search_key")
    assert len(walks) == 2
    for plan in walks:
        assert plan[0] == "SCAN b USING INDEX ix_beneficiary_search_key"  # stops at the limit
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan
        assert not any("merged_into_id" in step for step in plan), plan


@pytest.mark.parametrize("typed", ["dupnot 09/09/1971", "mar 1980", "12/03", "heleen 12/03"])
def test_date_search_uses_the_birth_date_index(crowd: LocalStore, typed: str) -> None:
    plans = plans_of_search(crowd, typed)
    assert_no_full_scan(plans)
    (by_date,) = plan_of(plans, "FROM beneficiary b WHERE")
    assert by_date[0].startswith("SEARCH b USING INDEX ix_beneficiary_birth_date (birth_date")
