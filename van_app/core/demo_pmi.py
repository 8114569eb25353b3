"""A demo child's PMI visits: the van's, after the earlier ones at the calendar's ages.

The earlier visits (at the CMS, "hors tournée") follow one line of the WHO curves, give each
vaccine dose at its age and tick the milestones of the age, so no demo file trips the warnings
of an implausible measure, of two doses of one vaccine too close together or of a milestone
missing past its alert age; the demo test checks the first two.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left

from van_app.core.measures import age_in_months
from van_app.core.models import Beneficiary, PmiConsultation, TourStop
from van_app.core.reference import ReferenceData
from van_app.core.validation import raise_if_errors, validate_pmi_consultation

# WHO 2006 medians (both sexes, rounded) by age in months: weight g, length mm, head mm.
_GROWTH_MONTHS = [0, 1, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48]
_GROWTH_MEDIANS = [
    (3300, 496, 342),
    (4350, 541, 370),
    (5350, 578, 388),
    (6100, 607, 402),
    (6700, 632, 413),
    (7600, 667, 430),
    (8550, 711, 446),
    (9250, 748, 457),
    (10550, 815, 470),
    (11850, 864, 480),
    (14000, 955, 492),
    (16100, 1030, 500),
]


def _median_at(age_days: int) -> tuple[int, int, int]:
    """The medians at ``age_days``, interpolated between the months of the table."""
    months = age_days / 30.4375
    i = min(max(bisect_left(_GROWTH_MONTHS, months), 1), len(_GROWTH_MONTHS) - 1)
    m0, m1 = _GROWTH_MONTHS[i - 1], _GROWTH_MONTHS[i]
    t = min(max((months - m0) / (m1 - m0), 0.0), 1.0)
    a, b = _GROWTH_MEDIANS[i - 1], _GROWTH_MEDIANS[i]
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


# The PMI's usual visits before the van's (age in days): monthly in the first half-year, then
# at 9, 11, 12 and 16 months and 2 years. Every dose of the calendar falls on one of them.
EARLIER_VISIT_AGES = (30, 61, 91, 122, 152, 183, 274, 335, 365, 487, 730)
EARLIER_VISIT_GAP_DAYS = 21  # the last earlier visit is at least three weeks before the van's
ADVICE_TOPICS = ("feeding", "sleep", "safe_sleep", "development", "vaccination", "home_accidents")


def child_visits(
    ref: ReferenceData,
    rng: random.Random,
    today: dt.date,
    child: Beneficiary,
    stop: TourStop,
) -> list[PmiConsultation]:
    """The child's earlier visits then the van's one at ``stop``, each validated."""
    age = (stop.stop_date - child.birth_date).days
    factor = rng.uniform(0.92, 1.08)  # the child's own line on the curves
    doses = [d for d in ref.vaccine_doses_for(child.birth_date) if not d.get("targeted")]
    given: set[str] = set()
    acquired: set[str] = set()  # development milestones ticked at an earlier visit
    visits = []
    for visit_age in EARLIER_VISIT_AGES:
        if visit_age > age - EARLIER_VISIT_GAP_DAYS:
            break
        # A day or two late at most: two doses of a vaccine stay 28 days apart or more.
        day = child.birth_date + dt.timedelta(days=visit_age + rng.randint(0, 2))
        due = [d.code for d in doses if d.get("due_age_days") <= visit_age]
        vaccinations = [code for code in due if code not in given]
        development = _milestones_reached(ref, child, day, acquired)
        visits.append(
            _consultation(ref, rng, today, child, day, None, factor, vaccinations, development)
        )
        given.update(due)
    due = [d.code for d in doses if d.get("due_age_days") <= age and d.code not in given]
    skipped = rng.choice([0, 0, 1])  # sometimes a dose is put off to the next visit
    vaccinations = due[: max(0, len(due) - skipped)]
    development = _milestones_reached(ref, child, stop.stop_date, acquired)
    day = stop.stop_date
    visits.append(
        _consultation(ref, rng, today, child, day, stop, factor, vaccinations, development)
    )
    return visits


def _milestones_reached(
    ref: ReferenceData, child: Beneficiary, day: dt.date, acquired: set[str]
) -> list[str]:
    """The milestones of the child's age not ticked before (and now counted as ticked)."""
    months = age_in_months(child.birth_date, day)
    codes = [
        m.code
        for m in ref.development_milestones
        if m.get("age_months", 0) <= months and m.code not in acquired
    ]
    acquired.update(codes)
    return codes


def _consultation(
    ref: ReferenceData,
    rng: random.Random,
    today: dt.date,
    child: Beneficiary,
    day: dt.date,
    stop: TourStop | None,
    factor: float,
    vaccinations: list[str],
    development: list[str],
) -> PmiConsultation:
    age = (day - child.birth_date).days
    weight, length, head = _median_at(age)
    feeding = (
        rng.choice(["exclusive_breastfeeding", "mixed_feeding", "infant_formula"])
        if age < 180
        else ("diversification" if age < 365 else "family_food")
    )
    consultation = PmiConsultation(
        beneficiary_id=child.id,
        stop_id=stop.id if stop else None,
        consultation_date=day,
        duration_minutes=rng.choice([20, 30, 40]),
        known_before=stop is None or rng.random() < 0.4,
        status="signed" if day < today else "draft",
        kind="child",
        weight_g=round(weight * factor / 5) * 5,
        length_mm=round(length * (1 + (factor - 1) / 3)),
        head_circumference_mm=round(head * (1 + (factor - 1) / 4)),
        feeding_mode=feeding,
        vaccinations=vaccinations,
        development=development,
        advice_topics=rng.sample(ADVICE_TOPICS, k=2),
        next_appointment=day + dt.timedelta(days=28),
        note="Enfant éveillé, bonne interaction avec sa mère."
        if stop
        else "Consultation de suivi au CMS de Die.",
        author="",
        device="",
    )
    if consultation.status == "signed":
        consultation.signed_at = dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)
    raise_if_errors(validate_pmi_consultation(consultation, child, ref, today))
    return consultation
