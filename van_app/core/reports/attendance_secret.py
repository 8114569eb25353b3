"""Attendance (consultations and people) by month, commune, stop and service, protected once.

The anonymised export prints a month's counts per commune and service; the bilan prints them
per stop and per commune. Both read them from the one protection of that month computed
here over the finest cells (stop × service) and every total above them (stop, commune ×
service, commune, service, month), so the two documents side by side reveal nothing that
each one alone does not. A count over several months, or over the stops of part of a month,
is published only as a sum of published figures (``period_sum``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, select

from van_app.core.indicators.figures import ActivityFilter
from van_app.core.indicators.french import format_decimal, format_number
from van_app.core.indicators.loading import People, StopMatcher, load_visits
from van_app.core.models import TourStop
from van_app.core.reports.secret_audit import PRIMES, in_span, linear_basis
from van_app.core.reports.statistical_secret import (
    ALL,
    SECONDARY_MARK,
    Key,
    Protection,
    Shown,
    grid_figures,
    period_sum,
    protect_figures,
)

SERVICES = ("social", "pmi")
OFF_TOUR = ""  # commune key of a consultation held outside any stop
UNKNOWN_STOP = "?"  # commune key of a stop this device does not hold
NO_STOP = "—"  # stop key outside the tour
# The month's totals, all services and per service: the bilan's key figures and monthly
# series print them unprotected, so they are never hidden as complements.
MONTH_TOTALS = ((ALL, ALL, ALL), (ALL, ALL, "social"), (ALL, ALL, "pmi"))


@dataclass(frozen=True)
class AttendanceVisit:
    service: str  # "social" or "pmi"
    person: str  # the person it counts as (merges followed)
    day: dt.date
    stop_id: str | None


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def load_attendance(session: Session, start: dt.date, end: dt.date) -> list[AttendanceVisit]:
    """Signed, not deleted consultations of ``start``..``end`` of living people, each counted
    as the person it was merged into: what every count counts, read as the dashboard reads
    them (``indicators.loading``), so the bilan and this export agree to the unit."""
    people = People(session)
    stops = StopMatcher(session, ActivityFilter(start, end))
    visits = load_visits(session, people, stops, read_social=False, read_medical=False)
    return [AttendanceVisit(v.service, v.person, v.day, v.stop_id) for v in visits if v.signed]


def stop_communes(session: Session) -> dict[str, str]:
    """Stop id → INSEE code of its commune."""
    return dict(session.exec(select(TourStop.id, TourStop.commune_insee)).all())


def cell_of(visit: AttendanceVisit, communes: Mapping[str, str]) -> Key:
    """(commune, stop, service) of a visit: the finest cell anything is counted in."""
    if visit.stop_id is None:
        return OFF_TOUR, NO_STOP, visit.service
    return communes.get(visit.stop_id, UNKNOWN_STOP), visit.stop_id, visit.service


@dataclass(frozen=True)
class AttendanceSecret:
    """Each month's figures as published, keyed (commune, stop, service) with ``ALL``."""

    consultations: dict[str, Protection]
    people: dict[str, Protection]
    true_people: dict[str, dict[Key, int]]  # for sums over figures that are all published
    _bases: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def adds_nothing(self, measure: str, month: str, cells: Iterable[Key]) -> bool:
        """Whether the sum of these fine cells (commune, stop, service) of ``month`` is
        already fixed by the month's published figures and the totals printed anyway (its
        vector lies in their span, modulo every prime of the audit): then printing it tells
        nothing new. Otherwise it must be hidden, and hidden it can be pinned by nobody, for
        the attacker's knowledge of the month is that span and its bounds. A cell the month
        does not hold counts 0 and is known."""
        protection = getattr(self, measure).get(month)
        if protection is None:
            return True
        key = f"{measure} {month}"
        if key not in self._bases:
            fine = sorted(k for k in protection.shown if ALL not in k)
            index = {cell: i for i, cell in enumerate(fine)}
            known = [
                frozenset(
                    index[c]
                    for c in fine
                    if all(p in (ALL, q) for p, q in zip(figure, c, strict=True))
                )
                for figure, shown in protection.shown.items()
                if isinstance(shown, int) or figure in MONTH_TOTALS
            ]
            self._bases[key] = index, [(linear_basis(known, p), p) for p in PRIMES]
        index, bases = self._bases[key]
        wanted = {index[c] for c in cells if c in index}
        return not wanted or all(in_span(wanted, basis, p) for basis, p in bases)

    def shown(
        self,
        measure: str,
        month: str,
        commune: str = ALL,
        stop: str = ALL,
        service: str = ALL,
    ) -> Shown:
        """One published figure; 0 when nothing was counted there."""
        protection = getattr(self, measure).get(month)
        if protection is None:
            return 0
        return protection.shown.get((commune, stop, service), 0)


