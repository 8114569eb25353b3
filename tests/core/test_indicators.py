"""The activity indicators on the fixed data set of ``tests.core.activity_data``.

Each expected figure is worked out by hand in the comments, from the list in that module's
docstring (stops S0…S5, people P1…P14, consultations C1…C8 and M1…M5, follow-ups F1…F12,
satisfaction answers A1…A6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.core.activity_data import (
    AFTER_Q4,
    LUC,
    NURSE,
    Q4_END,
    Q4_START,
    SUPERVISOR,
    ActivityData,
    build_activity_data,
    d,
)
from van_app.core.indicators import (
    MEDICAL_RESERVED,
    NOT_THIS_SERVICE,
    SOCIAL_RESERVED,
    ActivityFilter,
    ActivityReport,
    FilterError,
    activity_report,
    definitions,
    format_days,
    format_percent,
    key_rows,
)
from van_app.core.local_store import LocalStore
from van_app.core.reference import ReferenceData, reference


@pytest.fixture
def data(social_store: LocalStore) -> ActivityData:
    return build_activity_data(social_store)


@pytest.fixture
def ref() -> ReferenceData:
    return reference()


def report_for(
    store: LocalStore,
    roles: tuple[str, ...] = SUPERVISOR,
    today: dt.date = AFTER_Q4,
    **filters: Any,
) -> ActivityReport:
    filters.setdefault("start", Q4_START)
    filters.setdefault("end", Q4_END)
    with store.session() as session:
        return activity_report(session, roles, ActivityFilter(**filters), reference(), today)


def test_people_consultations_and_known_before(social_store: LocalStore, data: ActivityData):
    key = report_for(social_store).key
    # Social: P1, P2, P10, P3 (C4, and C7 through the duplicate P3b), P6, P14 → 6 people.
    # PMI: P7, P8, P10 → 3. Together P1 P2 P3 P6 P7 P8 P10 P14 → 8 (P10 is in both).
    assert (key.people, key.people_social, key.people_pmi) == (8, 6, 3)
    # C1…C8 and M1…M5; drafts: D1 and P11's → 2 (the deleted and P12's are not drafts).
    assert (key.consultations, key.social_consultations, key.pmi_consultations) == (13, 8, 5)
    assert key.drafts_left_out == 2
    # First day of each person: P1 06/10 unknown; P2 known; P10 06/10: C3 says unknown but M4
    # the same day says known → known; P3 13/10 unknown; P6 unknown; P14 unknown; P7 06/10
    # unknown; P8 known. Unknown: P1 P3 P6 P14 P7 → 5 of 8 = 62.5 %, shown "63 %".
    assert key.unknown_before == 5
    assert key.unknown_before_share == pytest.approx(5 / 8)
    assert format_percent(key.unknown_before_share) == "63\u00a0%"


def test_satisfaction_per_question(social_store: LocalStore, data: ActivityData):
    satisfaction = report_for(social_store).satisfaction
    # A1…A4 (A5 deleted, A6 before the period).
    assert satisfaction.answers == 4
    rendered = satisfaction.question("service_rendered")  # 4, 3, 2, 1 → 2 good of 4
    assert (rendered.good_or_excellent, rendered.answers, rendered.share) == (2, 4, 0.5)
    assert rendered.distribution == (1, 1, 1, 1)
    reception = satisfaction.question("reception")  # 4, 2, 3, 4 → 3 of 4
    assert (reception.good_or_excellent, reception.share) == (3, 0.75)
    assert reception.distribution == (0, 1, 1, 2)
    waiting = satisfaction.question("waiting_time")  # 3, 1, 4, 2 → 2 of 4
    assert (waiting.share, waiting.distribution) == (0.5, (1, 1, 1, 1))


def test_immediate_resolution_and_outcomes(social_store: LocalStore, data: ActivityData):
    resolution = report_for(social_store).resolution
    assert resolution is not None
    # Resolved on the spot: C1 and C3 → 2 of the 8 signed social consultations = 25 %.
    assert (resolution.resolved_on_spot, resolution.social_consultations) == (2, 8)
    assert resolution.immediate_share == 0.25
    outcomes = {item.code: item.count for item in resolution.outcomes}
    # oriented: C2 C5 C7; follow-up opened: C4 C6 C8.
    assert outcomes == {
        "resolved_on_spot": 2,
        "oriented": 3,
        "follow_up_opened": 3,
        "cms_appointment": 0,
        "no_further_action": 0,
    }


def test_time_to_resolve_and_open_follow_ups(social_store: LocalStore, data: ActivityData):
    resolution = report_for(social_store).resolution
    assert resolution is not None
    # Closed in the period as resolved: F2 0 day, F1 3, F3 17 (partially resolved counts),
    # F11 35. F5 is closed "unreachable" (not resolved), F10 closes after the period, F8 is
    # deleted, F12 closed before it. Median of 0, 3, 17, 35 = (3 + 17) / 2 = 10.
    assert (resolution.resolved_follow_ups, resolution.other_closed_follow_ups) == (4, 1)
    assert resolution.median_days == 10.0
    assert [(b.code, b.count) for b in resolution.delay_buckets] == [
        ("0", 1),
        ("1-7", 1),
        ("8-15", 0),
        ("16-30", 1),
        ("31+", 1),
    ]
    # At 31/12: F4 (due 17/11, overdue), F6 (due 31/12: not before, not overdue), F7 (opened
    # before the period, due 12/10, overdue), F10 (closed only on 05/01/2027, due 20/10,
    # overdue). F9 belongs to a draft: left out. → 4 open, 3 overdue.
    assert resolution.as_of == Q4_END
    assert (resolution.open_follow_ups, resolution.overdue_follow_ups) == (4, 3)


def test_follow_ups_counted_at_today_while_the_period_runs(
    social_store: LocalStore, data: ActivityData
):
    # Seen on 15/11 (a snapshot: closings dated later are "not yet" for it): open are F3
    # (closed 20/11), F4, F5 (closed 30/11), F6, F7, F10; overdue on 15/11: F5 (due 27/10),
    # F7 (12/10), F10 (20/10); F3 and F4 are due 17/11, F6 31/12.
    resolution = report_for(social_store, today=d(15, 11)).resolution
    assert resolution is not None
    assert resolution.as_of == d(15, 11)
    assert (resolution.open_follow_ups, resolution.overdue_follow_ups) == (6, 3)


def test_demand_types_and_orientations(social_store: LocalStore, data: ActivityData):
    social = report_for(social_store).social
    assert social is not None
    # rsa: C1 C5 C6 → 3; housing: C4 C7 → 2; then one each, in the list's order:
    # family_benefits (C3), health_insurance (C2), energy (C4), budget_debt (C8),
    # digital_access (C1). D1's rsa is a draft's.
    assert [(i.code, i.count) for i in social.demand_types] == [
        ("rsa", 3),
        ("housing", 2),
        ("family_benefits", 1),
        ("health_insurance", 1),
        ("energy", 1),
        ("budget_debt", 1),
        ("digital_access", 1),
    ]
    assert social.demand_types[0].share == 3 / 8
    # O1 cpam, O2 caf, O3 france_travail, O4 adil, O5 caf; O6 is deleted, O7 is a draft's.
    assert [(i.code, i.count) for i in social.orientations] == [
        ("caf", 2),
        ("cpam", 1),
        ("france_travail", 1),
        ("adil", 1),
    ]
    assert social.orientations_total == 5
    assert social.orientations[0].share == 2 / 5
    # C2, C5 and C7 have an orientation: 3 of 8.
    assert (social.consultations_with_orientation, social.orientation_share) == (3, 3 / 8)


def test_pmi_activity_for_the_supervisor(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store)
    pmi = report.pmi
    assert pmi is not None
    # Children under 6: P7 (M1, M2) and P8 (5 years 9 months, M3) → 2 children, 3
    # consultations. P10 is 31: M4, M5 are prenatal → 2 consultations, 1 woman.
    assert (pmi.children_seen, pmi.child_consultations) == (2, 3)
    assert (pmi.prenatal_consultations, pmi.women_followed) == (2, 1)
    # Vaccinations and PMI orientations are medical secret: not for the supervisor.
    assert pmi.vaccination is None and pmi.orientations is None
    late = next(row for row in key_rows(report) if row.key == "late_vaccinations")
    assert late.value is None and late.text == MEDICAL_RESERVED


def test_late_vaccinations_for_a_pmi_nurse(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, roles=NURSE)
    assert report.pmi is not None and report.pmi.vaccination is not None
    vaccination = report.pmi.vaccination
    # P7: menb_2 late at M1 (caught up at M2), menacwy_1 late at M2 (not caught up); P8: none
    # late. Without the duplicate P7b's M0, every 2- and 4-month dose would be late too.
    assert vaccination.children_checked == 2
    assert vaccination.children_with_late_doses == 1
    assert (vaccination.late_doses, vaccination.late_doses_given) == (2, 1)
    # PMI orientations: M1 camsp, M4 midwife; a tie keeps the partners list's order.
    assert [(i.code, i.count) for i in report.pmi.orientations or ()] == [
        ("camsp", 1),
        ("midwife", 1),
    ]
    # A nurse does not read the social secret.
    assert report.resolution is None and report.social is None
    assert report.social_unavailable == SOCIAL_RESERVED
    # …but the people counts come from class S and are the same as the supervisor's.
    assert report.key == report_for(social_store).key


def test_attendance_per_stop_and_commune(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store)
    # S5 is cancelled (deleted), S0 is before the period. S4: nobody, still listed.
    assert [
        (s.stop_id, s.people, s.social_consultations, s.pmi_consultations) for s in report.stops
    ] == [
        (data["S1"], 4, 3, 2),  # P1 P2 P10 P7; C1 C2 C3; M1 M4
        (data["S3"], 1, 1, 0),  # P3 (C4); D1 draft and P12 deleted not counted
        (data["S2"], 6, 3, 3),  # P1 P3 P14 P7 P8 P10; C6 C7 C8; M2 M3 M5
        (data["S4"], 0, 0, 0),
    ]
    assert report.months == (d(1, 10), d(1, 11), d(1, 12))
    chatillon, luc, outside = report.communes
    assert (chatillon.commune, chatillon.stops, chatillon.people, chatillon.consultations) == (
        "Châtillon-en-Diois",
        2,
        1,
        1,
    )
    assert chatillon.people_per_stop == 0.5  # (1 + 0) / 2
    assert (chatillon.people_by_month, chatillon.stops_by_month) == ((1, 0, 0), (1, 1, 0))
    # Luc: P1 P2 P10 P7 in October, P1 P3 P14 P7 P8 P10 in November → 7 distinct, 11 visits.
    assert (luc.commune, luc.stops, luc.people, luc.consultations) == ("Luc-en-Diois", 2, 7, 11)
    assert luc.people_per_stop == 5.0  # (4 + 6) / 2
    assert (luc.people_by_month, luc.stops_by_month) == ((4, 6, 0), (1, 1, 0))
    # C5 had no stop.
    assert (outside.commune_insee, outside.commune, outside.stops, outside.people) == (
        None,
        "Hors tournée",
        0,
        1,
    )
    assert outside.people_per_stop is None


def test_one_commune(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, commune_insee=LUC)
    key = report.key
    # Luc: C1 C2 C3 C6 C7 C8 and M1…M5; people P1 P2 P10 P7 P3 P14 P8.
    assert (key.people, key.social_consultations, key.pmi_consultations) == (7, 6, 5)
    # P3 is first seen at Luc on 03/11 (C7, known): unknown are P1, P7, P14 → 3 of 7.
    assert key.unknown_before == 3
    assert report.resolution is not None
    assert report.resolution.immediate_share == 2 / 6  # C1, C3
    # F2 0, F3 17, F11 35 (F1 is Châtillon's) → median 17; open F4 F6 F7 F10.
    assert report.resolution.median_days == 17.0
    assert report.resolution.open_follow_ups == 4
    assert report.satisfaction.question("service_rendered").share == 1.0  # A1 4, A2 3
    assert [c.commune for c in report.communes] == ["Luc-en-Diois"]
    assert "Commune : Luc-en-Diois" in report.filter_text


def test_one_stop(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, stop_id=data["S3"])
    # S3: C4 only (D1 is a draft); A3; F1 and F5 are C4's.
    assert (report.key.people, report.key.consultations, report.key.drafts_left_out) == (1, 1, 1)
    assert report.satisfaction.answers == 1
    assert report.resolution is not None
    assert report.resolution.median_days == 3.0
    assert report.resolution.other_closed_follow_ups == 1
    assert [s.stop_id for s in report.stops] == [data["S3"]]
    assert report.filter_text[1].startswith("Arrêt : 13/10/2026, Châtillon-en-Diois")


def test_pmi_service_only(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, service="pmi")
    key = report.key
    # P7 (unknown at M1), P8, P10 (known at M4) → 1 unknown of 3; Mdraft is the only draft.
    assert (key.people, key.consultations, key.unknown_before, key.drafts_left_out) == (3, 5, 1, 1)
    assert report.resolution is None and report.social is None
    assert report.social_unavailable == NOT_THIS_SERVICE
    assert report.satisfaction.answers == 1  # A2
    # Only the stops offering PMI are listed.
    assert [s.stop_id for s in report.stops] == [data["S1"], data["S2"]]
    immediate = next(row for row in key_rows(report) if row.key == "immediate_resolution")
    assert immediate.value is None and immediate.text == NOT_THIS_SERVICE


def test_an_empty_period_has_no_shares(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, start=d(1, 1, 2024), end=d(31, 1, 2024))
    assert report.key.people == 0
    assert report.key.unknown_before_share is None
    assert report.satisfaction.question("reception").share is None
    assert report.resolution is not None and report.resolution.immediate_share is None
    assert report.resolution.median_days is None
    rows = {row.key: row for row in key_rows(report)}
    assert rows["unknown_before"].text == "—"
    assert rows["median_days"].text == "—"


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(FilterError) as error:
        ActivityFilter(start=d(31, 12), end=d(1, 10))
    assert error.value.field == "end"
    assert "avant" in str(error.value)


def test_french_formatting():
    assert format_percent(0.45) == "45\u00a0%"
    assert format_percent(0.125) == "13\u00a0%"  # half rounds up, not to even
    assert format_percent(None) == "—"
    assert format_days(3.5) == "3,5 jours"
    assert format_days(4.0) == "4 jours"
    assert format_days(1) == "1 jour"
    assert format_days(0) == "0 jour"


def test_definitions_name_the_reference_outcomes(ref: ReferenceData):
    notes = definitions(ref)
    assert "« Résolu sur place »" in notes["immediate_resolution"]
    assert "« Résolu » ou « Partiellement résolu »" in notes["time_to_resolve"]
    assert "6 ans" in notes["prenatal"]
