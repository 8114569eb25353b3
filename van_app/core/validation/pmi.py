"""Validation of PMI consultations: a child's measures and follow-up, or a pregnancy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from van_app.core.measures import age_in_days, age_text, format_length, format_weight
from van_app.core.models import Beneficiary, PmiConsultation
from van_app.core.reference import ReferenceData
from van_app.core.validation.common import (
    NOTE_MAX_LENGTH,
    PMI_KINDS,
    _blank,
    _check_code,
    _check_codes,
    _check_date,
    _check_duration,
    _check_not_before,
    _check_range,
    _check_status,
    _check_text,
    _is_date,
    _is_int,
)

_CHILD_ONLY = (
    "weight_g",
    "length_mm",
    "head_circumference_mm",
    "feeding_mode",
    "vaccinations",
    "development",
)
_PRENATAL_ONLY = (
    "gestational_age_weeks",
    "expected_term_date",
    "maternal_weight_g",
    "blood_pressure_systolic",
    "blood_pressure_diastolic",
    "early_prenatal_interview_done",
)
# An expected term date more than this before the visit, or further ahead, cannot be right.
_TERM_DAYS_BEFORE_VISIT = 14
_TERM_DAYS_AFTER_VISIT = 280


def _filled(value: Any) -> bool:
    return value is not None and value != [] and value != ""


def _check_child_measures(
    errors: dict[str, str],
    consultation: PmiConsultation,
    birth_date: dt.date,
    ref: ReferenceData,
) -> None:
    """Each measure positive and within the plausible band for the child's age."""
    visit = consultation.consultation_date
    band = ref.measure_band(age_in_days(birth_date, visit))
    age = age_text(birth_date, visit)
    measures = (
        ("weight_g", "Poids", format_weight, band.weight_g if band else None),
        ("length_mm", "Taille", format_length, band.length_mm if band else None),
        (
            "head_circumference_mm",
            "Périmètre crânien",
            format_length,
            band.head_circumference_mm if band else None,
        ),
    )
    for key, name, fmt, bounds in measures:
        value = getattr(consultation, key)
        if value is None:
            continue
        if not _is_int(value) or value <= 0:
            errors[key] = f"{name} invalide : une valeur positive est attendue."
        elif bounds is not None and not bounds[0] <= value <= bounds[1]:
            errors[key] = (
                f"{name} invraisemblable pour un enfant de {age} : {fmt(value)} (valeurs "
                f"admises de {fmt(bounds[0])} à {fmt(bounds[1])}). Vérifiez la saisie."
            )


def _check_prenatal(
    errors: dict[str, str], consultation: PmiConsultation, ref: ReferenceData
) -> None:
    limits = ref.prenatal_limits
    low, high = limits.gestational_age_weeks
    _check_range(
        errors,
        "gestational_age_weeks",
        consultation.gestational_age_weeks,
        limits.gestational_age_weeks,
        f"L'âge gestationnel doit être compris entre {low} et {high} semaines d'aménorrhée.",
    )
    weight = consultation.maternal_weight_g
    if weight is not None:
        low, high = limits.maternal_weight_g
        if not _is_int(weight) or not low <= weight <= high:
            shown = format_weight(weight) if _is_int(weight) else str(weight)
            errors["maternal_weight_g"] = (
                f"Poids de la mère invraisemblable : {shown} (valeurs admises de "
                f"{format_weight(low)} à {format_weight(high)}). Vérifiez la saisie."
            )
    systolic, diastolic = (
        consultation.blood_pressure_systolic,
        consultation.blood_pressure_diastolic,
    )
    low, high = limits.blood_pressure_systolic_mmhg
    systolic_ok = _check_range(
        errors,
        "blood_pressure_systolic",
        systolic,
        limits.blood_pressure_systolic_mmhg,
        f"Tension systolique invraisemblable : elle doit être comprise entre {low} et {high} mmHg.",
    )
    low, high = limits.blood_pressure_diastolic_mmhg
    diastolic_ok = _check_range(
        errors,
        "blood_pressure_diastolic",
        diastolic,
        limits.blood_pressure_diastolic_mmhg,
        f"Tension diastolique invraisemblable : elle doit être comprise entre {low} et "
        f"{high} mmHg.",
    )
    if systolic is None and diastolic is not None:
        errors["blood_pressure_systolic"] = "Indiquez aussi la tension systolique."
    elif diastolic is None and systolic is not None:
        errors["blood_pressure_diastolic"] = "Indiquez aussi la tension diastolique."
    elif systolic_ok and diastolic_ok and systolic <= diastolic:
        errors["blood_pressure_diastolic"] = (
            "La tension diastolique doit être inférieure à la tension systolique."
        )
    term = consultation.expected_term_date
    visit = consultation.consultation_date
    if term is not None:
        if not _is_date(term):
            errors["expected_term_date"] = "Date invalide."
        elif _is_date(visit) and not (
            visit - dt.timedelta(days=_TERM_DAYS_BEFORE_VISIT)
            <= term
            <= visit + dt.timedelta(days=_TERM_DAYS_AFTER_VISIT)
        ):
            errors["expected_term_date"] = (
                "La date prévue d'accouchement est incohérente avec la date de la consultation."
            )


