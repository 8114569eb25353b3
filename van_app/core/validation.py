"""Domain validation: what makes a record acceptable, with a French message per field.

Each ``validate_*`` function is pure: it takes the model instance and what it needs (reference
data, today's date) and returns ``{field: message}``, empty when the record is valid. Keys are
the model's attribute names, so a form can put each message next to its field; sub-records use
keys such as ``"orientations[0].partner_code"``. Callers refuse the whole input when the dict is
not empty (``raise_if_errors``): a half-saved consultation would be worse than none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from van_app.core.measures import age_in_days, age_text, format_date, format_length, format_weight
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

SEXES = {"F": "féminin", "M": "masculin", "I": "indéterminé"}
STOP_SERVICES = ("social", "pmi", "both")
SATISFACTION_SERVICES = ("social", "pmi")
CONSULTATION_STATUSES = ("draft", "signed")
PMI_KINDS = ("child", "prenatal")
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
MAX_DURATION_MINUTES = 480
NOTE_MAX_LENGTH = 4000
FOLLOW_UP_NOTE_MAX_LENGTH = 1000
OUTCOME_ORIENTED = "oriented"
OUTCOME_FOLLOW_UP_OPENED = "follow_up_opened"
SATISFACTION_RANGE = (1, 4)

_NBSP = "\u00a0"
_NAME_PUNCTUATION = frozenset(" -'’")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\u00a0\u202f.\-/()]")


class ValidationError(Exception):
    """Input refused as a whole; ``errors`` maps each faulty field to a French message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("\n".join(self.errors.values()))


def raise_if_errors(errors: Mapping[str, str]) -> None:
    """Raise ValidationError when ``errors`` is not empty."""
    if errors:
        raise ValidationError(errors)


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


# -- small checks ----------------------------------------------------------------------------


def _thousands(value: int) -> str:
    """4000 -> "4 000" with a non-breaking space, as French numbers are written."""
    return f"{value:,}".replace(",", _NBSP)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_text(
    errors: dict[str, str],
    key: str,
    value: Any,
    max_length: int,
    *,
    required_message: str | None = None,
) -> None:
    if _blank(value):
        if required_message:
            errors[key] = required_message
        return
    if not isinstance(value, str):
        errors[key] = "Texte attendu."
    elif len(value) > max_length:
        errors[key] = f"Ce texte ne peut pas dépasser {_thousands(max_length)} caractères."


def _check_name(errors: dict[str, str], key: str, value: Any, what: str) -> None:
    """A person's name: letters (accents welcome), spaces, hyphens and apostrophes."""
    if key in errors or _blank(value) or not isinstance(value, str):
        return
    if not any(ch.isalpha() for ch in value) or not all(
        ch.isalpha() or ch in _NAME_PUNCTUATION for ch in value
    ):
        errors[key] = (
            f"{what} ne doit contenir que des lettres, des espaces, des traits d'union "
            "ou des apostrophes."
        )


def _check_date(
    errors: dict[str, str],
    key: str,
    value: Any,
    *,
    required_message: str | None = None,
    today: dt.date | None = None,
    future_message: str = "Cette date ne peut pas être dans le futur.",
) -> bool:
    """Check presence, type and not-in-the-future; True when ``value`` is a usable date."""
    if value is None:
        if required_message:
            errors[key] = required_message
        return False
    if not _is_date(value):
        errors[key] = "Date invalide."
        return False
    if today is not None and value > today:
        errors[key] = future_message
        return False
    return True


def _check_not_before(
    errors: dict[str, str], key: str, value: Any, limit: Any, message: str
) -> None:
    if key not in errors and _is_date(value) and _is_date(limit) and value < limit:
        errors[key] = message


def _check_code(
    errors: dict[str, str],
    key: str,
    ref: ReferenceData,
    list_name: str,
    code: Any,
    unknown: str,
    *,
    required_message: str | None = None,
) -> bool:
    """Check one code of a reference list; ``unknown`` is formatted with ``code``."""
    if _blank(code):
        if required_message:
            errors[key] = required_message
        return False
    if not isinstance(code, str) or not ref.is_known(list_name, code):
        errors[key] = unknown.format(code=code)
        return False
    return True


