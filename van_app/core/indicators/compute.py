"""The period's activity report: every indicator of the supervisor's dashboard and bilan.

Pure counting over plain rows read once (``loading``); no Qt. What each figure means is
written in ``french.definitions`` and shown under it. Class C figures (demand types,
outcomes, orientations, follow-ups) need a reader of C; class M ones (vaccinations, PMI
orientations) a reader of M; the rest comes from class S and is computed for everyone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from sqlmodel import Session

from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.indicators.attendance import commune_rows, monthly_rows, months_of, stop_rows
from van_app.core.indicators.counted import (
    CountedRecords,
    Orientation,
    answered,
    counted_records,
    good_or_excellent,
    median,
)
from van_app.core.indicators.figures import (
    ActivityFilter,
    ActivityReport,
    CountItem,
    KeyFigures,
    QuestionSatisfaction,
    ResolutionFigures,
    SatisfactionFigures,
    SocialFigures,
    count_items,
    share,
)
from van_app.core.indicators.french import (
    DELAY_BUCKETS,
    MEDICAL_RESERVED,
    NOT_THIS_SERVICE,
    QUESTION_LABELS,
    SERVICE_LABELS,
    SOCIAL_RESERVED,
    delay_bucket,
    format_date,
    period_text,
    resolved_codes,
)
from van_app.core.indicators.loading import StopMatcher, Visit, load_answers
from van_app.core.indicators.pmi_figures import pmi_figures
from van_app.core.models import SatisfactionAnswer
from van_app.core.reference import ReferenceData
from van_app.core.satisfaction import QUESTIONS


def activity_report(
    session: Session,
    user_roles: Iterable[str],
    activity_filter: ActivityFilter,
    ref: ReferenceData,
    today: dt.date,
    *,
    compare: bool = False,
) -> ActivityReport:
    """Every figure of the period for a user holding ``user_roles``, computed from ``session``,
    with (``compare``) the same figures a year before in ``previous`` (about as long again:
    the dashboard computes it as a second task, after showing the period's own figures)."""
    report = _report(session, tuple(user_roles), activity_filter, ref, today)
    before = year_before(activity_filter) if compare else None
    if before is None:
        return report
    return replace(report, previous=_report(session, tuple(user_roles), before, ref, today))


def year_before(activity_filter: ActivityFilter) -> ActivityFilter | None:
    """The same filters one year earlier; None for one stop (it has no year-before twin)."""
    f = activity_filter
    if f.stop_id is not None:
        return None
    return replace(f, start=_minus_a_year(f.start), end=_minus_a_year(f.end))


def _minus_a_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _report(
    session: Session,
    user_roles: Iterable[str],
    activity_filter: ActivityFilter,
    ref: ReferenceData,
    today: dt.date,
) -> ActivityReport:
    f = activity_filter
    classes = readable_classes(user_roles)
    read_social, read_medical = Conf.SOCIAL in classes, Conf.MEDICAL in classes
    as_of = min(f.end, today)
    records = counted_records(
        session,
        f,
        ref,
        read_social=read_social,
        read_medical=read_medical,
        as_of=as_of,
    )
    counted = records.counted
    social = [v for v in counted if v.service == "social"]
    pmi = [v for v in counted if v.service == "pmi"]

    social_unavailable = "" if read_social else SOCIAL_RESERVED
    if not f.includes("social"):
        social_unavailable = NOT_THIS_SERVICE
    resolution = social_figures = None
    if not social_unavailable:
        resolution = _resolution(social, records, as_of, ref)
        social_figures = _social(social, records.orientations, ref)

    pmi_unavailable = "" if f.includes("pmi") else NOT_THIS_SERVICE
    pmi_result = None
    if not pmi_unavailable:
        pmi_result = pmi_figures(
            session,
            records.people,
            pmi,
            f,
            ref,
            read_medical=read_medical,
            reserved=MEDICAL_RESERVED,
        )

    months = months_of(f.start, f.end)
    rows = stop_rows(counted, records.stops, as_of, ref)
    answers = load_answers(session, records.stops)
    return ActivityReport(
        filter=f,
        today=today,
        filter_text=_filter_text(f, records.stops, ref),
        key=_key(records),
        satisfaction=_satisfaction(answers, len(counted)),
        resolution=resolution,
        social=social_figures,
        social_unavailable=social_unavailable,
        pmi=pmi_result,
        pmi_unavailable=pmi_unavailable,
        months=months,
        stops=rows,
        communes=commune_rows(records, rows, months, answers, ref, read_social=read_social),
        held_until=as_of,
        monthly=monthly_rows(records, rows, months, ref, read_social=read_social),
    )


# -- key figures ----------------------------------------------------------------------------


def _key(records: CountedRecords) -> KeyFigures:
    counted = records.counted
    people = {v.person for v in counted}
    unknown = sum(1 for p in records.new_people if not p.known_before)
    return KeyFigures(
        people=len(people),
        people_social=len({v.person for v in counted if v.service == "social"}),
        people_pmi=len({v.person for v in counted if v.service == "pmi"}),
        consultations=len(counted),
        social_consultations=sum(1 for v in counted if v.service == "social"),
        pmi_consultations=sum(1 for v in counted if v.service == "pmi"),
        drafts_left_out=sum(1 for v in records.visits if not v.signed),
        first_met=len(records.new_people),
        unknown_before=unknown,
        unknown_before_share=share(unknown, len(records.new_people)),
    )


# -- satisfaction ---------------------------------------------------------------------------


def _satisfaction(answers: list[SatisfactionAnswer], consultations: int) -> SatisfactionFigures:
    questions = []
    for question in QUESTIONS:
        scores = [getattr(a, question) for a in answers]
        scores = [s for s in scores if answered(s)]
        good = sum(1 for s in scores if good_or_excellent(s))
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
    return SatisfactionFigures(
        answers=len(answers),
        questions=tuple(questions),
        consultations=consultations,
        response_rate=share(len(answers), consultations),
    )


# -- social: outcomes, follow-ups, demand types, orientations -------------------------------


def _resolution(
    social: list[Visit], records: CountedRecords, as_of: dt.date, ref: ReferenceData
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
    delays = [r.days for r in records.resolved]
    follow_up_delays = [r.days for r in records.resolved if not r.on_spot]
    buckets = tuple(
        CountItem(
            code,
            label,
            n := sum(1 for d in delays if delay_bucket(d) == code),
            share(n, len(delays)),
        )
        for code, label, _low, _high in DELAY_BUCKETS
    )
    still_open = [
        u
        for u in records.follow_ups
        if u.opened_on <= as_of and (u.closed_on is None or u.closed_on > as_of)
    ]
    return ResolutionFigures(
        social_consultations=len(social),
        resolved_on_spot=resolved_spot,
        immediate_share=share(resolved_spot, len(social)),
        outcomes=outcome_items,
        resolved_follow_ups=len(follow_up_delays),
        partially_resolved_follow_ups=len(records.partially_resolved),
        other_closed_follow_ups=len(records.other_closed),
        resolved_demands=len(delays),
        median_days=median(delays),
        follow_up_median_days=median(follow_up_delays),
        delay_buckets=buckets,
        as_of=as_of,
        open_follow_ups=len(still_open),
        overdue_follow_ups=sum(1 for u in still_open if u.due_on < as_of),
    )


def _social(
    social: list[Visit], orientations: list[Orientation], ref: ReferenceData
) -> SocialFigures:
    demands: Counter[str] = Counter()
    for visit in social:
        demands.update(set(visit.demand_types))
    kept = [o for o in orientations if o.service == "social"]
    partners: Counter[str] = Counter(o.partner for o in kept)
    with_orientation = len({o.consultation_id for o in kept})
    return SocialFigures(
        social_consultations=len(social),
        demand_types=count_items(demands, ref, "demand_types", len(social)),
        orientations=count_items(partners, ref, "partners", len(kept)),
        orientations_total=len(kept),
        consultations_with_orientation=with_orientation,
        orientation_share=share(with_orientation, len(social)),
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
