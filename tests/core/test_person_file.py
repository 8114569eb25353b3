"""A person's file shows only what the reader's roles may read, whoever asks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from tests.core.test_people_search import add_person
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import (
    FollowUp,
    HouseholdLink,
    PmiAddendum,
    PmiConsultation,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    StaffAccount,
    SupervisorReview,
    TourStop,
)
from van_app.core.person_file import (
    PersonFile,
    PersonNotFoundError,
    person_file,
    readable_values,
)
from van_app.core.reference import reference

TODAY = dt.date(2026, 11, 23)
VISIT_DAY = dt.date(2026, 11, 10)
SOCIAL = CurrentUser("amartin", "Agnès Martin", ("social_worker",), "CMS-DIE")
NURSE = CurrentUser("bnguyen", "Binh Nguyen", ("pmi_nurse",), "CMS-DIE")
SUPERVISOR = CurrentUser("croux", "Claire Roux", ("supervisor",), "CMS-DIE")

SOCIAL_SECRETS = ("Dossier RSA préparé avec elle", "RSA (revenu", "CAF (caisse", "Pièce ajoutée")
MEDICAL_SECRETS = (
    "7,600 kg",
    "7600",
    "68,5 cm",
    "Enfant tonique",
    "BCG",
    "Rappel du vaccin prévu",
    "grossesse",
    "Grossesse sans souci",
    "22 SA",
    "Complément demandé",
)


@dataclasses.dataclass
class Family:
    mother: str
    child: str
    social_visit: str
    child_visit: str
    prenatal_visit: str


def _written(store: LocalStore, author: str, *records: Any) -> None:
    with store.session() as session:
        for record in records:
            record.author = author
            session.add(store.stamp(record))
            session.flush()


@pytest.fixture
def family(social_store: LocalStore) -> Family:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    child = add_person(social_store, "Roux", "Léo", dt.date(2026, 2, 1), sex="M")
    _written(
        social_store,
        "admin",
        StaffAccount(username="bnguyen", display_name="Binh Nguyen", roles=["pmi_nurse"],
                     cms_code="CMS-DIE", author="", device=""),
        StaffAccount(username="croux", display_name="Claire Roux", roles=["supervisor"],
                     cms_code="CMS-DIE", author="", device=""),
    )  # fmt: skip
    stop = TourStop(
        commune_insee="26167",
        stop_date=VISIT_DAY,
        start_time=dt.time(9, 30),
        end_time=dt.time(12, 30),
        place="Parking de la salle des fêtes",
        services="both",
        cms_code="CMS-DIE",
        author="",
        device="",
    )
    link = HouseholdLink(parent_id=mother, child_id=child, relation="mother", author="", device="")
    social = SocialConsultation(
        beneficiary_id=mother,
        stop_id=stop.id,
        consultation_date=VISIT_DAY,
        duration_minutes=30,
        status="signed",
        demand_types=["rsa"],
        actions=["file_preparation"],
        outcome="oriented",
        note="Dossier RSA préparé avec elle",
        author="",
        device="",
    )
    child_visit = PmiConsultation(
        beneficiary_id=child,
        stop_id=stop.id,
        consultation_date=VISIT_DAY,
        status="signed",
        kind="child",
        weight_g=7600,
        length_mm=685,
        vaccinations=["bcg"],
        note="Enfant tonique",
        author="",
        device="",
    )
    prenatal = PmiConsultation(
        beneficiary_id=mother,
        stop_id=None,
        consultation_date=VISIT_DAY - dt.timedelta(days=30),
        kind="prenatal",
        gestational_age_weeks=22,
        note="Grossesse sans souci",
        author="",
        device="",
    )
    _written(social_store, "croux", stop)
    _written(social_store, "amartin", link, social)
    _written(
        social_store,
        "amartin",
        SocialOrientation(consultation_id=social.id, partner_code="caf",
                          orientation_date=VISIT_DAY, author="", device=""),
        SocialAddendum(consultation_id=social.id, note="Pièce ajoutée", author="", device=""),
        FollowUp(beneficiary_id=mother, consultation_id=social.id, demand_type="rsa",
                 opened_on=VISIT_DAY, due_on=VISIT_DAY + dt.timedelta(days=14),
                 author="", device=""),
    )  # fmt: skip
    _written(social_store, "bnguyen", child_visit, prenatal)
    _written(
        social_store,
        "bnguyen",
        PmiAddendum(consultation_id=child_visit.id, note="Rappel du vaccin prévu",
                    author="", device=""),
    )  # fmt: skip
    _written(
        social_store,
        "croux",
        SupervisorReview(consultation_id=social.id, consultation_kind="social",
                         status="validated", comment="Bien orientée", author="", device=""),
        SupervisorReview(consultation_id=prenatal.id, consultation_kind="pmi",
                         status="completion_requested", comment="", author="", device=""),
    )  # fmt: skip
    return Family(mother, child, social.id, child_visit.id, prenatal.id)


def every_text(value: Any) -> str:
    """Everything a returned structure holds, flattened to one string."""
    if dataclasses.is_dataclass(value):
        return " | ".join(every_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple | set | frozenset):
        return " | ".join(every_text(item) for item in value)
    return str(value)


def file_of(store: LocalStore, user: CurrentUser, person_id: str) -> PersonFile:
    with store.session() as session:
        return person_file(session, user, person_id, reference(), TODAY)


def test_the_social_worker_never_sees_a_pmi_measure(
    social_store: LocalStore, family: Family
) -> None:
    child_file = file_of(social_store, SOCIAL, family.child)
    everything = every_text(child_file)
    for secret in MEDICAL_SECRETS:
        assert secret not in everything
    (visit,) = child_file.visits
    assert (visit.title, visit.date, visit.service) == ("Consultation PMI", VISIT_DAY, "pmi")
    assert visit.place == "Luc-en-Diois — Parking de la salle des fêtes"
    assert visit.details == () and visit.notes == ()
    assert not visit.can_open
    assert child_file.can_start == ("social",)

    mother_file = file_of(social_store, SOCIAL, family.mother)
    everything = every_text(mother_file)
    for secret in MEDICAL_SECRETS:
        assert secret not in everything
    social, prenatal = mother_file.visits
    assert prenatal.title == "Consultation PMI" and prenatal.place == "Hors tournée"
    assert social.can_open and not prenatal.can_open
    details = {entry.label: entry.value for entry in social.details}
    assert details["Note"] == "Dossier RSA préparé avec elle"
    assert details["Demandes"] == "RSA (revenu de solidarité active)"
    assert details["Orientation"] == "CAF (caisse d'allocations familiales) (10/11/2026)"
    assert [(n.title, n.text) for n in social.notes] == [
        ("Complément", "Pièce ajoutée"),
        ("Revue : validée", "Bien orientée"),
    ]
    (follow_up,) = mother_file.follow_ups
    assert follow_up.is_open and follow_up.details[0].value.startswith("RSA")


def test_the_nurse_never_sees_a_social_note(social_store: LocalStore, family: Family) -> None:
    mother_file = file_of(social_store, NURSE, family.mother)
    everything = every_text(mother_file)
    for secret in (*SOCIAL_SECRETS, "Bien orientée"):
        assert secret not in everything
    assert mother_file.follow_ups == ()
    social, prenatal = mother_file.visits
    assert social.title == "Consultation sociale" and not social.can_open
    assert [e.label for e in social.details] == ["Durée"], "class S metadata only"
    assert social.notes == ()
    assert prenatal.title == "Consultation PMI — suivi de grossesse" and prenatal.can_open
    assert {e.label: e.value for e in prenatal.details}["Terme"] == "22 SA"
    assert [n.title for n in prenatal.notes] == ["Revue : complément demandé"]
    assert mother_file.can_start == ("pmi",)

    child_file = file_of(social_store, NURSE, family.child)
    (visit,) = child_file.visits
    details = {entry.label: entry.value for entry in visit.details}
    assert details["Poids"] == "7,600 kg" and details["Taille"] == "68,5 cm"
    assert details["Vaccinations"].startswith("BCG")
    assert [(n.title, n.author) for n in visit.notes] == [("Complément", "Binh Nguyen")]


def test_the_supervisor_reads_service_and_social_classes(
    social_store: LocalStore, family: Family
) -> None:
    mother_file = file_of(social_store, SUPERVISOR, family.mother)
    everything = every_text(mother_file)
    assert "Dossier RSA préparé avec elle" in everything
    for secret in ("Grossesse sans souci", "22 SA", "grossesse"):
        assert secret not in everything
    social, prenatal = mother_file.visits
    assert not social.can_open and not prenatal.can_open
    assert [n.title for n in prenatal.notes] == ["Revue : complément demandé"], "her own review"
    assert mother_file.can_start == ()


def test_identity_and_household(social_store: LocalStore, family: Family) -> None:
    child_file = file_of(social_store, NURSE, family.child)
    assert child_file.name == "ROUX Léo"
    assert child_file.age == "9 mois et 22 jours"
    identity = {entry.label: entry.value for entry in child_file.identity}
    assert identity["Date de naissance"] == "01/02/2026 (9 mois et 22 jours)"
    assert identity["Sexe"] == "Masculin"
    assert identity["Commune"] == "Die"
    assert identity["Téléphone"] == "non renseigné"
    (mother,) = child_file.household
    assert (mother.person_id, mother.relation, mother.name) == (
        family.mother,
        "Mère",
        "ROUX Camille",
    )


def test_projection_drops_what_the_roles_may_not_read(family: Family) -> None:
    visit = PmiConsultation(beneficiary_id="x", consultation_date=VISIT_DAY, kind="child",
                            weight_g=4000, note="secret", author="b", device="d")  # fmt: skip
    seen = readable_values(visit, SOCIAL.roles)
    assert "consultation_date" in seen
    assert not {"kind", "weight_g", "note", "vaccinations"} & set(seen)
    assert {"kind", "weight_g", "note"} <= set(readable_values(visit, NURSE.roles))


def test_a_deleted_person_has_no_file(social_store: LocalStore) -> None:
    gone = add_person(social_store, "Achard", "Odette", deleted=True)
    with pytest.raises(PersonNotFoundError):
        file_of(social_store, SOCIAL, gone)
    with pytest.raises(PersonNotFoundError):
        file_of(social_store, SOCIAL, "no-such-id")