def _check_codes(
    errors: dict[str, str],
    key: str,
    ref: ReferenceData,
    list_name: str,
    codes: Any,
    unknown: tuple[str, str],
    *,
    required_message: str | None = None,
    allowed: Iterable[str] | None = None,
    not_allowed: str = "",
) -> None:
    """Check a list of codes: known, no repeat, optionally within ``allowed``.

    ``unknown`` holds the singular and plural messages, formatted with ``codes``.
    """
    if codes is None:
        codes = []
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        errors[key] = "Liste de codes attendue."
        return
    if not codes:
        if required_message:
            errors[key] = required_message
        return
    bad = [c for c in codes if not ref.is_known(list_name, c)]
    if bad:
        quoted = ", ".join(f"« {c} »" for c in dict.fromkeys(bad))
        errors[key] = (unknown[0] if len(bad) == 1 else unknown[1]).format(codes=quoted)
        return
    if len(set(codes)) != len(codes):
        errors[key] = "Un même élément est indiqué deux fois."
        return
    if allowed is not None:
        allowed_set = set(allowed)
        outside = [c for c in codes if c not in allowed_set]
        if outside:
            errors[key] = not_allowed.format(label=ref.label(list_name, outside[0]))


def _check_duration(errors: dict[str, str], value: Any) -> None:
    if value is None:
        return
    if not _is_int(value) or not 1 <= value <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = (
            f"La durée doit être comprise entre 1 et {MAX_DURATION_MINUTES} minutes."
        )


def _check_status(errors: dict[str, str], status: Any, signed_at: Any) -> None:
    if status not in CONSULTATION_STATUSES:
        errors["status"] = "Statut invalide : la consultation est un brouillon ou signée."
    elif status == "signed" and signed_at is None:
        errors["signed_at"] = "Une consultation signée doit avoir une date de signature."


def _check_range(
    errors: dict[str, str], key: str, value: Any, bounds: tuple[int, int], message: str
) -> bool:
    if value is None:
        return False
    if not _is_int(value) or not bounds[0] <= value <= bounds[1]:
        errors[key] = message
        return False
    return True


def _prefixed(prefix: str, errors: Mapping[str, str]) -> dict[str, str]:
    return {f"{prefix}.{key}": message for key, message in errors.items()}


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


# -- social ----------------------------------------------------------------------------------


def validate_follow_up(follow_up: FollowUp, ref: ReferenceData, today: dt.date) -> dict[str, str]:
    """A demand followed until it is resolved: dates in order, closure with an outcome."""
    errors: dict[str, str] = {}
    if _blank(follow_up.beneficiary_id):
        errors["beneficiary_id"] = "Le suivi doit concerner une personne."
    _check_code(
        errors,
        "demand_type",
        ref,
        "demand_types",
        follow_up.demand_type,
        "Type de demande inconnu : « {code} ».",
        required_message="Indiquez le type de demande suivie.",
    )
    opened_ok = _check_date(
        errors,
        "opened_on",
        follow_up.opened_on,
        required_message="La date d'ouverture du suivi est obligatoire.",
        today=today,
        future_message="La date d'ouverture du suivi ne peut pas être dans le futur.",
    )
    if (
        _check_date(
            errors,
            "due_on",
            follow_up.due_on,
            required_message="L'échéance du suivi est obligatoire.",
        )
        and opened_ok
    ):
        _check_not_before(
            errors,
            "due_on",
            follow_up.due_on,
            follow_up.opened_on,
            "L'échéance ne peut pas être antérieure à l'ouverture du suivi.",
        )
    closed_ok = _check_date(
        errors,
        "closed_on",
        follow_up.closed_on,
        today=today,
        future_message="La date de clôture ne peut pas être dans le futur.",
    )
    if closed_ok and opened_ok:
        _check_not_before(
            errors,
            "closed_on",
            follow_up.closed_on,
            follow_up.opened_on,
            "La date de clôture ne peut pas être antérieure à l'ouverture du suivi.",
        )
    if _blank(follow_up.outcome):
        if follow_up.closed_on is not None and "closed_on" not in errors:
            errors["outcome"] = "Indiquez l'issue du suivi clôturé."
    else:
        _check_code(
            errors,
            "outcome",
            ref,
            "follow_up_outcomes",
            follow_up.outcome,
            "Issue de suivi inconnue : « {code} ».",
        )
        if follow_up.closed_on is None:
            errors["closed_on"] = "Indiquez la date de clôture du suivi."
    _check_text(errors, "note", follow_up.note, FOLLOW_UP_NOTE_MAX_LENGTH)
    return errors


