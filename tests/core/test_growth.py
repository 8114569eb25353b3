"""WHO 2006 z-scores and curves, checked against the published WHO tables."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from van_app.core.growth import (
    BMI_FOR_AGE,
    HEAD_FOR_AGE,
    LENGTH_FOR_AGE,
    WEIGHT_FOR_AGE,
    WEIGHT_FOR_LENGTH,
    GrowthPoint,
    format_z,
    growth_standards,
    history_evolution_warnings,
    implausible_evolution,
    lms_value,
    point_xy,
)

STANDARDS = growth_standards()


def test_newborn_boy_of_median_weight_has_z_near_zero() -> None:
    z = STANDARDS.z_scores("M", 0, 3300, None)
    assert z.weight_for_age == pytest.approx(0, abs=0.15)
    assert z.length_for_age is None and z.weight_for_length is None


def test_z_score_by_hand_from_the_who_lms_table() -> None:
    # WHO weight-for-age, boys, day 0: L = 0.3487, M = 3.3464 kg, S = 0.14602.
    by_hand = ((3.3 / 3.3464) ** 0.3487 - 1) / (0.3487 * 0.14602)
    assert by_hand == pytest.approx(-0.0954, abs=1e-4)
    assert STANDARDS.z_scores("M", 0, 3300, None).weight_for_age == pytest.approx(by_hand, 1e-3)


def test_girl_of_one_year_below_minus_two_sd() -> None:
    # WHO weight-for-age, girls, 12 months: −2 SD = 7.0 kg, median 8.9 kg.
    z = STANDARDS.z_scores("F", 365, 6900, 740)
    assert z.weight_for_age is not None and z.weight_for_age < -2
    assert STANDARDS.z_scores("F", 365, 8950, 740).weight_for_age == pytest.approx(0, abs=0.1)
    assert z.weight_for_length is not None and z.bmi_for_age is not None


def test_weight_for_age_curves_match_the_published_who_values() -> None:
    # WHO boys, birth: −3 SD 2.1, −2 SD 2.5, median 3.3, +2 SD 4.4, +3 SD 5.0 kg.
    lines = STANDARDS.curves(WEIGHT_FOR_AGE, "M", 0, 12)
    at_birth = {sd: points[0] for sd, points in lines.items()}
    assert {sd: round(y, 1) for sd, (_, y) in at_birth.items()} == {
        -3: 2.1,
        -2: 2.5,
        0: 3.3,
        2: 4.4,
        3: 5.0,
    }
    # WHO girls, 12 months: median 8.9 kg, +2 SD 11.5 kg.
    girls = STANDARDS.curves(WEIGHT_FOR_AGE, "F", 0, 12)
    x, median = girls[0][-1]
    assert x == pytest.approx(365 / (365.25 / 12), abs=0.05)
    assert round(median, 1) == 8.9
    assert round(girls[2][-1][1], 1) == 11.5


def test_length_and_weight_for_length_curves() -> None:
    # WHO length-for-age boys at birth: −2 SD 46.1 cm, median 49.9 cm, +2 SD 53.7 cm.
    lines = STANDARDS.curves(LENGTH_FOR_AGE, "M", 0, 6)
    assert [round(lines[sd][0][1], 1) for sd in (-2, 0, 2)] == [46.1, 49.9, 53.7]
    wfl = STANDARDS.curves(WEIGHT_FOR_LENGTH, "F", 60, 70)
    assert wfl[0][0][0] == pytest.approx(60.0)
    assert wfl[0][-1][0] == pytest.approx(70.0)
    assert all(a[1] < b[1] for a, b in zip(wfl[0], wfl[0][1:], strict=False))


def test_head_circumference_z_scores_match_the_published_who_medians() -> None:
    # WHO head circumference-for-age at birth: median 34.46 cm (boys), 33.88 cm (girls).
    assert STANDARDS.z_scores("M", 0, None, None, 345).head_for_age == pytest.approx(0, abs=0.05)
    assert STANDARDS.z_scores("F", 0, None, None, 339).head_for_age == pytest.approx(0, abs=0.05)
    # By hand from the WHO LMS row, boys day 0: L = 1, M = 34.4618, S = 0.03686.
    by_hand = (31.9 / 34.4618 - 1) / 0.03686
    z = STANDARDS.z_scores("M", 0, 3300, 500, 319)
    assert z.head_for_age == pytest.approx(by_hand, abs=1e-6)
    assert z.head_for_age == pytest.approx(-2.0, abs=0.05)  # published −2 SD: 31.9 cm
    assert z.weight_for_age is not None  # the other indicators are still computed
    # Girls at 12 months: median 44.9 cm, +2 SD 47.6 cm.
    assert STANDARDS.z_scores("F", 365, None, None, 449).head_for_age == pytest.approx(0, abs=0.05)
    assert STANDARDS.z_scores("F", 365, None, None, 476).head_for_age == pytest.approx(2, abs=0.05)
    assert STANDARDS.z_scores("F", 2000, None, None, 500).head_for_age is None  # past 5 years
    assert STANDARDS.z_scores("I", 30, None, None, 370).head_for_age is None


def test_head_circumference_curves_match_the_published_who_values() -> None:
    # WHO boys at birth: −3 SD 30.7, −2 SD 31.9, median 34.5, +2 SD 37.0, +3 SD 38.3 cm.
    boys = STANDARDS.curves(HEAD_FOR_AGE, "M", 0, 12)
    assert {sd: round(line[0][1], 1) for sd, line in boys.items()} == {
        -3: 30.7,
        -2: 31.9,
        0: 34.5,
        2: 37.0,
        3: 38.3,
    }
    # WHO girls at 12 months: −3 SD 40.8, −2 SD 42.2, median 44.9, +2 SD 47.6, +3 SD 49.0 cm.
    girls = STANDARDS.curves(HEAD_FOR_AGE, "F", 0, 12)
    assert {sd: round(line[-1][1], 1) for sd, line in girls.items()} == {
        -3: 40.8,
        -2: 42.2,
        0: 44.9,
        2: 47.6,
        3: 49.0,
    }


def test_no_curve_for_an_unknown_sex() -> None:
    assert STANDARDS.curves(HEAD_FOR_AGE, "I", 0, 12) == {}
    assert STANDARDS.curves(WEIGHT_FOR_AGE, "I", 0, 12) == {}
    assert STANDARDS.z_scores("I", 30, 4000, 540).weight_for_age is None
    assert STANDARDS.z_scores("M", 2000, 18000, 1100).weight_for_age is None  # past 5 years


def test_lms_value_inverts_the_z_score() -> None:
    value = lms_value(0.3487, 3.3464, 0.14602, -1.5)
    grams = round(value * 1000)
    assert STANDARDS.z_scores("M", 0, grams, None).weight_for_age == pytest.approx(-1.5, abs=0.01)
    assert lms_value(0, 10, 0.1, 1) == pytest.approx(10 * math.exp(0.1))


def test_points_and_z_text() -> None:
    point = GrowthPoint("c", dt.date(2026, 3, 1), 61, 5200, 580, 390)
    assert point_xy(WEIGHT_FOR_AGE, point) == pytest.approx((61 / 30.4375, 5.2))
    assert point_xy(WEIGHT_FOR_LENGTH, point) == pytest.approx((58.0, 5.2))
    assert point_xy(HEAD_FOR_AGE, point)[1] == pytest.approx(39.0)
    assert point_xy(BMI_FOR_AGE, point)[1] == pytest.approx(5.2 / 0.58**2)
    assert (
        point_xy(LENGTH_FOR_AGE, GrowthPoint("c", dt.date(2026, 3, 1), 61, 5200, None, None))
        is None
    )
    assert format_z(-0.44) == "−0,4"
    assert format_z(1.25) == "1,2" or format_z(1.25) == "1,3"
    assert format_z(-0.04) == "0,0"


def _visit(day: dt.date, weight: int | None, length: int | None, head: int | None) -> GrowthPoint:
    return GrowthPoint("c", day, (day - dt.date(2026, 7, 1)).days, weight, length, head)


NOV_12 = dt.date(2026, 11, 12)
NOV_24 = dt.date(2026, 11, 24)


def test_a_child_shrinking_or_losing_a_tenth_of_their_weight_is_questioned() -> None:
    earlier = [
        _visit(dt.date(2026, 10, 12), 6000, 610, 410),
        _visit(NOV_12, 6740, 635, 420),
    ]
    warnings = implausible_evolution(earlier, NOV_24, 4200, 555, 405)
    assert [w.key for w in warnings] == ["weight_g", "length_mm", "head_circumference_mm"]
    assert [w.message for w in warnings] == [
        "Le poids passe de 6,740 kg (le 12/11/2026) à 4,200 kg en 12 jours, soit une perte "
        "de 38\u00a0% : est-ce bien pesé ?",
        "La taille passe de 63,5 cm (le 12/11/2026) à 55,5 cm : est-ce bien mesuré ?",
        "Le périmètre crânien passe de 42,0 cm (le 12/11/2026) à 40,5 cm : est-ce bien mesuré ?",
    ]


def test_measurement_error_and_ordinary_growth_pass() -> None:
    earlier = [_visit(NOV_12, 6740, 635, 420)]
    # Within the tolerances: −1.5 cm of length, −1 cm of head, −10 % of weight.
    assert implausible_evolution(earlier, NOV_24, 6066, 620, 410) == []
    assert implausible_evolution(earlier, NOV_24, 7100, 650, 425) == []
    assert implausible_evolution(earlier, NOV_24, None, None, None) == []
    # Just past each tolerance.
    keys = [w.key for w in implausible_evolution(earlier, NOV_24, 6060, 619, 409)]
    assert keys == ["weight_g", "length_mm", "head_circumference_mm"]
    # The first visit has nothing to contradict; a later visit is not "before".
    assert implausible_evolution([], NOV_24, 4200, 555, 405) == []
    assert implausible_evolution(earlier, dt.date(2026, 11, 1), 4200, 555, 405) == []


def test_each_measure_is_compared_with_its_own_latest_value() -> None:
    earlier = [
        _visit(dt.date(2026, 10, 12), 6000, 640, 420),
        _visit(NOV_12, 6740, None, None),  # weighed only
    ]
    [warning] = implausible_evolution(earlier, NOV_24, 6800, 600, 421)
    assert warning.key == "length_mm"
    assert warning.message.startswith("La taille passe de 64,0 cm (le 12/10/2026)")
    same_day = implausible_evolution([_visit(NOV_24, 6740, None, None)], NOV_24, 5000, None, None)
    assert "le même jour" in same_day[0].message


def test_history_evolution_warnings_walks_the_whole_file() -> None:
    steady = [
        _visit(dt.date(2026, 9, 1), 5000, 580, 395),
        _visit(dt.date(2026, 10, 1), 5700, 605, 405),
        _visit(dt.date(2026, 11, 1), 6300, 625, 415),
    ]
    assert history_evolution_warnings(steady) == []
    slip = [*steady, _visit(dt.date(2026, 11, 20), 6400, 525, 418)]
    assert [w.key for w in history_evolution_warnings(slip)] == ["length_mm"]
