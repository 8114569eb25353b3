"""The activity indicators on the fixed data set of ``tests.core.activity_data``.

Each expected figure is worked out by hand in the comments, from the list in that module's
docstring (stops S0…S5, people P1…P14, consultations C1…C8 and M1…M5, follow-ups F1…F12,
satisfaction answers A1…A6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

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
from van_app.core.first_contact import correct_known_to_cms
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
    year_before,
)
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.outbox import OutboxEntry
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
    # First met in Q4 (first signed consultation ever, duplicates included): P1 06/10, P2
    # 06/10, P10 06/10, P3 13/10, P6 20/10, P14 03/11, P8 03/11 (a PMI first visit) → 7. P7 is
    # not new: her duplicate P7b was seen on 10/07 (M0). Their own flag: P2 and P10 known; P3
    # (the kept record) not known, whatever the duplicate P3b says; C3's "unknown" and M3's
    # "known" are not read. Not known: P1 P3 P6 P14 P8 → 5 of 7 = 71.4 %, shown "71 %".
    assert key.first_met == 7
    assert key.unknown_before == 5
    assert key.unknown_before_share == pytest.approx(5 / 7)
    assert format_percent(key.unknown_before_share) == "71\u00a0%"


def test_a_person_first_met_in_an_earlier_period_is_not_new(
    social_store: LocalStore, data: ActivityData
):
    key = report_for(social_store, start=d(1, 11), end=d(30, 11)).key
    # November: P1 (C6), P3 (C7 on P3b), P14, P7, P8, P10 → 6 people. First met in November:
    # P14 and P8 only (P1, P3 and P10 were first seen in October, P7 in July); both not known.
    # C6 and C7 say "known" and would have made no difference either way.
    assert (key.people, key.first_met, key.unknown_before) == (6, 2, 2)
    october = report_for(social_store, start=d(1, 10), end=d(31, 10)).key
    # October: P1 P2 P10 P3 P6 (P7 first seen in July) → 5, not known P1 P3 P6 → 3.
    assert (october.first_met, october.unknown_before) == (5, 3)


def test_correcting_the_flag_in_the_file_changes_the_figure(
    social_store: LocalStore, data: ActivityData
):
    # P8 (first met at a PMI consultation) was in fact known: corrected once in her file.
    assert correct_known_to_cms(social_store, data["P8"], True) is True
    # Through the duplicate's id, the kept record P3 is corrected.
    assert correct_known_to_cms(social_store, data["P3b"], True) is True
    key = report_for(social_store).key
    assert (key.first_met, key.unknown_before) == (7, 3)  # P1 P6 P14
    with social_store.session() as session:
        queued = session.exec(
            select(OutboxEntry).where(OutboxEntry.record_id.in_([data["P8"], data["P3"]]))
        ).all()
        assert {e.record_id for e in queued} == {data["P8"], data["P3"]}
        assert all("known_to_cms" in e.changed_fields for e in queued)
        assert session.get(Beneficiary, data["P3b"]).known_to_cms is True  # untouched
    # The same answer again writes nothing.
    assert correct_known_to_cms(social_store, data["P8"], True) is False


def test_satisfaction_per_question(social_store: LocalStore, data: ActivityData):
    satisfaction = report_for(social_store).satisfaction
    # A1…A4 (A5 deleted, A6 before the period).
    assert satisfaction.answers == 4
    # Response rate: 4 answers for the 13 signed consultations.
    assert (satisfaction.consultations, satisfaction.response_rate) == (13, 4 / 13)
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
    # Every resolved demand: C1 and C3 resolved on the spot (0 day), and the follow-ups
    # closed in the period as resolved: F2 0 day, F1 3, F11 35. F3 is only partially
    # resolved (kept apart), F5 is closed "unreachable", F10 closes after the period, F8 is
    # deleted, F12 closed before it. Delays 0, 0, 0, 3, 35 → median 0; follow-ups alone 0, 3,
    # 35 → 3, resting on 3 cases.
    assert resolution.resolved_demands == 5
    assert (resolution.resolved_follow_ups, resolution.partially_resolved_follow_ups) == (3, 1)
    assert resolution.other_closed_follow_ups == 1
    assert (resolution.median_days, resolution.follow_up_median_days) == (0.0, 3.0)
    assert [(b.code, b.count) for b in resolution.delay_buckets] == [
        ("0", 3),
        ("1-4", 1),
        ("5-14", 0),
        ("15-21", 0),
        ("22+", 1),
    ]
    median = next(row for row in key_rows(report_for(social_store)) if row.key == "median_days")
    assert median.text == "0 jour"
    assert median.detail == (
        "5 demandes résolues, dont 2 sur place (0 jour) ; suivis seuls : 3 jours "
        "(3 suivis résolus, sur 3 cas seulement) ; 1 suivi partiellement résolu à part"
    )
    assert median.target_status == "atteint"  # 0 ≤ 4 days
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
    # The Département's indicators per commune. First met, by the stop of the first visit:
    # Châtillon P3 (not known); Luc P1 P2 P10 (C3 at S1) P14 P8 → 3 not known of 5; outside
    # P6 (not known).
    assert (chatillon.first_met, chatillon.unknown_before) == (1, 1)
    assert (luc.first_met, luc.unknown_before, luc.unknown_before_share) == (5, 3, 3 / 5)
    assert (outside.first_met, outside.unknown_before) == (1, 1)
    # Immediate resolution: Luc C1 C3 of C1 C2 C3 C6 C7 C8; Châtillon C4: none; outside C5.
    assert (luc.resolved_on_spot, luc.social_consultations, luc.immediate_share) == (2, 6, 2 / 6)
    assert (chatillon.resolved_on_spot, chatillon.immediate_share) == (0, 0.0)
    # Service rendered: Luc A1 4, A2 3 → 2 of 2; Châtillon A3 2 → 0 of 1; outside A4 1.
    assert (luc.satisfied, luc.answers, luc.satisfaction_share) == (2, 2, 1.0)
    assert (chatillon.satisfied, chatillon.answers) == (0, 1)
    assert (outside.satisfied, outside.answers) == (0, 1)
    assert all(s.held for s in report.stops) and report.held_until == Q4_END


def test_monthly_series(social_store: LocalStore, data: ActivityData):
    october, november, december = report_for(social_store).monthly
    # October: C1 C2 C3 C4 C5 M1 M4 → 7 consultations of P1 P2 P10 P3 P6 P7 → 6 people; first
    # met P1 P2 P10 P3 P6, not known P1 P3 P6; stops S1 S3; C1 C3 resolved on the spot of 5.
    assert (october.people, october.consultations) == (6, 7)
    assert (october.first_met, october.unknown_before, october.held_stops) == (5, 3, 2)
    assert (october.resolved_on_spot, october.social_consultations) == (2, 5)
    # November: C6 C7 C8 M2 M3 M5 of P1 P3 P14 P7 P8 P10; first met P14 P8; stops S2 S4.
    assert (november.people, november.consultations, november.first_met) == (6, 6, 2)
    assert (november.unknown_before, november.held_stops) == (2, 2)
    # December: S5 is cancelled.
    assert (december.people, december.held_stops) == (0, 0)


def test_future_stops_are_planned_not_held(social_store: LocalStore, data: ActivityData):
    # Seen on 05/11 for October–November: S1, S3 and S2 (03/11) are held, S4 (10/11) is only
    # planned: Châtillon has held one stop (S3, 1 person), not two with 0.5 person each.
    report = report_for(social_store, start=d(1, 10), end=d(30, 11), today=d(5, 11))
    assert report.held_until == d(5, 11)
    assert [(s.stop_id, s.held) for s in report.stops] == [
        (data["S1"], True),
        (data["S3"], True),
        (data["S2"], True),
        (data["S4"], False),
    ]
    chatillon, luc, _outside = report.communes
    assert (chatillon.stops, chatillon.planned_stops, chatillon.people_per_stop) == (1, 1, 1.0)
    assert chatillon.stops_by_month == (1, 0)
    assert (luc.stops, luc.planned_stops, luc.people_per_stop) == (2, 0, 5.0)
    assert [m.held_stops for m in report.monthly] == [2, 1]


def test_one_commune(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, commune_insee=LUC)
    key = report.key
    # Luc: C1 C2 C3 C6 C7 C8 and M1…M5; people P1 P2 P10 P7 P3 P14 P8.
    assert (key.people, key.social_consultations, key.pmi_consultations) == (7, 6, 5)
    # First met at Luc: P1 P2 P10 P14 P8 (P3 first came to Châtillon, P7 in July); not
    # known: P1 P14 P8 → 3 of 5.
    assert (key.first_met, key.unknown_before) == (5, 3)
    assert report.resolution is not None
    assert report.resolution.immediate_share == 2 / 6  # C1, C3
    # Resolved: C1 0, C3 0, F2 0, F11 35 (F1 is Châtillon's, F3 partial) → median 0; the
    # follow-ups alone: 0 and 35 → 17.5.
    assert report.resolution.median_days == 0.0
    assert report.resolution.follow_up_median_days == 17.5
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
    median = next(row for row in key_rows(report) if row.key == "median_days")
    assert "(sur 1 cas seulement)" in median.detail
    assert [s.stop_id for s in report.stops] == [data["S3"]]
    assert report.filter_text[1].startswith("Arrêt : 13/10/2026, Châtillon-en-Diois")


def test_pmi_service_only(social_store: LocalStore, data: ActivityData):
    report = report_for(social_store, service="pmi")
    key = report.key
    # P7 (first seen in July), P8 (first met at M3, not known), P10 (first met on 06/10, M4
    # that day, known) → 1 not known of 2 first met; Mdraft is the only draft.
    assert (key.people, key.consultations, key.drafts_left_out) == (3, 5, 1)
    assert (key.first_met, key.unknown_before) == (2, 1)
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
    assert "l'issue « Résolu »" in notes["time_to_resolve"]
    assert "« Partiellement résolu » sont comptés à part" in notes["time_to_resolve"]
    assert "6 ans" in notes["prenatal"]


def test_every_key_figure_beside_the_year_before_and_the_target(
    social_store: LocalStore, data: ActivityData
):
    with social_store.session() as session:
        report = activity_report(
            session, SUPERVISOR, ActivityFilter(Q4_START, Q4_END), reference(), AFTER_Q4,
            compare=True,
        )  # fmt: skip
    assert report.previous is not None
    assert (report.previous.filter.start, report.previous.filter.end) == (
        d(1, 10, 2025),
        d(31, 12, 2025),
    )
    rows = {row.key: row for row in key_rows(report)}
    # Nothing was recorded in 2025: counts 0, shares with no denominator "—".
    assert (rows["people"].previous_text, rows["unknown_before"].previous_text) == ("0", "—")
    # Targets: 5/7 not known ≥ 50 %; service rendered 2/4 < 70 %; 2/8 on the spot < 45 %.
    assert rows["unknown_before"].target_status == "atteint"
    assert rows["satisfaction"].target_status == "non atteint"
    assert rows["immediate_resolution"].target_status == "non atteint"
    assert rows["people"].target_status == ""
    # 4 answers: the share says how few cases it rests on.
    assert rows["satisfaction"].detail.startswith("2 réponses sur 4 ; taux de réponse 31\u00a0%")
    assert rows["satisfaction"].detail.endswith("(sur 4 cas seulement)")
    # Without asking, no comparison is computed; one stop has no year-before twin.
    assert report_for(social_store).previous is None
    assert year_before(ActivityFilter(Q4_START, Q4_END, stop_id=data["S1"])) is None
