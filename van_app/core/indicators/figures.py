"""The activity report as plain frozen values: what the dashboard, the PDF and the XLSX show.

Counts are ints, shares are fractions (0.45, not 45), and a share with no denominator is None
so that "no answer yet" is never shown as "0 %". A section a user may not read (class C for a
nurse, class M for the supervisor) is None with the French reason next to it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from van_app.core.reference import ReferenceData

SERVICES = ("social", "pmi")


class FilterError(ValueError):
    """A filter the report cannot be computed for; ``str()`` is French, for the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ActivityFilter:
    """The period (both days included), and optionally one commune, one stop, one service."""

    start: dt.date
    end: dt.date
    commune_insee: str | None = None
    stop_id: str | None = None
    service: str | None = None  # "social", "pmi" or None for both

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise FilterError("end", "La fin de la période est avant son début.")
        if self.service is not None and self.service not in SERVICES:
            raise FilterError("service", f"Service inconnu : « {self.service} ».")

    def includes(self, service: str) -> bool:
        return self.service is None or self.service == service


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class CountItem:
    """One bar of a breakdown: a reference code, its French label, its count and share."""

    code: str
    label: str
    count: int
    share: float | None = None


def count_items(
    counter: Counter[str], ref: ReferenceData, list_name: str, whole: int
) -> tuple[CountItem, ...]:
    """Non-zero counts as items, most frequent first, then in the reference file's order."""
    order = {item.code: index for index, item in enumerate(ref.items(list_name))}
    codes = sorted(
        (c for c, n in counter.items() if n), key=lambda c: (-counter[c], order.get(c, 999), c)
    )
    return tuple(
        CountItem(c, ref.label(list_name, c), counter[c], share(counter[c], whole)) for c in codes
    )


@dataclass(frozen=True)
class KeyFigures:
    people: int  # distinct people (a merged duplicate counts as the person it was merged into)
    people_social: int
    people_pmi: int
    consultations: int  # signed, not deleted
    social_consultations: int
    pmi_consultations: int
    drafts_left_out: int  # drafts of the period, not counted anywhere
    first_met: int  # people whose first contact with the van (ever) falls in the period
    unknown_before: int  # of those, not known to the CMS before (the person's own flag)
    unknown_before_share: float | None  # unknown_before / first_met


@dataclass(frozen=True)
class QuestionSatisfaction:
    question: str  # "service_rendered", "reception" or "waiting_time"
    label: str
    answers: int
    good_or_excellent: int
    share: float | None
    distribution: tuple[int, int, int, int]  # answers rated 1 (mauvais) … 4 (excellent)


@dataclass(frozen=True)
class SatisfactionFigures:
    answers: int
    questions: tuple[QuestionSatisfaction, ...]
    consultations: int = 0  # signed consultations of the period and filters
    response_rate: float | None = None  # answers / consultations

    def question(self, code: str) -> QuestionSatisfaction:
        return next(q for q in self.questions if q.question == code)


@dataclass(frozen=True)
class ResolutionFigures:
    """Social consultations' outcomes and the follow-ups' time to resolve (class C)."""

    social_consultations: int
    resolved_on_spot: int
    immediate_share: float | None
    outcomes: tuple[CountItem, ...]
    resolved_follow_ups: int  # closed in the period as fully resolved
    partially_resolved_follow_ups: int  # closed in the period as partially resolved
    other_closed_follow_ups: int  # closed in the period otherwise (redirected, abandoned…)
    resolved_demands: int  # resolved on the spot (0 day) + follow-ups fully resolved
    median_days: float | None  # over every resolved demand, on-the-spot ones as 0 day
    follow_up_median_days: float | None  # over the fully resolved follow-ups only
    delay_buckets: tuple[CountItem, ...]  # codes "0", "1-4", "5-14", "15-21", "22+"
    as_of: dt.date  # the day open and overdue follow-ups are counted at
    open_follow_ups: int
    overdue_follow_ups: int


@dataclass(frozen=True)
class SocialFigures:
    """Demand types and orientations of the signed social consultations (class C)."""

    social_consultations: int
    demand_types: tuple[CountItem, ...]  # most frequent first; share of consultations
    orientations: tuple[CountItem, ...]  # by partner, most frequent first; share of all
    orientations_total: int
    consultations_with_orientation: int
    orientation_share: float | None


@dataclass(frozen=True)
class VaccinationFigures:
    """Doses found late at a child's consultation, by the calendar (class M: PMI staff)."""

    children_checked: int
    children_with_late_doses: int
    late_doses: int  # distinct (child, dose)
    late_doses_given: int  # of those, recorded as given by the end of the period


@dataclass(frozen=True)
class PmiFigures:
    pmi_consultations: int
    children_seen: int
    child_consultations: int
    prenatal_consultations: int
    women_followed: int
    vaccination: VaccinationFigures | None  # None: not readable by this user
    orientations: tuple[CountItem, ...] | None  # None: not readable by this user


@dataclass(frozen=True)
class StopAttendance:
    stop_id: str
    stop_date: dt.date
    commune_insee: str
    commune: str
    place: str
    services: str  # "social", "pmi" or "both"
    people: int
    social_consultations: int
    pmi_consultations: int
    held: bool = True  # False: a planned stop after today (or the period's end), not counted


@dataclass(frozen=True)
class CommuneAttendance:
    """One commune of the tour (``commune_insee`` None: consultations outside any stop)."""

    commune_insee: str | None
    commune: str
    stops: int  # held: up to today (or the period's end if it is past)
    people: int  # distinct over the period
    consultations: int
    people_per_stop: float | None  # the mean, over the held stops, of the people received
    people_by_month: tuple[int, ...]  # aligned with ``ActivityReport.months``
    stops_by_month: tuple[int, ...]  # held stops
    planned_stops: int = 0  # planned after today, not counted yet
    first_met: int = 0  # the Département's indicators, per commune (as the key figures)
    unknown_before: int = 0
    unknown_before_share: float | None = None
    social_consultations: int = 0
    resolved_on_spot: int = 0
    immediate_share: float | None = None  # None also when the user may not read class C
    answers: int = 0  # satisfaction answers given at this commune's stops
    satisfied: int = 0  # "service rendu" rated good or excellent
    satisfaction_share: float | None = None


@dataclass(frozen=True)
class MonthFigures:
    """One month of the period: the series of the annual report."""

    month: dt.date
    people: int
    consultations: int
    first_met: int
    unknown_before: int
    held_stops: int
    resolved_on_spot: int | None  # None: not readable (class C)
    social_consultations: int


@dataclass(frozen=True)
class ActivityReport:
    filter: ActivityFilter
    today: dt.date
    filter_text: tuple[str, ...]  # the filters in French, for the exports' headers
    key: KeyFigures
    satisfaction: SatisfactionFigures
    resolution: ResolutionFigures | None
    social: SocialFigures | None
    social_unavailable: str  # why ``resolution`` and ``social`` are None ("" when they are not)
    pmi: PmiFigures | None
    pmi_unavailable: str
    months: tuple[dt.date, ...]  # the first day of each month of the period
    stops: tuple[StopAttendance, ...]  # by date, then commune (planned ones: held=False)
    communes: tuple[CommuneAttendance, ...]  # by name, "Hors tournée" last
    held_until: dt.date | None = None  # stops after this day are planned, not counted
    monthly: tuple[MonthFigures, ...] = ()  # the key figures month by month (annual report)
    previous: ActivityReport | None = None  # the same filters a year before (comparison)
