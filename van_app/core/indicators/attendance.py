"""Attendance per stop, per commune and per month, and the Département's indicators per commune.

A stop counts as held only up to ``held_until`` (today, or the period's end if it is past):
later ones are listed as planned and count nowhere, so a month in progress never shows a
future stop as an empty one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from van_app.core.indicators.counted import (
    CountedRecords,
    NewPerson,
    answered,
    good_or_excellent,
)
from van_app.core.indicators.figures import (
    CommuneAttendance,
    MonthFigures,
    StopAttendance,
    share,
)
from van_app.core.indicators.french import OUTSIDE_TOUR, resolved_codes
from van_app.core.indicators.loading import StopMatcher, Visit
from van_app.core.reference import ReferenceData


def months_of(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def stop_rows(
    counted: list[Visit], stops: StopMatcher, held_until: dt.date, ref: ReferenceData
) -> tuple[StopAttendance, ...]:
    by_stop: dict[str, list[Visit]] = defaultdict(list)
    for visit in counted:
        if visit.stop_id is not None:
            by_stop[visit.stop_id].append(visit)
    shown = {s.id: s for s in stops.planned()}
    shown.update({i: stops.stops[i] for i in by_stop if i in stops.stops})
    rows = []
    for stop in shown.values():
        visits = by_stop.get(stop.id, [])
        rows.append(
            StopAttendance(
                stop_id=stop.id,
                stop_date=stop.stop_date,
                commune_insee=stop.commune_insee,
                commune=ref.label("communes", stop.commune_insee),
                place=stop.place,
                services=stop.services,
                people=len({v.person for v in visits}),
                social_consultations=sum(1 for v in visits if v.service == "social"),
                pmi_consultations=sum(1 for v in visits if v.service == "pmi"),
                held=stop.stop_date <= held_until or bool(visits),
            )
        )
    rows.sort(key=lambda r: (r.stop_date, r.commune, r.stop_id))
    return tuple(rows)


def commune_rows(
    records: CountedRecords,
    rows: tuple[StopAttendance, ...],
    months: tuple[dt.date, ...],
    answers: list[Any],
    ref: ReferenceData,
    *,
    read_social: bool,
) -> tuple[CommuneAttendance, ...]:
    """One row per commune of the shown stops (and "Hors tournée" for visits with no stop)."""
    stops = records.stops.stops
    commune_of_stop = {i: s.commune_insee for i, s in stops.items()}

    def commune(stop_id: str | None) -> str | None:
        return commune_of_stop.get(stop_id or "")

    stops_in: dict[str, list[StopAttendance]] = defaultdict(list)
    for stop in rows:
        stops_in[stop.commune_insee].append(stop)
    visits_in: dict[str | None, list[Visit]] = defaultdict(list)
    for visit in records.counted:
        visits_in[commune(visit.stop_id)].append(visit)
    new_in: dict[str | None, list[NewPerson]] = defaultdict(list)
    for person in records.new_people:
        new_in[commune(person.stop_id)].append(person)
    answers_in: dict[str | None, list[Any]] = defaultdict(list)
    for answer in answers:
        answers_in[commune(answer.stop_id)].append(answer)
    spot_codes = set(resolved_codes(ref, "outcomes"))

    def row(insee: str | None, name: str) -> CommuneAttendance:
        visits, here = visits_in.get(insee, []), stops_in.get(insee, [])
        held = [s for s in here if s.held]
        new = new_in.get(insee, [])
        unknown = sum(1 for p in new if not p.known_before)
        social = [v for v in visits if v.service == "social"]
        spot = sum(1 for v in social if v.outcome in spot_codes)
        scores = [a.service_rendered for a in answers_in.get(insee, [])]
        scores = [s for s in scores if answered(s)]
        satisfied = sum(1 for s in scores if good_or_excellent(s))
        people_by_month: dict[tuple[int, int], set[str]] = defaultdict(set)
        for visit in visits:
            people_by_month[(visit.day.year, visit.day.month)].add(visit.person)
        return CommuneAttendance(
            commune_insee=insee,
            commune=name,
            stops=len(held),
            people=len({v.person for v in visits}),
            consultations=len(visits),
            people_per_stop=sum(s.people for s in held) / len(held) if held else None,
            people_by_month=tuple(len(people_by_month.get((m.year, m.month), ())) for m in months),
            stops_by_month=tuple(sum(1 for s in held if _month(s.stop_date) == m) for m in months),
            planned_stops=len(here) - len(held),
            first_met=len(new),
            unknown_before=unknown,
            unknown_before_share=share(unknown, len(new)),
            social_consultations=len(social),
            resolved_on_spot=spot if read_social else 0,
            immediate_share=share(spot, len(social)) if read_social else None,
            answers=len(scores),
            satisfied=satisfied,
            satisfaction_share=share(satisfied, len(scores)),
        )

    result = [
        row(insee, ref.label("communes", insee))
        for insee in sorted(stops_in, key=lambda c: (ref.label("communes", c), c))
    ]
    if visits_in.get(None):
        result.append(row(None, OUTSIDE_TOUR))
    return tuple(result)


def monthly_rows(
    records: CountedRecords,
    rows: tuple[StopAttendance, ...],
    months: tuple[dt.date, ...],
    ref: ReferenceData,
    *,
    read_social: bool,
) -> tuple[MonthFigures, ...]:
    """The key figures month by month, for the annual report's series."""
    spot_codes = set(resolved_codes(ref, "outcomes"))
    visits_in: dict[tuple[int, int], list[Visit]] = defaultdict(list)  # one pass, not 12
    for visit in records.counted:
        visits_in[(visit.day.year, visit.day.month)].append(visit)
    new_in: dict[tuple[int, int], list[NewPerson]] = defaultdict(list)
    for person in records.new_people:
        new_in[(person.day.year, person.day.month)].append(person)
    result = []
    for month in months:
        visits = visits_in.get((month.year, month.month), [])
        new = new_in.get((month.year, month.month), [])
        social = [v for v in visits if v.service == "social"]
        result.append(
            MonthFigures(
                month=month,
                people=len({v.person for v in visits}),
                consultations=len(visits),
                first_met=len(new),
                unknown_before=sum(1 for p in new if not p.known_before),
                held_stops=sum(1 for s in rows if s.held and _month(s.stop_date) == month),
                resolved_on_spot=(
                    sum(1 for v in social if v.outcome in spot_codes) if read_social else None
                ),
                social_consultations=len(social),
            )
        )
    return tuple(result)