def validate_pmi_consultation(
    consultation: PmiConsultation,
    beneficiary: Beneficiary | None,
    ref: ReferenceData,
    today: dt.date,
) -> dict[str, str]:
    """A PMI consultation: a child's measures and follow-up, or a pregnancy follow-up.

    ``beneficiary`` is the child (kind "child") or the pregnant woman (kind "prenatal"); its
    birth date gives the age against which the measures are checked.
    """
    errors: dict[str, str] = {}
    kind = consultation.kind
    if kind not in PMI_KINDS:
        errors["kind"] = "Type de consultation invalide : enfant ou suivi de grossesse."
    if _blank(consultation.beneficiary_id):
        errors["beneficiary_id"] = "La consultation doit concerner une personne."
    elif beneficiary is not None and beneficiary.id != consultation.beneficiary_id:
        errors["beneficiary_id"] = "La consultation ne correspond pas à cette personne."
    birth_date = beneficiary.birth_date if beneficiary is not None else None
    visit_ok = _check_date(
        errors,
        "consultation_date",
        consultation.consultation_date,
        required_message="La date de la consultation est obligatoire.",
        today=today,
        future_message="La date de la consultation ne peut pas être dans le futur.",
    )
    if visit_ok and _is_date(birth_date):
        _check_not_before(
            errors,
            "consultation_date",
            consultation.consultation_date,
            birth_date,
            "La date de la consultation ne peut pas être antérieure à la date de naissance.",
        )
    visit_ok = visit_ok and "consultation_date" not in errors
    _check_duration(errors, consultation.duration_minutes)
    _check_status(errors, consultation.status, consultation.signed_at)
    _check_text(errors, "note", consultation.note, NOTE_MAX_LENGTH, multiline=True)

    if kind == "child":
        for key in _PRENATAL_ONLY:
            if _filled(getattr(consultation, key)):
                errors[key] = "Sans objet pour une consultation d'enfant."
        has_measures = any(
            getattr(consultation, key) is not None
            for key in ("weight_g", "length_mm", "head_circumference_mm")
        )
        if has_measures and visit_ok:
            if _is_date(birth_date):
                _check_child_measures(errors, consultation, birth_date, ref)
            else:
                errors["beneficiary_id"] = (
                    "La date de naissance de l'enfant est inconnue : les mesures ne peuvent "
                    "pas être contrôlées."
                )
        _check_code(
            errors,
            "feeding_mode",
            ref,
            "feeding_modes",
            consultation.feeding_mode,
            "Mode d'alimentation inconnu : « {code} ».",
        )
        _check_codes(
            errors,
            "vaccinations",
            ref,
            "vaccines",
            consultation.vaccinations,
            ("Vaccin inconnu : {codes}.", "Vaccins inconnus : {codes}."),
        )
        _check_codes(
            errors,
            "development",
            ref,
            "development_milestones",
            consultation.development,
            (
                "Repère de développement inconnu : {codes}.",
                "Repères de développement inconnus : {codes}.",
            ),
        )
    elif kind == "prenatal":
        for key in _CHILD_ONLY:
            if _filled(getattr(consultation, key)):
                errors[key] = "Sans objet pour un suivi de grossesse."
        _check_prenatal(errors, consultation, ref)

    if kind in PMI_KINDS:
        _check_codes(
            errors,
            "advice_topics",
            ref,
            "pmi_advice_topics",
            consultation.advice_topics,
            ("Thème de conseil inconnu : {codes}.", "Thèmes de conseil inconnus : {codes}."),
            allowed=(t.code for t in ref.advice_topics_for(kind)),
            not_allowed=("Le thème « {label} » n'est pas proposé pour ce type de consultation."),
        )

    partner_code = consultation.orientation_partner
    if not _blank(partner_code):
        if _check_code(
            errors,
            "orientation_partner",
            ref,
            "partners",
            partner_code,
            "Partenaire inconnu : « {code} ».",
        ):
            partner = ref.item("partners", partner_code)
            if partner is not None and "pmi" not in partner.get("services", ()):
                errors["orientation_partner"] = (
                    f"Le partenaire « {partner.label} » n'est pas proposé pour la PMI."
                )
        if consultation.orientation_date is None:
            errors["orientation_date"] = "Indiquez la date d'orientation."
    elif consultation.orientation_date is not None:
        errors["orientation_partner"] = (
            "Indiquez le partenaire vers lequel la personne est orientée."
        )
    if consultation.orientation_date is not None and _check_date(
        errors,
        "orientation_date",
        consultation.orientation_date,
        today=today,
        future_message="La date d'orientation ne peut pas être dans le futur.",
    ):
        _check_not_before(
            errors,
            "orientation_date",
            consultation.orientation_date,
            consultation.consultation_date,
            "La date d'orientation ne peut pas être antérieure à la consultation.",
        )
    if _check_date(errors, "next_appointment", consultation.next_appointment):
        _check_not_before(
            errors,
            "next_appointment",
            consultation.next_appointment,
            consultation.consultation_date,
            "Le prochain rendez-vous ne peut pas être antérieur à la consultation.",
        )
    return errors
