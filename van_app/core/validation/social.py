"""Validation of the social service's records: follow-ups, orientations, consultations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from van_app.core.models import FollowUp, SocialConsultation, SocialOrientation
from van_app.core.reference import ReferenceData
from van_app.core.validation.common import (
    FOLLOW_UP_NOTE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OUTCOME_FOLLOW_UP_OPENED,
    OUTCOME_ORIENTED,
    _blank,
    _check_code,
    _check_codes,
    _check_date,
    _check_duration,
    _check_not_before,
    _check_status,
    _check_text,
    _prefixed,
)


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
    _check_text(errors, "note", follow_up.note, FOLLOW_UP_NOTE_MAX_LENGTH, multiline=True)
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
    _check_text(errors, "note", consultation.note, NOTE_MAX_LENGTH, multiline=True)

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