def _figures(cells: Iterable[Key]) -> dict[Key, frozenset[Key]]:
    """Cells, stop totals, commune × service, commune, service and month totals."""
    grid = grid_figures({cell: 0 for cell in cells})
    return {k: v for k, v in grid.items() if not (k[0] == ALL and k[1] != ALL)}


def protect_attendance(
    visits: Iterable[AttendanceVisit], communes: Mapping[str, str]
) -> AttendanceSecret:
    """One protection per month, over every stop of the month and both services."""
    by_month: dict[str, dict[Key, list[str]]] = defaultdict(lambda: defaultdict(list))
    for visit in visits:
        by_month[month_key(visit.day)][cell_of(visit, communes)].append(visit.person)
    consultations, people, true_people = {}, {}, {}
    for month, found in by_month.items():
        places = {(commune, stop) for commune, stop, _ in found}
        cells = {
            (c, s, service): found.get((c, s, service), [])
            for c, s in sorted(places)  # one order, one protection: the same in every run
            for service in SERVICES
        }
        figures = _figures(cells)
        counts = {k: sum(len(cells[c]) for c in members) for k, members in figures.items()}
        persons = {k: len({p for c in members for p in cells[c]}) for k, members in figures.items()}
        consultations[month] = protect_figures(figures, counts, printed_anyway=MONTH_TOTALS)
        people[month] = protect_figures(figures, persons, True, MONTH_TOTALS)
        true_people[month] = persons
    return AttendanceSecret(consultations, people, true_people)


def attendance_secret(session: Session, start: dt.date, end: dt.date) -> AttendanceSecret:
    """The protection of every month touched by ``start``..``end``, each on its whole data."""
    first = start.replace(day=1)
    following = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    visits = load_attendance(session, first, following - dt.timedelta(days=1))
    return protect_attendance(visits, stop_communes(session))


# -- the bilan -------------------------------------------------------------------------------


SECRET_NOTE = (
    "Secret statistique : un compte de 1 à 10 est remplacé par « < 11 » et, pour qu'aucun "
    "total ne permette de le retrouver, d'autres comptes par « s » ; un total sur plusieurs "
    "mois n'est donné que s'il est la somme de comptes mensuels publiés (sinon « s », quelle "
    "que soit sa valeur). Les communes dont "
    "un compte est masqué ne figurent pas sur le graphique."
)


def shown_text(value: Shown | float | None) -> str:
    """A count (or a mean) in French, the secret's mark in its place, "—" for no value."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return format_number(value) if isinstance(value, int) else format_decimal(value)


@dataclass(frozen=True)
class BilanAttendance:
    """The bilan's per-stop and per-commune counts as the Département may read them."""

    stops: dict[str, tuple[Shown, Shown, Shown]]  # stop id → people, social, PMI consultations
    communes: dict[str | None, tuple[Shown, Shown, Shown | float | None]]  # people, consult., mean
    people_by_month: dict[str | None, tuple[Shown, ...]]  # aligned with the report's months
    indicators: dict[str | None, dict[str, Shown]] = field(default_factory=dict)  # per commune


def _whole_month(month: dt.date, start: dt.date, end: dt.date) -> bool:
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start <= month and following - dt.timedelta(days=1) <= end


def bilan_attendance(secret: AttendanceSecret, report: Any) -> BilanAttendance:
    """Each count of the report's attendance tables, or its mark: a stop's from its month's
    protection, a commune's over the period only as a sum of published month figures (or,
    in a month cut by the period, of parts the month's published figures already fix)."""
    f = report.filter
    service = f.service or ALL
    stops: dict[str, tuple[Shown, Shown, Shown]] = {}
    stops_of: dict[tuple[str, str], list[str]] = defaultdict(list)  # (commune, month) → stops
    for s in report.stops:
        month = month_key(s.stop_date)
        commune = s.commune_insee
        stops[s.stop_id] = (
            secret.shown("people", month, commune, s.stop_id, service),
            secret.shown("consultations", month, commune, s.stop_id, "social"),
            secret.shown("consultations", month, commune, s.stop_id, "pmi"),
        )
        stops_of[(commune, month)].append(s.stop_id)

    def parts(measure: str, commune: str | None, month: dt.date) -> list[Shown]:
        key = month_key(month)
        place = OFF_TOUR if commune is None else commune
        if f.stop_id is None and _whole_month(month, f.start, f.end):
            return [secret.shown(measure, key, place, ALL, service)]
        if commune is None:
            return [
                SECONDARY_MARK
            ]  # outside the tour, part of a month: no published figure adds up to it
        held = stops_of[(place, key)]
        if measure == "people":  # distinct people: only beside every stop's published figure
            return [secret.shown(measure, key, place, s, service) for s in held]
        return [_cut_part(secret, key, [(place, s, service) for s in held], service)]

    communes: dict[str | None, tuple[Shown, Shown, Shown | float | None]] = {}
    by_month: dict[str | None, tuple[Shown, ...]] = {}
    for c in report.communes:
        months = list(report.months)
        people = period_sum(
            [p for m in months for p in parts("people", c.commune_insee, m)], c.people
        )
        consultations = period_sum(
            [p for m in months for p in parts("consultations", c.commune_insee, m)], c.consultations
        )
        own_stops = [
            stops[s.stop_id][0] for s in report.stops if s.commune_insee == c.commune_insee
        ]
        mean = c.people_per_stop if all(isinstance(v, int) for v in own_stops) else SECONDARY_MARK
        communes[c.commune_insee] = (people, consultations, mean)
        by_month[c.commune_insee] = tuple(
            period_sum(parts("people", c.commune_insee, m), value)
            for m, value in zip(months, c.people_by_month, strict=True)
        )
    return BilanAttendance(stops, communes, by_month)


