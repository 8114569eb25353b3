"""Registering a person: whole-or-nothing validation, likely duplicates, household links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from tests.core.test_people_search import add_person
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, HouseholdLink
from van_app.core.outbox import OutboxEntry
from van_app.core.people import household
from van_app.core.reference import reference
from van_app.core.registration import (
    DuplicatesFoundError,
    ParentChoice,
    PersonForm,
    link_people,
    register_person,
    resolve_commune,
    same_person_likely,
    unlink_people,
)
from van_app.core.validation import ValidationError

TODAY = dt.date(2026, 11, 23)


def form(**changes: object) -> PersonForm:
    values: dict[str, object] = {
        "birth_name": "Dupré",
        "first_names": "Hélène",
        "birth_date": "12/03/1980",
        "sex": "F",
        "commune": "Die (26150)",
        "phone": "06.12.34.56.78",
        "information_date": "23/11/2026",
    }
    values.update(changes)
    return PersonForm(**values)  # type: ignore[arg-type]


def counts(store: LocalStore) -> tuple[int, int, int]:
    with store.session() as session:
        return (
            session.exec(select(func.count()).select_from(Beneficiary)).one(),
            session.exec(select(func.count()).select_from(HouseholdLink)).one(),
            session.exec(select(func.count()).select_from(OutboxEntry)).one(),
        )


def test_registering_writes_a_stamped_person_and_queues_it(social_store: LocalStore) -> None:
    done = register_person(social_store, form(usual_name="  Martin "), reference(), TODAY)
    assert done.name == "MARTIN Hélène (née DUPRÉ)"
    with social_store.session() as session:
        person = session.get(Beneficiary, done.id)
        assert person is not None
        assert person.usual_name == "Martin"
        assert person.commune_insee == "26113"
        assert person.phone == "06 12 34 56 78"
        assert person.birth_date == dt.date(1980, 3, 12)
        assert person.information_date == TODAY
        assert person.author == "amartin" and person.device == social_store.device_id
        assert person.search_key == "dupre martin helene"
    assert counts(social_store) == (1, 0, 1)


def test_invalid_input_is_refused_whole(social_store: LocalStore) -> None:
    bad = form(birth_name="", birth_date="31/02/1980", sex="", phone="12", commune="Paris")
    with pytest.raises(ValidationError) as caught:
        register_person(social_store, bad, reference(), TODAY)
    errors = caught.value.errors
    assert errors["birth_name"] == "Le nom de naissance est obligatoire."
    assert errors["birth_date"] == "La date « 31/02/1980 » n'existe pas."
    assert errors["sex"] == "Indiquez le sexe."
    assert errors["phone"].startswith("Numéro de téléphone invalide")
    assert errors["commune_insee"].startswith("Commune « Paris » introuvable")
    assert counts(social_store) == (0, 0, 0), "nothing written, not even an outbox entry"


def test_a_future_birth_date_is_refused(social_store: LocalStore) -> None:
    with pytest.raises(ValidationError) as caught:
        register_person(social_store, form(birth_date="01/01/2027"), reference(), TODAY)
    assert caught.value.errors == {
        "birth_date": "La date de naissance ne peut pas être dans le futur."
    }


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"birth_name": "Dupre", "first_names": "Helene"}, "accents and case"),
        ({"birth_name": "Duprée", "first_names": "Hélène Marie"}, "close names"),
        ({"birth_name": "Hélène", "first_names": "Dupré"}, "names swapped"),
        ({"birth_name": "Martin", "first_names": "Hélène"}, "the usual name of the other"),
        ({"birth_date": "03/12/1980"}, "day and month swapped"),
    ],
)
def test_likely_duplicates_stop_the_registration(
    social_store: LocalStore, changes: dict[str, str], why: str
) -> None:
    existing = add_person(social_store, "Dupré", "Hélène", usual_name="Martin")
    before = counts(social_store)
    with pytest.raises(DuplicatesFoundError) as caught:
        register_person(social_store, form(**changes), reference(), TODAY)
    assert [hit.id for hit in caught.value.hits] == [existing], why
    assert str(caught.value) == "Cette personne est peut-être déjà enregistrée."
    assert counts(social_store) == before
    register_person(social_store, form(**changes), reference(), TODAY, allow_duplicates=True)
    assert counts(social_store)[0] == before[0] + 1


@pytest.mark.parametrize(
    "changes",
    [
        {"first_names": "Josiane"},
        {"birth_name": "Achard"},
        {"birth_date": "13/03/1980"},
    ],
)
def test_different_people_are_not_duplicates(
    social_store: LocalStore, changes: dict[str, str]
) -> None:
    add_person(social_store, "Dupré", "Hélène")
    add_person(social_store, "Dupré", "Hélène", deleted=True, birth_date=dt.date(1980, 3, 13))
    register_person(social_store, form(**changes), reference(), TODAY)


def test_similarity_rule() -> None:
    def person(birth: str, first: str, usual: str | None = None) -> Beneficiary:
        return Beneficiary(birth_name=birth, first_names=first, usual_name=usual)  # type: ignore[call-arg]

    assert same_person_likely(person("Nguyen", "Binh"), person("NGUYEN", "Bình"))
    assert same_person_likely(person("Nguyen", "Binh"), person("Binh", "Nguyen"))
    assert not same_person_likely(person("Nguyen", "Binh"), person("Nguyen", "Linh Anh"))
    assert not same_person_likely(person("Roux", "Jade"), person("Roux", "Jules"))


def test_a_child_is_registered_with_its_parents(social_store: LocalStore) -> None:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    father = add_person(social_store, "Blanc", "Hugo", dt.date(1993, 2, 2), sex="M")
    older = register_person(
        social_store,
        form(birth_name="Roux", first_names="Jade", birth_date="01/02/2023", phone=""),
        reference(),
        TODAY,
    )
    link_people(social_store, mother, older.id, "mother")
    child_form = form(
        birth_name="Roux",
        first_names="Léo",
        birth_date="10/10/2025",
        sex="M",
        phone="",
        parents=[ParentChoice(mother, "mother"), ParentChoice(father, "father")],
    )
    child = register_person(social_store, child_form, reference(), TODAY)
    with social_store.session() as session:
        mine = household(session, child.id, TODAY)
        assert [(m.relation, m.name) for m in mine] == [
            ("Mère", "ROUX Camille"),
            ("Père", "BLANC Hugo"),
            ("Sœur", "ROUX Jade"),
        ]
        hers = household(session, mother, TODAY)
        assert [(m.relation, m.name, m.age) for m in hers] == [
            ("Fille", "ROUX Jade", "3 ans et 9 mois"),
            ("Fils", "ROUX Léo", "13 mois et 13 jours"),
        ]
    assert counts(social_store) == (4, 3, 7)


def test_bad_parents_refuse_the_whole_registration(social_store: LocalStore) -> None:
    young = add_person(social_store, "Roux", "Jade", dt.date(2023, 2, 1))
    mother = add_person(social_store, "Roux", "Camille", dt.date(1960, 5, 5))
    before = counts(social_store)
    for parents, message in [
        ([ParentChoice(young, "mother")], "ROUX Jade est née après l'enfant"),
        ([ParentChoice("no-such-id", "mother")], "n'existe pas"),
        ([ParentChoice(young, "aunt")], "Choisissez le lien"),
        ([ParentChoice(mother, "mother")] * 2, "indiqué deux fois"),
    ]:
        with pytest.raises(ValidationError) as caught:
            register_person(social_store, form(parents=parents), reference(), TODAY)
        assert message in caught.value.errors["parents"]
    assert counts(social_store) == before


def test_linking_and_unlinking_people_already_registered(social_store: LocalStore) -> None:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    child = add_person(social_store, "Roux", "Jade", dt.date(2023, 2, 1))
    link = link_people(social_store, mother, child, "mother")
    for parent, kid, message in [
        (mother, child, "déjà liées"),
        (child, mother, "ROUX Jade est née après l'enfant"),
        (mother, mother, "son propre parent"),
    ]:
        with pytest.raises(ValidationError) as caught:
            link_people(social_store, parent, kid, "mother")
        assert message in caught.value.errors["link"]
    unlink_people(social_store, link)
    with social_store.session() as session:
        assert household(session, child, TODAY) == ()
        stored = session.get(HouseholdLink, link)
        assert stored is not None and stored.deleted, "a tombstone, so that sync sees it go"
    with pytest.raises(ValidationError):
        unlink_people(social_store, link)
    link_people(social_store, mother, child, "guardian")


def test_communes_are_found_by_name_choice_or_postal_code() -> None:
    ref = reference()
    assert resolve_commune(ref, "Die (26150)") == "26113"
    assert resolve_commune(ref, "die") == "26113"
    assert resolve_commune(ref, "etoile sur rhone") == "26124"
    assert resolve_commune(ref, "26000") == "26362"
    assert resolve_commune(ref, "26113") == "26113"
    assert resolve_commune(ref, "26150") is None, "fourteen communes share it"
    assert resolve_commune(ref, "Lyon") is None
