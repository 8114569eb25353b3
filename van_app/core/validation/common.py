"""Shared pieces of domain validation: the error type, the field checks and the limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

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


class ValidationError(Exception):
    """Input refused as a whole; ``errors`` maps each faulty field to a French message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("\n".join(self.errors.values()))


def raise_if_errors(errors: Mapping[str, str]) -> None:
    """Raise ValidationError when ``errors`` is not empty."""
    if errors:
        raise ValidationError(errors)


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


# What no field may hold (the server refuses it too): lone surrogates and control characters;
# free text (notes) may hold tabs and line breaks, one-line fields may not.
_ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FREE_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` holds a character no field may (French), or None."""
    if (_FREE_TEXT_BAD if multiline else _ONE_LINE_BAD).search(value) is None:
        return None
    if not multiline and ("\n" in value or "\t" in value):
        return "Ce champ tient sur une ligne : retirez le retour à la ligne ou la tabulation."
    return (
        "Ce texte contient un caractère invisible ou invalide (collé depuis un autre logiciel ?) "
        ": retapez-le ou retirez ce caractère."
    )


def _check_text(
    errors: dict[str, str],
    key: str,
    value: Any,
    max_length: int,
    *,
    required_message: str | None = None,
    multiline: bool = False,
) -> None:
    if _blank(value):
        if required_message:
            errors[key] = required_message
        return
    if not isinstance(value, str):
        errors[key] = "Texte attendu."
    elif problem := text_problem(value, multiline=multiline):
        errors[key] = problem
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
