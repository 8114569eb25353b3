"""Domain validation: invalid input is refused whole, with a French message on the right field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    SocialOrientation,
    TourStop,
)
from van_app.core.reference import ReferenceData
from van_app.core.validation import (
    ValidationError,
    normalize_phone,
    raise_if_errors,
    validate_beneficiary,
    validate_follow_up,
    validate_pmi_consultation,
    validate_satisfaction,
    validate_social_consultation,
    validate_tour_stop,
)

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "drome_resources" / "reference"
TODAY = dt.date(2026, 11, 23)
REF = ReferenceData.load(REFERENCE_DIR)


def beneficiary(**changes: Any) -> Beneficiary:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "birth_name": "Durand",
        "first_names": "Hélène Marie",
        "birth_date": dt.date(1990, 4, 12),
        "sex": "F",
        "commune_insee": "26114",
        "phone": "06 12 34 56 78",
        "information_date": dt.date(2026, 11, 2),
    }
    values.update(changes)
    return Beneficiary(**values)


def child(**changes: Any) -> Beneficiary:
    values: dict[str, Any] = {
        "birth_name": "Martin",
        "first_names": "Léo",
        "birth_date": dt.date(2026, 11, 11),
        "sex": "M",
    }
    values.update(changes)
    return beneficiary(**values)


def stop(**changes: Any) -> TourStop:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "commune_insee": "26114",
        "stop_date": dt.date(2026, 12, 3),
        "start_time": dt.time(9, 30),
        "end_time": dt.time(16, 0),
        "place": "Place du Champ-de-Mars, devant la mairie",
        "services": "both",
        "cms_code": "cms_nyons",
    }
    values.update(changes)
    return TourStop(**values)


def social(**changes: Any) -> SocialConsultation:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "beneficiary_id": "b1",
        "consultation_date": dt.date(2026, 11, 20),
        "duration_minutes": 40,
        "arrival_mode": "town_hall_poster",
        "demand_types": ["energy", "digital_access"],
        "actions": ["information", "online_procedure"],
        "outcome": "resolved_on_spot",
        "note": "Aide à la demande de chèque énergie en ligne.",
    }
    values.update(changes)
    return SocialConsultation(**values)


def orientation(consultation: SocialConsultation, **changes: Any) -> SocialOrientation:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "consultation_id": consultation.id,
        "partner_code": "caf",
        "orientation_date": consultation.consultation_date,
    }
    values.update(changes)
    return SocialOrientation(**values)


def follow_up(consultation: SocialConsultation | None = None, **changes: Any) -> FollowUp:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "beneficiary_id": "b1",
        "consultation_id": consultation.id if consultation else None,
        "demand_type": "energy",
        "opened_on": dt.date(2026, 11, 20),
        "due_on": dt.date(2026, 12, 4),
    }
    values.update(changes)
    return FollowUp(**values)


def pmi_child(baby: Beneficiary, **changes: Any) -> PmiConsultation:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "beneficiary_id": baby.id,
        "consultation_date": dt.date(2026, 11, 23),
        "kind": "child",
        "weight_g": 3450,
        "length_mm": 505,
        "head_circumference_mm": 350,
        "feeding_mode": "exclusive_breastfeeding",
        "advice_topics": ["safe_sleep", "crying_shaken_baby", "cord_care"],
        "development": ["eye_contact"],
    }
    values.update(changes)
    return PmiConsultation(**values)


def pmi_prenatal(mother: Beneficiary, **changes: Any) -> PmiConsultation:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "beneficiary_id": mother.id,
        "consultation_date": dt.date(2026, 11, 23),
        "kind": "prenatal",
        "gestational_age_weeks": 24,
        "expected_term_date": dt.date(2027, 3, 10),
        "maternal_weight_g": 68500,
        "blood_pressure_systolic": 118,
        "blood_pressure_diastolic": 72,
        "early_prenatal_interview_done": True,
        "advice_topics": ["birth_preparation", "pregnancy_nutrition"],
    }
    values.update(changes)
    return PmiConsultation(**values)


def assert_french_sentences(errors: dict[str, str]) -> None:
    """Every message is a full sentence that a professional can read next to the field."""
    for key, message in errors.items():
        assert message[0].isupper() and message.endswith("."), (key, message)
        assert "None" not in message, (key, message)


# -- ValidationError ----------------------------------------------------------------------------


def test_raise_if_errors() -> None:
    raise_if_errors({})
    errors = {"birth_date": "La date de naissance ne peut pas être dans le futur."}
    with pytest.raises(ValidationError) as excinfo:
        raise_if_errors(errors)
    assert excinfo.value.errors == errors
    assert "La date de naissance ne peut pas être dans le futur." in str(excinfo.value)


# -- beneficiary -----------------------------------------------------------------------------


def test_valid_beneficiary_with_accented_names() -> None:
    for first_names in ("Hélène", "Marie-Hélène", "Zoë Anaïs", "Çağla"):
        assert validate_beneficiary(beneficiary(first_names=first_names), REF, TODAY) == {}
    for name in ("N'Diaye", "O’Connor", "Le Gall", "Saint-Exupéry"):
        assert validate_beneficiary(beneficiary(birth_name=name), REF, TODAY) == {}


def test_future_birth_date_is_refused() -> None:
    errors = validate_beneficiary(beneficiary(birth_date=dt.date(2026, 11, 24)), REF, TODAY)
    assert errors == {"birth_date": "La date de naissance ne peut pas être dans le futur."}


def test_birth_today_is_accepted_and_before_1900_refused() -> None:
    assert (
        validate_beneficiary(beneficiary(birth_date=TODAY, information_date=None), REF, TODAY) == {}
    )
    errors = validate_beneficiary(beneficiary(birth_date=dt.date(1899, 12, 31)), REF, TODAY)
    assert errors == {
        "birth_date": "La date de naissance ne peut pas être antérieure au 01/01/1900."
    }


def test_required_identity_fields() -> None:
    errors = validate_beneficiary(
        beneficiary(birth_name="  ", first_names="", birth_date=None, sex=None), REF, TODAY
    )
    assert errors["birth_name"] == "Le nom de naissance est obligatoire."
    assert errors["first_names"] == "Le ou les prénoms sont obligatoires."
    assert errors["birth_date"] == "La date de naissance est obligatoire."
    assert errors["sex"] == "Le sexe doit être F (féminin), M (masculin) ou I (indéterminé)."
    assert_french_sentences(errors)


@pytest.mark.parametrize("sex", ["F", "M", "I"])
def test_sex_values(sex: str) -> None:
    assert validate_beneficiary(beneficiary(sex=sex), REF, TODAY) == {}


def test_bad_identity_values() -> None:
    errors = validate_beneficiary(
        beneficiary(birth_name="Dur4nd", sex="X", first_names="x" * 151), REF, TODAY
    )
    assert set(errors) == {"birth_name", "sex", "first_names"}
    assert "lettres" in errors["birth_name"]
    assert errors["first_names"] == "Ce texte ne peut pas dépasser 150 caractères."
    assert_french_sentences(errors)


def test_commune_must_be_a_known_insee_code() -> None:
    assert validate_beneficiary(beneficiary(commune_insee=None), REF, TODAY) == {}
    errors = validate_beneficiary(beneficiary(commune_insee="07010"), REF, TODAY)
    assert set(errors) == {"commune_insee"}
    assert "« 07010 »" in errors["commune_insee"]
    assert "Drôme" in errors["commune_insee"]


@pytest.mark.parametrize(
    ("phone", "normalized"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("04.75.46.96.80", "04 75 46 96 80"),
        ("04-75-46-96-80", "04 75 46 96 80"),
        ("+33 4 75 46 96 80", "04 75 46 96 80"),
        ("0033 6 12 34 56 78", "06 12 34 56 78"),
    ],
)
def test_french_phone_numbers_are_accepted(phone: str, normalized: str) -> None:
    assert normalize_phone(phone) == normalized
    assert validate_beneficiary(beneficiary(phone=phone), REF, TODAY) == {}


@pytest.mark.parametrize("phone", ["061234567", "06123456789", "00 12 34 56 78", "06 12 ab 56 78"])
def test_bad_phone_numbers_are_refused(phone: str) -> None:
    errors = validate_beneficiary(beneficiary(phone=phone), REF, TODAY)
    assert set(errors) == {"phone"}
    assert errors["phone"].startswith("Numéro de téléphone invalide")


def test_information_date_not_in_future() -> None:
    errors = validate_beneficiary(beneficiary(information_date=dt.date(2027, 1, 1)), REF, TODAY)
    assert errors == {"information_date": "La date d'information ne peut pas être dans le futur."}


# -- tour stop -------------------------------------------------------------------------------


def test_valid_tour_stop() -> None:
    for services in ("social", "pmi", "both"):
        assert validate_tour_stop(stop(services=services), REF) == {}


def test_tour_stop_errors() -> None:
    errors = validate_tour_stop(
        stop(
            commune_insee="99999",
            start_time=dt.time(14, 0),
            end_time=dt.time(9, 0),
            services="tout",
            place=" ",
        ),
        REF,
    )
    assert set(errors) == {"commune_insee", "end_time", "services", "place"}
    assert errors["end_time"] == "L'heure de fin doit être postérieure à l'heure de début."
    assert errors["place"] == "Indiquez le lieu de stationnement du camion."
    assert_french_sentences(errors)


def test_tour_stop_end_equal_to_start_is_refused() -> None:
    errors = validate_tour_stop(stop(start_time=dt.time(9), end_time=dt.time(9)), REF)
    assert set(errors) == {"end_time"}


# -- social consultation -------------------------------------------------------------------------


def test_valid_social_consultation() -> None:
    consultation = social(outcome="oriented")
    assert (
        validate_social_consultation(
            consultation, [orientation(consultation)], [follow_up(consultation)], REF, TODAY
        )
        == {}
    )
    assert validate_social_consultation(social(), [], [], REF, TODAY) == {}


def test_social_consultation_in_future_is_refused() -> None:
    errors = validate_social_consultation(
        social(consultation_date=dt.date(2026, 11, 24)), [], [], REF, TODAY
    )
    assert errors == {
        "consultation_date": "La date de la consultation ne peut pas être dans le futur."
    }


def test_demand_types_required_and_known() -> None:
    errors = validate_social_consultation(social(demand_types=[]), [], [], REF, TODAY)
    assert errors == {"demand_types": "Indiquez au moins un type de demande."}
    errors = validate_social_consultation(
        social(demand_types=["energy", "astrologie"]), [], [], REF, TODAY
    )
    assert errors == {"demand_types": "Type de demande inconnu : « astrologie »."}
    errors = validate_social_consultation(social(demand_types=["x", "y"]), [], [], REF, TODAY)
    assert errors == {"demand_types": "Types de demande inconnus : « x », « y »."}
    errors = validate_social_consultation(
        social(demand_types=["energy", "energy"]), [], [], REF, TODAY
    )
    assert set(errors) == {"demand_types"}


def test_unknown_actions_arrival_mode_and_outcome() -> None:
    errors = validate_social_consultation(
        social(actions=["magie"], arrival_mode="pigeon", outcome="peut_etre"), [], [], REF, TODAY
    )
    assert errors == {
        "actions": "Action inconnue : « magie ».",
        "arrival_mode": "Mode d'arrivée inconnu : « pigeon ».",
        "outcome": "Issue inconnue : « peut_etre ».",
    }


def test_unknown_partner_is_refused() -> None:
    consultation = social(outcome="oriented")
    errors = validate_social_consultation(
        consultation, [orientation(consultation, partner_code="nasa")], [], REF, TODAY
    )
    assert errors == {"orientations[0].partner_code": "Partenaire inconnu : « nasa »."}


def test_pmi_only_partner_is_refused_for_the_social_service() -> None:
    consultation = social(outcome="oriented")
    orientations = [orientation(consultation), orientation(consultation, partner_code="camsp")]
    errors = validate_social_consultation(consultation, orientations, [], REF, TODAY)
    assert set(errors) == {"orientations[1].partner_code"}
    assert "n'est pas proposé pour le service social" in errors["orientations[1].partner_code"]


def test_orientation_dates_and_duplicates() -> None:
    consultation = social(outcome="oriented")
    orientations = [
        orientation(consultation, orientation_date=dt.date(2026, 11, 19)),
        orientation(consultation, partner_code="cpam", orientation_date=dt.date(2026, 12, 1)),
        orientation(consultation, partner_code="cpam"),
        orientation(consultation, partner_code="msa", consultation_id="other"),
    ]
    errors = validate_social_consultation(consultation, orientations, [], REF, TODAY)
    assert errors == {
        "orientations[0].orientation_date": (
            "La date d'orientation ne peut pas être antérieure à la consultation."
        ),
        "orientations[1].orientation_date": (
            "La date d'orientation ne peut pas être dans le futur."
        ),
        "orientations[2].partner_code": "Ce partenaire figure déjà dans les orientations.",
        "orientations[3].consultation_id": (
            "Cette orientation ne se rapporte pas à cette consultation."
        ),
    }


def test_oriented_outcome_requires_an_orientation() -> None:
    errors = validate_social_consultation(social(outcome="oriented"), [], [], REF, TODAY)
    assert set(errors) == {"orientations"}
    assert "« Orienté vers un partenaire »" in errors["orientations"]
    assert_french_sentences(errors)


def test_follow_up_opened_outcome_requires_a_follow_up() -> None:
    consultation = social(outcome="follow_up_opened")
    errors = validate_social_consultation(consultation, [], [], REF, TODAY)
    assert set(errors) == {"follow_ups"}
    assert "« Suivi ouvert »" in errors["follow_ups"]
    assert (
        validate_social_consultation(consultation, [], [follow_up(consultation)], REF, TODAY) == {}
    )


def test_follow_ups_of_a_consultation() -> None:
    consultation = social(outcome="follow_up_opened")
    follow_ups = [
        follow_up(consultation, due_on=dt.date(2026, 11, 19)),
        follow_up(consultation, demand_type="housing"),
        follow_up(consultation, opened_on=dt.date(2026, 11, 18), due_on=dt.date(2026, 11, 30)),
        follow_up(consultation, beneficiary_id="someone_else"),
    ]
    errors = validate_social_consultation(consultation, [], follow_ups, REF, TODAY)
    assert errors == {
        "follow_ups[0].due_on": "L'échéance ne peut pas être antérieure à l'ouverture du suivi.",
        "follow_ups[1].demand_type": (
            "Le suivi doit porter sur l'un des types de demande de la consultation."
        ),
        "follow_ups[2].opened_on": "Le suivi ne peut pas être ouvert avant la consultation.",
        "follow_ups[3].beneficiary_id": (
            "Ce suivi ne concerne pas la personne de la consultation."
        ),
    }


@pytest.mark.parametrize("minutes", [0, -5, 481, 1000])
def test_duration_out_of_range_is_refused(minutes: int) -> None:
    errors = validate_social_consultation(social(duration_minutes=minutes), [], [], REF, TODAY)
    assert errors == {"duration_minutes": "La durée doit être comprise entre 1 et 480 minutes."}


@pytest.mark.parametrize("minutes", [None, 1, 480])
def test_duration_in_range_is_accepted(minutes: int | None) -> None:
    assert validate_social_consultation(social(duration_minutes=minutes), [], [], REF, TODAY) == {}


def test_note_length_limit() -> None:
    assert validate_social_consultation(social(note="a" * 4000), [], [], REF, TODAY) == {}
    errors = validate_social_consultation(social(note="a" * 4001), [], [], REF, TODAY)
    assert errors == {"note": "Ce texte ne peut pas dépasser 4\u00a0000 caractères."}


@pytest.mark.parametrize("bad", ["\ud800", "\udfff", "\x00", "\x01", "\x1b", "\x7f", "\x85"])
def test_characters_no_field_may_hold_are_refused_in_french(bad: str) -> None:
    """What the server would refuse is refused here first, next to the field."""
    note = validate_social_consultation(social(note=f"Dossier{bad} CAF"), [], [], REF, TODAY)
    assert "caractère invisible ou invalide" in note["note"]
    place = validate_beneficiary(beneficiary(birthplace=f"Die{bad}"), REF, TODAY)
    assert "caractère invisible ou invalide" in place["birthplace"]


def test_line_breaks_belong_to_notes_only() -> None:
    assert validate_social_consultation(social(note="Ligne 1\n\tLigne 2"), [], [], REF, TODAY) == {}
    errors = validate_beneficiary(beneficiary(birthplace="Die\nCrest"), REF, TODAY)
    assert "une ligne" in errors["birthplace"]


def test_a_draft_may_be_incomplete_but_signing_requires_outcome_and_arrival() -> None:
    draft = social(arrival_mode=None, outcome=None)
    assert validate_social_consultation(draft, [], [], REF, TODAY) == {}
    signed = social(
        arrival_mode=None,
        outcome=None,
        status="signed",
        signed_at=dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC),
    )
    errors = validate_social_consultation(signed, [], [], REF, TODAY)
    assert errors == {
        "arrival_mode": "Indiquez comment la personne est venue.",
        "outcome": "Indiquez l'issue de la consultation.",
    }
    errors = validate_social_consultation(social(status="signed"), [], [], REF, TODAY)
    assert set(errors) == {"signed_at"}


# -- follow-up -------------------------------------------------------------------------------


def test_follow_up_closure() -> None:
    assert validate_follow_up(follow_up(), REF, TODAY) == {}
    closed = follow_up(closed_on=dt.date(2026, 11, 22), outcome="resolved")
    assert validate_follow_up(closed, REF, TODAY) == {}
    assert validate_follow_up(follow_up(closed_on=dt.date(2026, 11, 22)), REF, TODAY) == {
        "outcome": "Indiquez l'issue du suivi clôturé."
    }
    assert validate_follow_up(follow_up(outcome="resolved"), REF, TODAY) == {
        "closed_on": "Indiquez la date de clôture du suivi."
    }
    errors = validate_follow_up(
        follow_up(closed_on=dt.date(2026, 11, 1), outcome="victoire", demand_type="x"), REF, TODAY
    )
    assert errors == {
        "closed_on": "La date de clôture ne peut pas être antérieure à l'ouverture du suivi.",
        "outcome": "Issue de suivi inconnue : « victoire ».",
        "demand_type": "Type de demande inconnu : « x ».",
    }


def test_follow_up_in_future_is_refused() -> None:
    errors = validate_follow_up(
        follow_up(opened_on=dt.date(2026, 12, 1), due_on=dt.date(2026, 12, 15)), REF, TODAY
    )
    assert errors == {"opened_on": "La date d'ouverture du suivi ne peut pas être dans le futur."}


# -- PMI, child -------------------------------------------------------------------------------


def test_valid_newborn_consultation() -> None:
    baby = child()
    consultation = pmi_child(
        baby,
        vaccinations=["bcg"],
        orientation_partner="pmi_doctor",
        orientation_date=TODAY,
        next_appointment=dt.date(2026, 12, 21),
    )
    assert validate_pmi_consultation(consultation, baby, REF, TODAY) == {}


def test_a_34500_g_newborn_is_refused_in_french() -> None:
    baby = child()
    errors = validate_pmi_consultation(pmi_child(baby, weight_g=34500), baby, REF, TODAY)
    assert set(errors) == {"weight_g"}
    message = errors["weight_g"]
    assert message.startswith("Poids invraisemblable pour un enfant de 12 jours : 34,500 kg")
    assert "Vérifiez la saisie." in message
    assert_french_sentences(errors)


def test_length_and_head_circumference_checked_against_age() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(baby, length_mm=5050, head_circumference_mm=35), baby, REF, TODAY
    )
    assert set(errors) == {"length_mm", "head_circumference_mm"}
    assert "505,0 cm" in errors["length_mm"]
    assert errors["head_circumference_mm"].startswith("Périmètre crânien invraisemblable")


def test_a_weight_plausible_at_two_years_is_refused_at_twelve_days_and_conversely() -> None:
    baby = child()
    older = child(birth_date=dt.date(2024, 11, 1))
    assert validate_pmi_consultation(pmi_child(baby, weight_g=12000), baby, REF, TODAY)
    assert (
        validate_pmi_consultation(
            pmi_child(older, weight_g=12000, length_mm=870, head_circumference_mm=480),
            older,
            REF,
            TODAY,
        )
        == {}
    )
    assert validate_pmi_consultation(
        pmi_child(older, weight_g=3450, length_mm=870, head_circumference_mm=480), older, REF, TODAY
    )


@settings(max_examples=60, deadline=None)
@given(age_days=st.integers(min_value=0, max_value=6 * 365), data=st.data())
def test_weights_inside_the_band_pass_and_outside_fail(age_days: int, data: st.DataObject) -> None:
    baby = child(birth_date=TODAY - dt.timedelta(days=age_days))
    band = REF.measure_band(age_days)
    assert band is not None
    low, high = band.weight_g
    inside = data.draw(st.integers(min_value=low, max_value=high))
    outside = data.draw(
        st.one_of(st.integers(min_value=1, max_value=low - 1), st.integers(high + 1, 500_000))
    )
    base = {"length_mm": None, "head_circumference_mm": None}
    ok = validate_pmi_consultation(pmi_child(baby, weight_g=inside, **base), baby, REF, TODAY)
    assert "weight_g" not in ok
    bad = validate_pmi_consultation(pmi_child(baby, weight_g=outside, **base), baby, REF, TODAY)
    assert bad["weight_g"].startswith("Poids invraisemblable")


def test_consultation_before_birth_is_refused() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(baby, consultation_date=dt.date(2026, 11, 1)), baby, REF, TODAY
    )
    assert errors == {
        "consultation_date": (
            "La date de la consultation ne peut pas être antérieure à la date de naissance."
        )
    }


def test_pmi_consultation_in_future_is_refused() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(baby, consultation_date=dt.date(2026, 11, 30)), baby, REF, TODAY
    )
    assert errors == {
        "consultation_date": "La date de la consultation ne peut pas être dans le futur."
    }


def test_child_codes_must_be_known() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(
            baby,
            feeding_mode="soda",
            vaccinations=["hexa_1", "varicelle"],
            development=["vole"],
            advice_topics=["astrologie"],
        ),
        baby,
        REF,
        TODAY,
    )
    assert errors == {
        "feeding_mode": "Mode d'alimentation inconnu : « soda ».",
        "vaccinations": "Vaccin inconnu : « varicelle ».",
        "development": "Repère de développement inconnu : « vole ».",
        "advice_topics": "Thème de conseil inconnu : « astrologie ».",
    }


def test_prenatal_topic_and_fields_are_refused_for_a_child() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(baby, advice_topics=["birth_preparation"], gestational_age_weeks=30),
        baby,
        REF,
        TODAY,
    )
    assert errors["gestational_age_weeks"] == "Sans objet pour une consultation d'enfant."
    assert "n'est pas proposé pour ce type de consultation" in errors["advice_topics"]


def test_pmi_orientation_partner_must_be_known_and_open_to_pmi() -> None:
    baby = child()
    for partner in ("camsp", "paediatrician", "midwife", "pmi_doctor"):
        consultation = pmi_child(baby, orientation_partner=partner, orientation_date=TODAY)
        assert validate_pmi_consultation(consultation, baby, REF, TODAY) == {}, partner
    errors = validate_pmi_consultation(
        pmi_child(baby, orientation_partner="caf", orientation_date=TODAY), baby, REF, TODAY
    )
    assert errors == {
        "orientation_partner": (
            "Le partenaire « CAF (caisse d'allocations familiales) » n'est pas proposé pour la PMI."
        )
    }
    errors = validate_pmi_consultation(
        pmi_child(baby, orientation_partner="zz", orientation_date=TODAY), baby, REF, TODAY
    )
    assert errors == {"orientation_partner": "Partenaire inconnu : « zz »."}
    errors = validate_pmi_consultation(
        pmi_child(baby, orientation_partner="camsp"), baby, REF, TODAY
    )
    assert errors == {"orientation_date": "Indiquez la date d'orientation."}


def test_next_appointment_not_before_the_consultation() -> None:
    baby = child()
    errors = validate_pmi_consultation(
        pmi_child(baby, next_appointment=dt.date(2026, 11, 22)), baby, REF, TODAY
    )
    assert errors == {
        "next_appointment": "Le prochain rendez-vous ne peut pas être antérieur à la consultation."
    }
    same_day = pmi_child(baby, next_appointment=TODAY)
    assert validate_pmi_consultation(same_day, baby, REF, TODAY) == {}


def test_wrong_beneficiary_and_bad_kind() -> None:
    baby = child()
    other = child()
    errors = validate_pmi_consultation(pmi_child(baby, kind="adulte"), other, REF, TODAY)
    assert set(errors) == {"kind", "beneficiary_id"}
    assert_french_sentences(errors)


# -- PMI, prenatal ------------------------------------------------------------------------------


def test_valid_prenatal_consultation() -> None:
    mother = beneficiary()
    assert validate_pmi_consultation(pmi_prenatal(mother), mother, REF, TODAY) == {}


@pytest.mark.parametrize("weeks", [0, 43, -1])
def test_gestational_age_out_of_range(weeks: int) -> None:
    mother = beneficiary()
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, gestational_age_weeks=weeks), mother, REF, TODAY
    )
    assert errors == {
        "gestational_age_weeks": (
            "L'âge gestationnel doit être compris entre 1 et 42 semaines d'aménorrhée."
        )
    }


def test_implausible_blood_pressure_and_maternal_weight() -> None:
    mother = beneficiary()
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, blood_pressure_systolic=300, maternal_weight_g=6800),
        mother,
        REF,
        TODAY,
    )
    assert set(errors) == {"blood_pressure_systolic", "maternal_weight_g"}
    assert errors["maternal_weight_g"].startswith("Poids de la mère invraisemblable : 6,800 kg")
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, blood_pressure_systolic=70, blood_pressure_diastolic=90),
        mother,
        REF,
        TODAY,
    )
    assert errors == {
        "blood_pressure_diastolic": (
            "La tension diastolique doit être inférieure à la tension systolique."
        )
    }
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, blood_pressure_diastolic=None), mother, REF, TODAY
    )
    assert errors == {"blood_pressure_diastolic": "Indiquez aussi la tension diastolique."}


def test_expected_term_date_consistent_with_visit() -> None:
    mother = beneficiary()
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, expected_term_date=dt.date(2028, 1, 1)), mother, REF, TODAY
    )
    assert set(errors) == {"expected_term_date"}


def test_child_fields_are_refused_in_a_prenatal_consultation() -> None:
    mother = beneficiary()
    errors = validate_pmi_consultation(
        pmi_prenatal(mother, weight_g=3450, vaccinations=["hexa_1"], advice_topics=["screens"]),
        mother,
        REF,
        TODAY,
    )
    assert errors["weight_g"] == "Sans objet pour un suivi de grossesse."
    assert errors["vaccinations"] == "Sans objet pour un suivi de grossesse."
    assert "advice_topics" in errors


# -- satisfaction ------------------------------------------------------------------------------


def answer(**changes: Any) -> SatisfactionAnswer:
    values: dict[str, Any] = {
        "author": "u",
        "device": "d",
        "answered_on": TODAY,
        "service": "social",
        "service_rendered": 4,
        "reception": 3,
        "waiting_time": 1,
    }
    values.update(changes)
    return SatisfactionAnswer(**values)


@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_satisfaction_answers_one_to_four(value: int) -> None:
    assert validate_satisfaction(answer(service_rendered=value, reception=value)) == {}


@pytest.mark.parametrize("value", [0, 5, -1, True, "4"])
def test_satisfaction_out_of_range(value: Any) -> None:
    errors = validate_satisfaction(answer(reception=value))
    assert errors == {
        "reception": "La réponse doit être comprise entre 1 (mauvais) et 4 (excellent)."
    }


def test_satisfaction_service_and_date() -> None:
    errors = validate_satisfaction(
        answer(service="both", answered_on=dt.date(2026, 12, 1), waiting_time=None), today=TODAY
    )
    assert set(errors) == {"service", "answered_on", "waiting_time"}
    assert_french_sentences(errors)