def _cut_part(secret: AttendanceSecret, month: str, stops: list[Key], service: str) -> Shown:
    """The consultations of some stops of a month cut by the period, as one part of a
    ``period_sum``: an int (standing for "published") when the month's published figures
    already fix their sum, else "s". Every stop figure published is not enough (a stop total
    may be published while a cell of it is hidden), nor needed (a cell hidden beside a
    published total may add up with the rest to a published figure)."""
    services = SERVICES if service == ALL else (service,)
    cells = [(commune, stop, s) for commune, stop, _ in stops for s in services]
    return 0 if secret.adds_nothing("consultations", month, cells) else SECONDARY_MARK


def bilan_secret(
    session: Session, report: Any, roles: Iterable[str] = (), ref: Any = None
) -> BilanAttendance:
    """What the bilan for the Département prints of attendance and, given the user's
    ``roles`` and the reference data, of its indicators per commune (docs/statistics.md)."""
    f = report.filter
    shown = bilan_attendance(attendance_secret(session, f.start, f.end), report)
    if ref is None:
        return shown
    return replace(shown, indicators=commune_indicators(session, report, roles, ref))


# The Département's indicators per commune: each counted month by month, protected per month
# over the communes with the month's total (printed anyway in the bilan's monthly series).
COMMUNE_COUNTS = ("first_met", "unknown_before", "resolved_on_spot", "answers", "satisfied")


def commune_indicators(
    session: Session, report: Any, roles: Iterable[str], ref: Any
) -> dict[str | None, dict[str, Shown]]:
    """Per commune, each of ``COMMUNE_COUNTS`` and its social consultations as the Département
    may read them: a sum of published month figures, hidden otherwise (a month cut by the
    period, or a stop chosen, has no published figure to add up; its social consultations
    there are printed only when the month's published figures fix them, ``_cut_part``)."""
    from van_app.core.indicators.compute import activity_report  # indicators import reports

    f = report.filter
    secret = attendance_secret(session, f.start, f.end)
    parts: dict[tuple[str | None, str], list[Shown]] = defaultdict(list)
    for month in report.months:
        following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        end = following - dt.timedelta(days=1)
        if f.stop_id is not None or not _whole_month(month, f.start, f.end):
            key = month_key(month)
            for c in report.communes:
                for name in COMMUNE_COUNTS:
                    parts[(c.commune_insee, name)].append(SECONDARY_MARK)
                held = [
                    (c.commune_insee, s.stop_id, ALL)
                    for s in report.stops
                    if s.commune_insee == c.commune_insee and month_key(s.stop_date) == key
                ]
                social = (
                    SECONDARY_MARK
                    if c.commune_insee is None
                    else _cut_part(secret, key, held, "social")
                )
                parts[(c.commune_insee, "social_consultations")].append(social)
            continue
        monthly = activity_report(
            session,
            tuple(roles),
            type(f)(month, end, f.commune_insee, None, f.service),
            ref,
            report.today,
            compare=False,
        )
        for name in COMMUNE_COUNTS:
            values = {
                (c.commune_insee or OFF_TOUR,): getattr(c, name) or 0 for c in monthly.communes
            }
            if not values:
                continue
            figures = grid_figures(values)
            totals = {k: sum(values[c] for c in members) for k, members in figures.items()}
            shown = protect_figures(figures, totals, printed_anyway=[(ALL,)]).shown
            for c in report.communes:
                parts[(c.commune_insee, name)].append(shown.get((c.commune_insee or OFF_TOUR,), 0))
        for c in report.communes:
            place = c.commune_insee or OFF_TOUR
            social = secret.shown("consultations", month_key(month), place, ALL, "social")
            parts[(c.commune_insee, "social_consultations")].append(social)
    return {
        c.commune_insee: {
            name: period_sum(parts[(c.commune_insee, name)], getattr(c, name) or 0)
            for name in (*COMMUNE_COUNTS, "social_consultations")
        }
        for c in report.communes
    }
