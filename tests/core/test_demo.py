"""The demo data set: a realistic month, both services, and `make demo` can run twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.factories import opened_as
from van_app.core.demo import DEMO_PASSWORD, build_demo_records, ensure_demo_data
from van_app.core.growth import GrowthPoint, history_evolution_warnings
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    TourStop,
)
from van_app.core.reference import reference
from van_app.core.tour_calendar import public_holiday
from van_app.core.vaccination import interval_warnings

TODAY = dt.date(2026, 11, 19)  # a Thursday


def test_demo_month_has_both_services_and_a_stop_today() -> None:
    records = build_demo_records(reference(), TODAY, "dev-demo")
    kinds = Counter(type(r).__name__ for r in records)
    assert kinds["SocialConsultation"] >= 20
    assert kinds["PmiConsultation"] >= 10
    assert kinds["SatisfactionAnswer"] >= 20
    stops = [r for r in records if isinstance(r, TourStop)]
    assert any(s.stop_date == TODAY for s in stops)
    assert any(s.stop_date > TODAY for s in stops), "planned stops ahead"
    assert {s.commune_insee for s in stops} >= {"26167", "26086", "26321"}
    pmi = [r for r in records if isinstance(r, PmiConsultation)]
    assert {p.kind for p in pmi} == {"child", "prenatal"}
    people = [r for r in records if isinstance(r, Beneficiary)]
    unknown_share = sum(not p.known_to_cms for p in people) / len(people)
    assert 0.3 < unknown_share < 0.7
    follow_ups = [r for r in records if isinstance(r, FollowUp)]
    assert any(f.closed_on for f in follow_ups) and any(not f.closed_on for f in follow_ups)
    assert all(r.author in {"amartin", "bnguyen", "croux"} for r in records)
    assert all(r.author == "bnguyen" for r in pmi), "only the nurse authors PMI consultations"
    assert all(r.author == "amartin" for r in records if isinstance(r, SocialConsultation))


def test_demo_is_deterministic() -> None:
    first = build_demo_records(reference(), TODAY, "dev-demo")
    second = build_demo_records(reference(), TODAY, "dev-demo")
    assert [type(r).__name__ for r in first] == [type(r).__name__ for r in second]
    assert [getattr(r, "birth_name", None) for r in first] == [
        getattr(r, "birth_name", None) for r in second
    ]


def test_ensure_demo_data_sets_up_once_with_three_accounts(data_dir: Path) -> None:
    lines = list(ensure_demo_data(data_dir, TODAY, kdf=FAST_KDF))
    assert "créées" in lines[0]
    store = LocalStore.open(data_dir, "bnguyen", DEMO_PASSWORD)
    with store.session() as session:
        answers = len(session.exec(select(SatisfactionAnswer)).all())
    store.close()
    assert answers >= 20
    again = list(ensure_demo_data(data_dir, TODAY, kdf=FAST_KDF))
    assert "déjà présentes" in again[0]
    store = LocalStore.open(data_dir, "croux", DEMO_PASSWORD)
    with store.session() as session:
        assert len(session.exec(select(SatisfactionAnswer)).all()) == answers
    store.close()


def test_demo_has_a_repeating_tour_and_a_completion_request(data_dir: Path) -> None:
    from van_app.core.models import SupervisorReview, TourPattern
    from van_app.core.review import completion_requests_for
    from van_app.core.tour_planning import extend_horizon

    list(ensure_demo_data(data_dir, TODAY, kdf=FAST_KDF))
    store = LocalStore.open(data_dir, "croux", DEMO_PASSWORD)
    try:
        with store.session() as session:
            [pattern] = session.exec(select(TourPattern)).all()
            planned = session.exec(select(TourStop).where(TourStop.pattern_id == pattern.id)).all()
            asked = session.exec(
                select(SupervisorReview).where(SupervisorReview.status == "completion_requested")
            ).all()
        assert len(planned) >= 5 and all(s.stop_date.weekday() == 2 for s in planned)
        assert len(asked) == 1 and asked[0].comment
        # The supervisor's device tops the plan up to twelve months without doubling a date.
        assert extend_horizon(store, TODAY) > 0
        with store.session() as session:
            days = [
                s.stop_date
                for s in session.exec(select(TourStop).where(TourStop.pattern_id == pattern.id))
                if not s.deleted
            ]
        assert len(days) == len(set(days))
    finally:
        store.close()
    with opened_as(data_dir, "amartin", DEMO_PASSWORD) as social, social.session() as session:
        [request] = completion_requests_for(session, social.user)
    assert "organisme payeur" in request.comment


def test_demo_children_have_plausible_measures_and_well_spaced_doses() -> None:
    """No demo file trips the PMI's warnings: a measure that cannot follow the previous one,
    or two doses of one vaccine less than 28 days apart (the same day included)."""
    ref = reference()
    for today in (TODAY, dt.date(2026, 3, 3), dt.date(2027, 1, 14)):
        records = build_demo_records(ref, today, "dev-demo")
        born = {r.id: r.birth_date for r in records if isinstance(r, Beneficiary)}
        visits: dict[str, list[PmiConsultation]] = {}
        for record in records:
            if isinstance(record, PmiConsultation) and record.kind == "child":
                visits.setdefault(record.beneficiary_id, []).append(record)
        assert len(visits) >= 5
        assert any(len(child_visits) >= 4 for child_visits in visits.values()), "a history"
        for child, consultations in visits.items():
            points = [
                GrowthPoint(
                    c.id,
                    c.consultation_date,
                    (c.consultation_date - born[child]).days,
                    c.weight_g,
                    c.length_mm,
                    c.head_circumference_mm,
                )
                for c in consultations
            ]
            assert history_evolution_warnings(points) == []
            doses = [(code, c.consultation_date) for c in consultations for code in c.vaccinations]
            assert interval_warnings(ref, doses) == []
            codes = [code for code, _ in doses]
            assert len(codes) == len(set(codes)), "each dose recorded once"


@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 12, 6),  # a Sunday
        dt.date(2026, 12, 5),  # a Saturday
        dt.date(2026, 5, 14),  # Ascension Thursday
        dt.date(2026, 11, 11),  # Armistice, a Wednesday
        dt.date(2026, 12, 24),  # Thursday before Christmas: 25/12 within the fortnight ahead
        TODAY,
    ],
)
def test_no_demo_stop_on_a_sunday_or_a_public_holiday(today: dt.date) -> None:
    records = build_demo_records(reference(), today, "dev-demo")
    days = {r.stop_date for r in records if isinstance(r, TourStop)}
    assert days, "the demo has stops"
    assert not [d for d in days if d.weekday() == 6], "no stop on a Sunday"
    assert not [d for d in days if d.weekday() == 5], "nor on a Saturday"
    assert not [(d, public_holiday(d)) for d in days if public_holiday(d)]
    visited = {r.consultation_date for r in records if isinstance(r, SocialConsultation)}
    assert visited <= days, "every visit at a stop the van held"