def _validate_orientation(
    orientation: SocialOrientation,
    consultation: SocialConsultation,
    ref: ReferenceData,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if orientation.consultation_id != consultation.id:
        errors["consultation_id"] = "Cette orientation ne se rapporte pas à cette consultation."
    if _check_code(
        errors,
        "partner_code",
        ref,
        "partners",
        orientation.partner_code,
        "Partenaire inconnu : « {code} ».",
        required_message="Choisissez le partenaire.",
    ):
        partner = ref.item("partners", orientation.partner_code)
        if partner is not None and "social" not in partner.get("services", ()):
            errors["partner_code"] = (
                f"Le partenaire « {partner.label} » n'est pas proposé pour le service social."
            )
    if _check_date(
        errors,
        "orientation_date",
        orientation.orientation_date,
        required_message="La date d'orientation est obligatoire.",
        today=today,
        future_message="La date d'orientation ne peut pas être dans le futur.",
    ):
        _check_not_before(
            errors,
            "orientation_date",
            orientation.orientation_date,
            consultation.consultation_date,
            "La date d'orientation ne peut pas être antérieure à la consultation.",
        )
    return errors


def validate_social_consultation(
    consultation: SocialConsultation,
    orientations: Sequence[SocialOrientation],
    follow_ups: Sequence[FollowUp],
    ref: ReferenceData,
    today: dt.date,
) -> dict[str, str]:
    """A social reception with its orientations and the follow-ups it opens.

    A draft may lack its arrival mode and outcome; signing requires both.
    """
    errors: dict[str, str] = {}
    if _blank(consultation.beneficiary_id):
        errors["beneficiary_id"] = "La consultation doit concerner une personne."
    _check_date(
        errors,
        "consultation_date",
        consultation.consultation_date,
        required_message="La date de la consultation est obligatoire.",
        today=today,
        future_message="La date de la consultation ne peut pas être dans le futur.",
    )
    _check_duration(errors, consultation.duration_minutes)
    _check_status(errors, consultation.status, consultation.signed_at)
    signing = consultation.status == "signed"
    _check_codes(
        errors,
        "demand_types",
        ref,
        "demand_types",
        consultation.demand_types,
        ("Type de demande inconnu : {codes}.", "Types de demande inconnus : {codes}."),
        required_message="Indiquez au moins un type de demande.",
    )
    _check_codes(
        errors,
        "actions",
        ref,
        "actions",
        consultation.actions,
        ("Action inconnue : {codes}.", "Actions inconnues : {codes}."),
    )
    _check_code(
        errors,
        "arrival_mode",
        ref,
        "arrival_modes",
        consultation.arrival_mode,
        "Mode d'arrivée inconnu : « {code} ».",
        required_message="Indiquez comment la personne est venue." if signing else None,
    )
    _check_code(
        errors,
        "outcome",
        ref,
        "outcomes",
        consultation.outcome,
        "Issue inconnue : « {code} ».",
        required_message="Indiquez l'issue de la consultation." if signing else None,
    )
    _check_text(errors, "note", consultation.note, NOTE_MAX_LENGTH)

    partners_seen: set[str] = set()
    for index, orientation in enumerate(orientations):
        item_errors = _validate_orientation(orientation, consultation, ref, today)
        if "partner_code" not in item_errors:
            if orientation.partner_code in partners_seen:
                item_errors["partner_code"] = "Ce partenaire figure déjà dans les orientations."
            partners_seen.add(orientation.partner_code)
        errors.update(_prefixed(f"orientations[{index}]", item_errors))

    demand_types = consultation.demand_types or []
    for index, follow_up in enumerate(follow_ups):
        item_errors = validate_follow_up(follow_up, ref, today)
        if follow_up.beneficiary_id != consultation.beneficiary_id:
            item_errors.setdefault(
                "beneficiary_id", "Ce suivi ne concerne pas la personne de la consultation."
            )
        if follow_up.consultation_id is not None and follow_up.consultation_id != consultation.id:
            item_errors["consultation_id"] = "Ce suivi ne se rapporte pas à cette consultation."
        if "demand_type" not in item_errors and follow_up.demand_type not in demand_types:
            item_errors["demand_type"] = (
                "Le suivi doit porter sur l'un des types de demande de la consultation."
            )
        if "opened_on" not in item_errors:
            _check_not_before(
                item_errors,
                "opened_on",
                follow_up.opened_on,
                consultation.consultation_date,
                "Le suivi ne peut pas être ouvert avant la consultation.",
            )
        errors.update(_prefixed(f"follow_ups[{index}]", item_errors))

    if consultation.outcome == OUTCOME_ORIENTED and not orientations:
        errors["orientations"] = (
            f"L'issue « {ref.label('outcomes', OUTCOME_ORIENTED)} » demande au moins "
            "une orientation : indiquez le partenaire."
        )
    if consultation.outcome == OUTCOME_FOLLOW_UP_OPENED and not follow_ups:
        errors["follow_ups"] = (
            f"L'issue « {ref.label('outcomes', OUTCOME_FOLLOW_UP_OPENED)} » demande d'ouvrir "
            "au moins un suivi."
        )
    return errors


# -- PMI -------------------------------------------------------------------------------------

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
    _check_text(errors, "note", consultation.note, NOTE_MAX_LENGTH)

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
