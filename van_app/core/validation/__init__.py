"""Domain validation: what makes a record acceptable, with a French message per field."""

# Each ``validate_*`` function is pure: it takes the model instance and what it needs (reference
# data, today's date) and returns ``{field: message}``, empty when the record is valid. Keys are
# the model's attribute names, so a form can put each message next to its field; sub-records use
# keys such as ``"orientations[0].partner_code"``. Callers refuse the whole input when the dict is
# not empty (``raise_if_errors``): a half-saved consultation would be worse than none.

from van_app.core.validation.common import (
    CONSULTATION_STATUSES,
    EARLIEST_BIRTH_DATE,
    FOLLOW_UP_NOTE_MAX_LENGTH,
    MAX_DURATION_MINUTES,
    NOTE_MAX_LENGTH,
    OUTCOME_FOLLOW_UP_OPENED,
    OUTCOME_ORIENTED,
    PMI_KINDS,
    SATISFACTION_RANGE,
    SATISFACTION_SERVICES,
    SEXES,
    STOP_SERVICES,
    ValidationError,
    raise_if_errors,
)
from van_app.core.validation.people import (
    normalize_phone,
    validate_beneficiary,
    validate_satisfaction,
    validate_tour_stop,
)
from van_app.core.validation.pmi import validate_pmi_consultation
from van_app.core.validation.social import validate_follow_up, validate_social_consultation

__all__ = [
    "CONSULTATION_STATUSES",
    "EARLIEST_BIRTH_DATE",
    "FOLLOW_UP_NOTE_MAX_LENGTH",
    "MAX_DURATION_MINUTES",
    "NOTE_MAX_LENGTH",
    "OUTCOME_FOLLOW_UP_OPENED",
    "OUTCOME_ORIENTED",
    "PMI_KINDS",
    "SATISFACTION_RANGE",
    "SATISFACTION_SERVICES",
    "SEXES",
    "STOP_SERVICES",
    "ValidationError",
    "normalize_phone",
    "raise_if_errors",
    "validate_beneficiary",
    "validate_follow_up",
    "validate_pmi_consultation",
    "validate_satisfaction",
    "validate_social_consultation",
    "validate_tour_stop",
]
