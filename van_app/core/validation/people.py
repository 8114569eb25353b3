"""Validation of a beneficiary (with phone numbers), a tour stop and a satisfaction answer."""

from __future__ import annotations

import datetime as dt
import re

from van_app.core.measures import format_date
from van_app.core.models import Beneficiary, SatisfactionAnswer, TourStop
from van_app.core.reference import ReferenceData
from van_app.core.validation.common import (
    EARLIEST_BIRTH_DATE,
    SATISFACTION_RANGE,
    SATISFACTION_SERVICES,
    SEXES,
    STOP_SERVICES,
    _blank,
    _check_date,
    _check_name,
    _check_not_before,
    _check_text,
    _is_int,
)

_PHONE_SEPARATORS_RE = re.compile(r"[\s\u00a0\u202f.\-/()]")


def normalize_phone(text: str | None) -> str | None:
    """A French phone number as "04 75 46 96 80", or None when it is not one.

    Accepts spaces, dots and dashes, and the +33 / 0033 international forms.
    """
    if not text:
        return None
    digits = _PHONE_SEPARATORS_RE.sub("", text)
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return None
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


# -- beneficiary and tour --------------------------------------------------------------------


def validate_beneficiary(b: Beneficiary, ref: ReferenceData, today: dt.date) -> dict[str, str]:
    """Identity and contact of a person received in the van."""
    errors: dict[str, str] = {}
    _check_text(
        errors,
        "birth_name",
        b.birth_name,
        100,
        required_message="Le nom de naissance est obligatoire.",
    )
    _check_name(errors, "birth_name", b.birth_name, "Le nom de naissance")
    _check_text(errors, "usual_name", b.usual_name, 100)
    _check_name(errors, "usual_name", b.usual_name, "Le nom d'usage")
    _check_text(
        errors,
        "first_names",
        b.first_names,
        150,
        required_message="Le ou les prénoms sont obligatoires.",
    )
    _check_name(errors, "first_names", b.first_names, "Le prénom")
    if _check_date(
        errors,
        "birth_date",
        b.birth_date,
        required_message="La date de naissance est obligatoire.",
        today=today,
        future_message="La date de naissance ne peut pas être dans le futur.",
    ):
        _check_not_before(
            errors,
            "birth_date",
            b.birth_date,
            EARLIEST_BIRTH_DATE,
            "La date de naissance ne peut pas être antérieure au "
            f"{format_date(EARLIEST_BIRTH_DATE)}.",
        )
    if b.sex not in SEXES:
        errors["sex"] = "Le sexe doit être F (féminin), M (masculin) ou I (indéterminé)."
    _check_text(errors, "birthplace", b.birthplace, 100)
    if not _blank(b.commune_insee) and not ref.is_known("communes", b.commune_insee):
        errors["commune_insee"] = (
            f"Commune inconnue : le code INSEE « {b.commune_insee} » n'est pas celui "
            "d'une commune de la Drôme."
        )
    if not _blank(b.phone) and normalize_phone(b.phone) is None:
        errors["phone"] = (
            "Numéro de téléphone invalide : saisissez 10 chiffres, par exemple 06 12 34 56 78."
        )
    if (
        _check_date(
            errors,
            "information_date",
            b.information_date,
            today=today,
            future_message="La date d'information ne peut pas être dans le futur.",
        )
        and "birth_date" not in errors
    ):
        _check_not_before(
            errors,
            "information_date",
            b.information_date,
            b.birth_date,
            "La date d'information ne peut pas être antérieure à la date de naissance.",
        )
    return errors


def validate_tour_stop(stop: TourStop, ref: ReferenceData) -> dict[str, str]:
    """A planned stop of the van: where, when, which services."""
    errors: dict[str, str] = {}
    if _blank(stop.commune_insee):
        errors["commune_insee"] = "Choisissez la commune de l'étape."
    elif not ref.is_known("communes", stop.commune_insee):
        errors["commune_insee"] = (
            f"Commune inconnue : le code INSEE « {stop.commune_insee} » n'est pas celui "
            "d'une commune de la Drôme."
        )
    _check_date(errors, "stop_date", stop.stop_date, required_message="La date est obligatoire.")
    start_ok = isinstance(stop.start_time, dt.time)
    end_ok = isinstance(stop.end_time, dt.time)
    if not start_ok:
        errors["start_time"] = "L'heure de début est obligatoire."
    if not end_ok:
        errors["end_time"] = "L'heure de fin est obligatoire."
    if start_ok and end_ok and stop.end_time <= stop.start_time:
        errors["end_time"] = "L'heure de fin doit être postérieure à l'heure de début."
    _check_text(
        errors,
        "place",
        stop.place,
        200,
        required_message="Indiquez le lieu de stationnement du camion.",
    )
    if stop.services not in STOP_SERVICES:
        errors["services"] = "Choisissez les services proposés : social, PMI ou les deux."
    _check_text(errors, "cms_code", stop.cms_code, 32, required_message="Le CMS est obligatoire.")
    return errors


# -- satisfaction ----------------------------------------------------------------------------


def validate_satisfaction(
    answer: SatisfactionAnswer, today: dt.date | None = None
) -> dict[str, str]:
    """One anonymous answer: each of the three questions rated 1 (mauvais) to 4 (excellent)."""
    errors: dict[str, str] = {}
    if answer.service not in SATISFACTION_SERVICES:
        errors["service"] = "Indiquez le service évalué : social ou PMI."
    _check_date(
        errors,
        "answered_on",
        answer.answered_on,
        required_message="La date de la réponse est obligatoire.",
        today=today,
        future_message="La date de la réponse ne peut pas être dans le futur.",
    )
    low, high = SATISFACTION_RANGE
    for key in ("service_rendered", "reception", "waiting_time"):
        value = getattr(answer, key)
        if value is None:
            errors[key] = "Choisissez une réponse."
        elif not _is_int(value) or not low <= value <= high:
            errors[key] = (
                f"La réponse doit être comprise entre {low} (mauvais) et {high} (excellent)."
            )
    return errors
