"""What every document counts, defined once: the dashboard, the bilan and the anonymised
statistics all read their records through here, so they agree to the unit.

- a consultation counts when it is signed and not deleted (drafts never count), its person
  alive, a merged duplicate standing for the person it was merged into;
- a person is new in a period when her first signed consultation ever (either service, her
  duplicates' included) falls in it; "not known before" is her own flag (``known_to_cms``);
- an orientation counts when it is not deleted and its consultation counts, dated by the
  consultation; a PMI orientation is the counted PMI consultation's;
- a resolved demand is a social consultation resolved on the spot (0 day) or a follow-up of a
  counted consultation closed as resolved (days from opening to closing); a partial
  resolution is kept apart.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf
from van_app.core.indicators.figures import ActivityFilter
from van_app.core.indicators.french import partial_codes, resolved_codes
from van_app.core.indicators.loading import (
    People,
    StopMatcher,
    Visit,
    chunks,
    first_contact_days,
    load_follow_ups,
    load_orientations,
    load_visits,
)
from van_app.core.models import SocialConsultation
from van_app.core.reference import ReferenceData


@dataclass(frozen=True)
class Orientation:
    day: dt.date  # the consultation's
    service: str  # "social" or "pmi"
    partner: str
    consultation_id: str


@dataclass(frozen=True)
class ResolvedDemand:
    """A demand resolved in the period: on the spot (0 day) or by a follow-up."""

    day: dt.date  # the consultation's (on the spot) or the follow-up's closing day
    days: int
    on_spot: bool
    stop_id: str | None


@dataclass(frozen=True)
class NewPerson:
    """A person met for the first time in the period, on ``day``."""

    person: str
    day: dt.date
    known_before: bool
    stop_id: str | None  # of her first counted consultation that day


@dataclass
class CountedRecords:
    """The period's records as every figure counts them."""

    visits: list[Visit]  # signed and draft (drafts are only reported as left out)
    counted: list[Visit]  # signed: what every figure counts
    new_people: list[NewPerson]
    orientations: list[Orientation]
    follow_ups: list[Any]  # rows of ``loading.load_follow_ups`` (None: class C not read)
    resolved: list[ResolvedDemand]
    partially_resolved: list[Any]  # follow-ups closed in the period as partially resolved
    other_closed: list[Any]  # closed in the period otherwise (redirected, abandoned…)
    people: People
    stops: StopMatcher


def counted_records(
    session: Session,
    activity_filter: ActivityFilter,
    ref: ReferenceData,
    *,
    read_social: bool,
    read_medical: bool,
    as_of: dt.date | None = None,
) -> CountedRecords:
    """The records of the period and filters, counted by the rules of the module docstring."""
    f = activity_filter
    people = People(session)
    stops = StopMatcher(session, f)
    visits = load_visits(session, people, stops, read_social=read_social, read_medical=read_medical)
    counted = [v for v in visits if v.signed]
    new_people = _new_people(people, counted, first_contact_days(session, people, f.start, f.end))
    orientations: list[Orientation] = []
    follow_ups: list[Any] = []
    resolved: list[ResolvedDemand] = []
    partial: list[Any] = []
    other: list[Any] = []
    social = [v for v in counted if v.service == "social"]
    if read_social and f.includes("social"):
        by_id = {v.id: v for v in social}
        for row in load_orientations(session, f):
            visit = by_id.get(row.consultation_id)
            if visit is not None:
                orientations.append(Orientation(visit.day, "social", row.partner_code, visit.id))
        follow_ups = load_follow_ups(session, people, stops, min(f.end, as_of or f.end))
        resolved, partial, other = _resolved(social, follow_ups, f, ref, session)
    if read_medical:
        orientations += [
            Orientation(v.day, "pmi", v.orientation_partner, v.id)
            for v in counted
            if v.service == "pmi" and v.orientation_partner
        ]
    return CountedRecords(
        visits, counted, new_people, orientations, follow_ups, resolved, partial, other, people,
        stops,
    )  # fmt: skip


def _new_people(
    people: People, counted: list[Visit], first_days: dict[str, dt.date]
) -> list[NewPerson]:
    found: dict[str, NewPerson] = {}
    for visit in counted:  # sorted by day
        if visit.person in found or first_days.get(visit.person) != visit.day:
            continue
        found[visit.person] = NewPerson(
            visit.person, visit.day, people.known_to_cms(visit.person), visit.stop_id
        )
    return list(found.values())


def _resolved(
    social: list[Visit],
    follow_ups: list[Any],
    f: ActivityFilter,
    ref: ReferenceData,
    session: Session,
) -> tuple[list[ResolvedDemand], list[Any], list[Any]]:
    spot_codes = set(resolved_codes(ref, "outcomes"))
    closing_codes = set(resolved_codes(ref, "follow_up_outcomes"))
    partial_outcomes = set(partial_codes(ref))
    resolved = [
        ResolvedDemand(v.day, 0, True, v.stop_id) for v in social if v.outcome in spot_codes
    ]
    closed = [u for u in follow_ups if u.closed_on and f.start <= u.closed_on <= f.end]
    stop_of = _consultation_stops(session, [u.consultation_id for u in closed])
    for u in closed:
        if u.outcome in closing_codes:
            days = max(0, (u.closed_on - u.opened_on).days)
            resolved.append(
                ResolvedDemand(u.closed_on, days, False, stop_of.get(u.consultation_id))
            )
    partial = [u for u in closed if u.outcome in partial_outcomes]
    other = [u for u in closed if u.outcome not in closing_codes | partial_outcomes]
    return resolved, partial, other


def _consultation_stops(session: Session, ids: Iterable[str | None]) -> dict[str, str | None]:
    """The stop of each follow-up's consultation (a resolved demand's place)."""
    stops: dict[str, str | None] = {}
    for chunk in chunks(sorted({i for i in ids if i})):
        for row in session.exec(
            select(SocialConsultation.id, SocialConsultation.stop_id).where(
                col(SocialConsultation.id).in_(chunk)
            )
        ).all():
            stops[row.id] = row.stop_id
    return stops


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def period_records(
    session: Session,
    start: dt.date,
    end: dt.date,
    ref: ReferenceData,
    readable: Iterable[Conf | str],
) -> CountedRecords:
    """The whole period's records (no commune, stop or service filter) counted as the dashboard
    counts them, for a reader of the classes ``readable`` (the anonymised statistics)."""
    classes = {Conf(c) for c in readable}
    return counted_records(
        session,
        ActivityFilter(start, end),
        ref,
        read_social=Conf.SOCIAL in classes,
        read_medical=Conf.MEDICAL in classes,
        as_of=end,
    )


def good_or_excellent(score: int | None) -> bool:
    """A satisfaction score counted as "bien" or "excellent" (3 or 4 of 4)."""
    return score in (3, 4)


def answered(score: int | None) -> bool:
    """A satisfaction score that counts as an answer (1 to 4; a skipped question does not)."""
    return score in (1, 2, 3, 4)
