"""Reading and writing measures, ages and dates the way French professionals type and read them.

Measures are stored as integers (grams, millimetres) so a child's weight never drifts through
float rounding; these functions are the only place where "3,450 kg" becomes 3450 and back.
Parse errors are ``ValueError`` whose message is French and can be shown next to the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_NUMBER_RE = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?|[.,]\d+)(?P<unit>[a-zà-ÿœ]*)\.?$")
_SPACES_RE = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class _Measure:
    """How to name a measure in messages, with the right French agreement."""

    subject: str  # "Le poids"
    feminine: bool
    example: str


_WEIGHT = _Measure("Le poids", False, "« 3,450 kg » ou « 3450 g »")
_LENGTH = _Measure("La taille", True, "« 52,5 cm » ou « 525 mm »")
_HEAD = _Measure("Le périmètre crânien", False, "« 35,5 cm » ou « 355 mm »")

_WEIGHT_UNITS: dict[str, int] = {
    "g": 1,
    "gr": 1,
    "gramme": 1,
    "grammes": 1,
    "kg": 1000,
    "kgs": 1000,
    "kilo": 1000,
    "kilos": 1000,
    "kilogramme": 1000,
    "kilogrammes": 1000,
}
_LENGTH_UNITS: dict[str, int] = {
    "mm": 1,
    "millimètre": 1,
    "millimètres": 1,
    "cm": 10,
    "centimètre": 10,
    "centimètres": 10,
    "m": 1000,
    "mètre": 1000,
    "mètres": 1000,
}


def _parse(text: str | None, measure: _Measure, units: dict[str, int], bare: int) -> int:
    """Parse ``text`` into the integer base unit; ``bare`` is the factor of a unit-less number."""
    if text is None or not str(text).strip():
        what = measure.subject[0].lower() + measure.subject[1:]
        raise ValueError(f"Saisissez {what}, par exemple {measure.example}.")
    compact = _SPACES_RE.sub("", str(text).strip().lower())
    if compact.startswith("-"):
        negative = "négative" if measure.feminine else "négatif"
        raise ValueError(f"{measure.subject} ne peut pas être {negative}.")
    match = _NUMBER_RE.match(compact)
    if not match or (match["unit"] and match["unit"] not in units):
        raise ValueError(
            f"{measure.subject} « {str(text).strip()} » n'est pas lisible. "
            f"Exemples acceptés : {measure.example}."
        )
    try:
        number = Decimal(match["number"].replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        raise ValueError(f"{measure.subject} « {text} » n'est pas lisible.") from None
    factor = units[match["unit"]] if match["unit"] else bare
    value = int((number * factor).to_integral_value(rounding=ROUND_HALF_UP))
    if value <= 0:
        raise ValueError(
            f"{measure.subject} doit être supérieur{'e' if measure.feminine else ''} à zéro."
        )
    return value


def parse_weight_g(text: str | None, *, bare_number_in_kg: bool | None = None) -> int:
    """Grams from "3,450 kg", "3.45kg", "3450 g", "3 450", "3,45".

    A number without unit is read as kilograms below 100 and as grams from 100 on (a baby's
    weight is typed either way). Pass ``bare_number_in_kg=True`` for an adult's weight, where
    "105" means 105 kg.
    """
    if bare_number_in_kg is None:
        compact = _SPACES_RE.sub("", str(text or "").strip().lower())
        match = _NUMBER_RE.match(compact)
        bare = 1
        if match and not match["unit"]:
            bare = 1000 if Decimal(match["number"].replace(",", ".")) < 100 else 1
    else:
        bare = 1000 if bare_number_in_kg else 1
    return _parse(text, _WEIGHT, _WEIGHT_UNITS, bare)


def parse_length_mm(text: str | None) -> int:
    """Millimetres from "52,5 cm", "525 mm", "1,05 m" or a bare number, read as centimetres."""
    return _parse(text, _LENGTH, _LENGTH_UNITS, 10)


def parse_head_circumference_mm(text: str | None) -> int:
    """Millimetres from "35,5 cm", "355 mm" or a bare number, read as centimetres."""
    return _parse(text, _HEAD, _LENGTH_UNITS, 10)


def format_weight(grams: int) -> str:
    """ "3,450 kg": kilograms with the three decimals that say the weight is to the gram."""
    sign = "-" if grams < 0 else ""
    kilos, rest = divmod(abs(int(grams)), 1000)
    return f"{sign}{kilos},{rest:03d} kg"


def format_length(mm: int) -> str:
    """ "52,5 cm": centimetres with one decimal, the precision of a measuring board."""
    sign = "-" if mm < 0 else ""
    cm, rest = divmod(abs(int(mm)), 10)
    return f"{sign}{cm},{rest} cm"


format_head_circumference = format_length


def format_date(value: dt.date) -> str:
    """ "23/11/2026", the French numeric date."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def parse_date(text: str) -> dt.date:
    """A date typed the French way: "23/11/2026", "23-11-2026", "23.11.2026" or "2026-11-23"."""
    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", raw)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"La date « {raw} » n'existe pas.") from None
    raise ValueError(f"Date illisible : « {raw} ». Saisissez-la sous la forme JJ/MM/AAAA.")


def age_in_days(birth: dt.date, on: dt.date) -> int:
    """Days since birth on ``on``; ValueError if ``on`` is before the birth."""
    if on < birth:
        raise ValueError("La date est antérieure à la date de naissance.")
    return (on - birth).days


def _add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus whole months, on the month's last day when the day does not exist."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def age_in_months(birth: dt.date, on: dt.date) -> int:
    """Completed calendar months since birth (a child born on 15/01 is 1 month old on 15/02)."""
    age_in_days(birth, on)
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if _add_months(birth, months) > on:
        months -= 1
    return months


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count < 2 else plural}"


def age_text(birth: dt.date, on: dt.date) -> str:
    """The age in words: "12 jours", "3 mois et 12 jours", "2 ans et 4 mois", "34 ans".

    Under two years the age is given in months and days as PMI staff count it; then in years
    and months; adults in years only.
    """
    months = age_in_months(birth, on)
    if months < 24:
        days = (on - _add_months(birth, months)).days
        day_text = _plural(days, "jour", "jours")
        if months == 0:
            return day_text
        month_text = f"{months} mois"
        return month_text if days == 0 else f"{month_text} et {day_text}"
    years, rest = divmod(months, 12)
    year_text = _plural(years, "an", "ans")
    if years >= 18 or rest == 0:
        return year_text
    return f"{year_text} et {rest} mois"
