"""The period's activity report: every indicator of the supervisor's dashboard and bilan.

Pure counting over plain rows read once (``loading``); no Qt. What each figure means is
written in ``french.definitions`` and shown under it. Class C figures (demand types,
outcomes, orientations, follow-ups) need a reader of C; class M ones (vaccinations, PMI
orientations) a reader of M; the rest comes from class S and is computed for everyone.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlmodel import Session

from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.indicators.figures import (
    ActivityFilter,
    ActivityReport,
    CommuneAttendance,
    CountItem,
    KeyFigures,
    QuestionSatisfaction,
    ResolutionFigures,
    SatisfactionFigures,
    SocialFigures,
    StopAttendance,
    count_items,
    share,
)
from van_app.core.indicators.french import (
    DELAY_BUCKETS,
    MEDICAL_RESERVED,
    NOT_THIS_SERVICE,
    OUTSIDE_TOUR,
    QUESTION_LABELS,
    SERVICE_LABELS,
    SOCIAL_RESERVED,
    format_date,
    period_text,
    resolved_codes,
)
from van_app.core.indicators.loading import (
    People,
    StopMatcher,
    Visit,
    load_answers,
    load_follow_ups,
    load_orientations,
    load_visits,
)
from van_app.core.indicators.pmi_figures import pmi_figures
from van_app.core.models import FollowUp, SatisfactionAnswer, SocialOrientation
from van_app.core.reference import ReferenceData
from van_app.core.satisfaction import QUESTIONS

GOOD_SCORES = (3, 4)  # "bien", "excellent"


def activity_report(
    session: Session,
    user_roles: Iterable[str],
    activity_filter: ActivityFilter,
    ref: ReferenceData,
    today: dt.date,
) -> ActivityReport:
    """Every figure of the period for a user holding ``user_roles``, computed from ``session``."""
    f = activity_filter
    classes = readable_classes(user_roles)
    read_social, read_medical = Conf.SOCIAL in classes, Conf.MEDICAL in classes
    people = People(session)
    stops = StopMatcher(session, f)
    visits = load_visits(session, people, stops, read_social=read_social, read_medical=read_medical)
    counted = [v for v in visits if v.signed]
    social = [v for v in counted if v.service == "social"]
    pmi = [v for v in counted if v.service == "pmi"]

    social_unavailable = "" if read_social else SOCIAL_RESERVED
    if not f.includes("social"):
        social_unavailable = NOT_THIS_SERVICE
    resolution = social_figures = None
    if not social_unavailable:
        as_of = min(f.end, today)
        follow_ups = load_follow_ups(session, people, stops, as_of)
        resolution = _resolution(social, follow_ups, f, as_of, ref)
        social_figures = _social(social, load_orientations(session, f), ref)

    pmi_unavailable = "" if f.includes("pmi") else NOT_THIS_SERVICE
    pmi_result = None
    if not pmi_unavailable:
        pmi_result = pmi_figures(
            session, people, pmi, f, ref, read_medical=read_medical, reserved=MEDICAL_RESERVED
        )

    months = _months(f.start, f.end)
    stop_rows = _stops(counted, stops, ref)
    return ActivityReport(
        filter=f,
        today=today,
        filter_text=_filter_text(f, stops, ref),
        key=_key(visits, counted),
        satisfaction=_satisfaction(load_answers(session, stops)),
        resolution=resolution,
        social=social_figures,
        social_unavailable=social_unavailable,
        pmi=pmi_result,
        pmi_unavailable=pmi_unavailable,
        months=months,
        stops=stop_rows,
        communes=_communes(counted, stop_rows, months, ref),
    )


# -- key figures ----------------------------------------------------------------------------


def _key(visits: list[Visit], counted: list[Visit]) -> KeyFigures:
    people = {v.person for v in counted}
    first_day: dict[str, dt.date] = {}
    for visit in counted:  # sorted by day
        first_day.setdefault(visit.person, visit.day)
    # Known if any consultation of the person's first day here says so (social and PMI the
    # same morning must not make one person both known and unknown).
    known = {v.person for v in counted if v.day == first_day[v.person] and v.known_before}
    unknown = len(people) - len(known)
    return KeyFigures(
        people=len(people),
        people_social=len({v.person for v in counted if v.service == "social"}),
        people_pmi=len({v.person for v in counted if v.service == "pmi"}),
        consultations=len(counted),
        social_consultations=sum(1 for v in counted if v.service == "social"),
        pmi_consultations=sum(1 for v in counted if v.service == "pmi"),
        drafts_left_out=sum(1 for v in visits if not v.signed),
        unknown_before=unknown,
        unknown_before_share=share(unknown, len(people)),
    )


# -- satisfaction ---------------------------------------------------------------------------


def _satisfaction(answers: list[SatisfactionAnswer]) -> SatisfactionFigures:
    questions = []
    for question in QUESTIONS:
        scores = [getattr(a, question) for a in answers]
        scores = [s for s in scores if s in (1, 2, 3, 4)]
        good = sum(1 for s in scores if s in GOOD_SCORES)
        questions.append(
            QuestionSatisfaction(
                question=question,
                label=QUESTION_LABELS[question],
                answers=len(scores),
                good_or_excellent=good,
                share=share(good, len(scores)),
                distribution=tuple(scores.count(n) for n in (1, 2, 3, 4)),  # type: ignore[arg-type]
            )
        )
    return SatisfactionFigures(answers=len(answers), questions=tuple(questions))


# -- social: outcomes, follow-ups, demand types, orientations -------------------------------


def _resolution(
    social: list[Visit],
    follow_ups: list[FollowUp],
    f: ActivityFilter,
    as_of: dt.date,
    ref: ReferenceData,
) -> ResolutionFigures:
    spot_codes = set(resolved_codes(ref, "outcomes"))
    resolved_spot = sum(1 for v in social if v.outcome in spot_codes)
    outcomes: Counter[str] = Counter(v.outcome or "" for v in social)
    # Every outcome of the list, in its order (a zero says something too), then stray codes.
    outcome_items = tuple(
        CountItem(i.code, i.label, outcomes[i.code], share(outcomes[i.code], len(social)))
        for i in ref.outcomes
    ) + tuple(
        CountItem(code, ref.label("outcomes", code) or "Non renseignée", n, share(n, len(social)))
        for code, n in sorted(outcomes.items())
        if not ref.is_known("outcomes", code)
    )

    closing_codes = set(resolved_codes(ref, "follow_up_outcomes"))
    closed = [u for u in follow_ups if u.closed_on and f.start <= u.closed_on <= f.end]
    resolved = [u for u in closed if u.outcome in closing_codes]
    delays = [max(0, (u.closed_on - u.opened_on).days) for u in resolved]  # type: ignore[operator]
    buckets = tuple(
        CountItem(
            code,
            label,
            n := sum(1 for d in delays if d >= low and (high is None or d <= high)),
            share(n, len(delays)),
        )
        for code, label, low, high in DELAY_BUCKETS
    )
    still_open = [
        u
        for u in follow_ups
        if u.opened_on <= as_of and (u.closed_on is None or u.closed_on > as_of)
    ]
    return ResolutionFigures(
        social_consultations=len(social),
        resolved_on_spot=resolved_spot,
        immediate_share=share(resolved_spot, len(social)),
        outcomes=outcome_items,
        resolved_follow_ups=len(resolved),
        other_closed_follow_ups=len(closed) - len(resolved),
        median_days=float(statistics.median(delays)) if delays else None,
        delay_buckets=buckets,
        as_of=as_of,
        open_follow_ups=len(still_open),
        overdue_follow_ups=sum(1 for u in still_open if u.due_on < as_of),
    )


def _social(
    social: list[Visit], orientations: list[SocialOrientation], ref: ReferenceData
) -> SocialFigures:
    demands: Counter[str] = Counter()
    for visit in social:
        demands.update(set(visit.demand_types))
    ids = {v.id for v in social}
    kept = [o for o in orientations if o.consultation_id in ids]
    partners: Counter[str] = Counter(o.partner_code for o in kept)
    with_orientation = len({o.consultation_id for o in kept})
    return SocialFigures(
        social_consultations=len(social),
        demand_types=count_items(demands, ref, "demand_types", len(social)),
        orientations=count_items(partners, ref, "partners", len(kept)),
        orientations_total=len(kept),
        consultations_with_orientation=with_orientation,
        orientation_share=share(with_orientation, len(social)),
    )


# -- attendance -----------------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


def _stops(
    counted: list[Visit], stops: StopMatcher, ref: ReferenceData
) -> tuple[StopAttendance, ...]:
    by_stop: dict[str, list[Visit]] = defaultdict(list)
    for visit in counted:
        if visit.stop_id is not None:
            by_stop[visit.stop_id].append(visit)
    shown = {s.id: s for s in stops.held()}
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
            )
        )
    rows.sort(key=lambda r: (r.stop_date, r.commune, r.stop_id))
    return tuple(rows)


def _communes(
    counted: list[Visit],
    stop_rows: tuple[StopAttendance, ...],
    months: tuple[dt.date, ...],
    ref: ReferenceData,
) -> tuple[CommuneAttendance, ...]:
    commune_of = {s.stop_id: s.commune_insee for s in stop_rows}
    stops_in: dict[str, list[StopAttendance]] = defaultdict(list)
    for stop in stop_rows:
        stops_in[stop.commune_insee].append(stop)
    visits_in: dict[str | None, list[Visit]] = defaultdict(list)  # one pass, not one per commune
    for visit in counted:
        visits_in[commune_of.get(visit.stop_id or "")].append(visit)
    rows = []
    for insee in sorted(stops_in, key=lambda c: (ref.label("communes", c), c)):
        rows.append(
            _commune_row(
                insee, ref.label("communes", insee), visits_in[insee], stops_in[insee], months
            )
        )
    if visits_in.get(None):
        rows.append(_commune_row(None, OUTSIDE_TOUR, visits_in[None], [], months))
    return tuple(rows)


def _commune_row(
    insee: str | None,
    name: str,
    visits: list[Visit],
    stops_here: list[StopAttendance],
    months: tuple[dt.date, ...],
) -> CommuneAttendance:
    def month_of(day: dt.date) -> dt.date:
        return day.replace(day=1)

    people_by_month: dict[dt.date, set[str]] = defaultdict(set)
    for visit in visits:
        people_by_month[month_of(visit.day)].add(visit.person)
    return CommuneAttendance(
        commune_insee=insee,
        commune=name,
        stops=len(stops_here),
        people=len({v.person for v in visits}),
        consultations=len(visits),
        people_per_stop=(
            sum(s.people for s in stops_here) / len(stops_here) if stops_here else None
        ),
        people_by_month=tuple(len(people_by_month.get(m, ())) for m in months),
        stops_by_month=tuple(
            sum(1 for s in stops_here if month_of(s.stop_date) == m) for m in months
        ),
    )


# -- the filters in words -------------------------------------------------------------------


def _filter_text(f: ActivityFilter, stops: StopMatcher, ref: ReferenceData) -> tuple[str, ...]:
    lines = [f"Période : {period_text(f)}"]
    stop = stops.stops.get(f.stop_id) if f.stop_id else None
    if stop is not None:
        lines.append(
            f"Arrêt : {format_date(stop.stop_date)}, "
            f"{ref.label('communes', stop.commune_insee)} — {stop.place}"
        )
    elif f.stop_id:
        lines.append("Arrêt : arrêt supprimé ou inconnu")
    elif f.commune_insee:
        lines.append(f"Commune : {ref.label('communes', f.commune_insee)}")
    else:
        lines.append("Communes : toutes")
    lines.append(f"Service : {SERVICE_LABELS[f.service]}")
    return tuple(lines)
