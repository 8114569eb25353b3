"""French-format measures, ages and dates: what professionals type is read the way they meant it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from van_app.core.measures import (
    age_in_days,
    age_in_months,
    age_text,
    format_date,
    format_head_circumference,
    format_length,
    format_weight,
    parse_date,
    parse_head_circumference_mm,
    parse_length_mm,
    parse_weight_g,
)


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("3,450 kg", 3450),
        ("3.45kg", 3450),
        ("3450 g", 3450),
        ("3450", 3450),
        ("3,45", 3450),
        ("3 450 g", 3450),
        ("3\u202f450 g", 3450),
        ("  3,450  KG ", 3450),
        ("12 kilos", 12000),
        ("0,850 kg", 850),
        ("850", 850),
        ("99", 99000),
        ("100", 100),
        ("3450 grammes", 3450),
        ("3,4505 kg", 3451),  # half a gram rounds up
    ],
)
def test_parse_weight(text: str, grams: int) -> None:
    assert parse_weight_g(text) == grams


def test_adult_weight_bare_number_is_kilograms() -> None:
    assert parse_weight_g("105", bare_number_in_kg=True) == 105000
    assert parse_weight_g("68,5", bare_number_in_kg=True) == 68500
    assert parse_weight_g("68500 g", bare_number_in_kg=True) == 68500
    assert parse_weight_g("3450", bare_number_in_kg=False) == 3450


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "abc",
            "Le poids « abc » n'est pas lisible. Exemples acceptés : « 3,450 kg » ou « 3450 g ».",
        ),
        ("3,4,5", "n'est pas lisible"),
        ("3 livres", "n'est pas lisible"),
        ("-3,2 kg", "Le poids ne peut pas être négatif."),
        ("0", "Le poids doit être supérieur à zéro."),
        ("0,0001 kg", "Le poids doit être supérieur à zéro."),
        ("", "Saisissez le poids, par exemple « 3,450 kg » ou « 3450 g »."),
        ("   ", "Saisissez le poids"),
    ],
)
def test_parse_weight_refuses_garbage_in_french(text: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_weight_g(text)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "mm"),
    [
        ("52,5 cm", 525),
        ("525 mm", 525),
        ("52,5", 525),
        ("52.5", 525),
        ("52", 520),
        ("1,05 m", 1050),
        ("52,5 centimètres", 525),
        ("52,55 cm", 526),
    ],
)
def test_parse_length(text: str, mm: int) -> None:
    assert parse_length_mm(text) == mm


def test_parse_head_circumference() -> None:
    assert parse_head_circumference_mm("35,5 cm") == 355
    assert parse_head_circumference_mm("355 mm") == 355
    assert parse_head_circumference_mm("35,5") == 355


def _error(parse, text: str) -> str:
    with pytest.raises(ValueError) as excinfo:
        parse(text)
    return str(excinfo.value)


def test_length_and_head_messages_agree_in_gender() -> None:
    assert _error(parse_length_mm, "-52 cm") == "La taille ne peut pas être négative."
    assert _error(parse_length_mm, "0") == "La taille doit être supérieure à zéro."
    assert _error(parse_head_circumference_mm, "-35") == (
        "Le périmètre crânien ne peut pas être négatif."
    )
    assert _error(parse_head_circumference_mm, "0 cm") == (
        "Le périmètre crânien doit être supérieur à zéro."
    )
    assert _error(parse_length_mm, "52 kg").startswith("La taille « 52 kg » n'est pas lisible")


def test_format_measures() -> None:
    assert format_weight(3450) == "3,450 kg"
    assert format_weight(850) == "0,850 kg"
    assert format_weight(12000) == "12,000 kg"
    assert format_length(525) == "52,5 cm"
    assert format_length(520) == "52,0 cm"
    assert format_head_circumference(355) == "35,5 cm"


@given(st.integers(min_value=1, max_value=300_000))
def test_weight_round_trip(grams: int) -> None:
    assert parse_weight_g(format_weight(grams)) == grams


@given(st.integers(min_value=1, max_value=2_500))
def test_length_round_trip(mm: int) -> None:
    assert parse_length_mm(format_length(mm)) == mm
    assert parse_head_circumference_mm(format_head_circumference(mm)) == mm


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=999))
def test_bare_number_below_100_is_kilograms(kilos: int, grams: int) -> None:
    assert parse_weight_g(f"{kilos},{grams:03d}") == kilos * 1000 + grams


@given(st.integers(min_value=100, max_value=99_999))
def test_bare_number_from_100_is_grams(grams: int) -> None:
    assert parse_weight_g(str(grams)) == grams


# -- ages and dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "text"),
    [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), "0 jour"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2), "1 jour"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 13), "12 jours"),
        (dt.date(2026, 3, 1), dt.date(2026, 4, 1), "1 mois"),
        (dt.date(2026, 3, 1), dt.date(2026, 4, 2), "1 mois et 1 jour"),
        (dt.date(2026, 1, 20), dt.date(2026, 5, 2), "3 mois et 12 jours"),
        (dt.date(2025, 3, 1), dt.date(2026, 3, 1), "12 mois"),
        (dt.date(2024, 3, 10), dt.date(2026, 3, 9), "23 mois et 27 jours"),
        (dt.date(2024, 3, 10), dt.date(2026, 3, 10), "2 ans"),
        (dt.date(2024, 1, 15), dt.date(2026, 5, 20), "2 ans et 4 mois"),
        (dt.date(2023, 1, 15), dt.date(2026, 2, 20), "3 ans et 1 mois"),
        (dt.date(1992, 6, 1), dt.date(2026, 11, 23), "34 ans"),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28), "1 mois"),
        (dt.date(2026, 1, 31), dt.date(2026, 3, 1), "1 mois et 1 jour"),
    ],
)
def test_age_text(birth: dt.date, on: dt.date, text: str) -> None:
    assert age_text(birth, on) == text


def test_age_in_days_and_months() -> None:
    assert age_in_days(dt.date(2026, 1, 1), dt.date(2026, 3, 2)) == 60
    assert age_in_months(dt.date(2026, 1, 15), dt.date(2026, 2, 14)) == 0
    assert age_in_months(dt.date(2026, 1, 15), dt.date(2026, 2, 15)) == 1
    with pytest.raises(ValueError, match="antérieure à la date de naissance"):
        age_in_days(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


@given(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40_000),
)
def test_age_text_always_reads_well_and_months_never_go_back(birth: dt.date, days: int) -> None:
    on = birth + dt.timedelta(days=days)
    text = age_text(birth, on)
    assert text
    # Singular for 0 and 1, plural from 2: never "1 jours", "0 jours" or "1 ans".
    assert not re.search(r"(?<!\d)[01] (jours|ans)\b", text)
    assert not re.search(r"(?<!\d)([2-9]|\d\d+) (jour|an)\b", text)
    months = age_in_months(birth, on)
    if days:
        assert months >= age_in_months(birth, on - dt.timedelta(days=1))
    else:
        assert months == 0
    if months < 24 and " et " in text:
        assert int(text.split(" et ")[1].split()[0]) <= 30


def test_format_and_parse_dates() -> None:
    assert format_date(dt.date(2026, 11, 23)) == "23/11/2026"
    assert format_date(dt.date(2026, 1, 5)) == "05/01/2026"
    assert parse_date("23/11/2026") == dt.date(2026, 11, 23)
    assert parse_date("5.1.2026") == dt.date(2026, 1, 5)
    assert parse_date("2026-11-23") == dt.date(2026, 11, 23)
    assert _error(parse_date, "31/02/2026") == "La date « 31/02/2026 » n'existe pas."
    with pytest.raises(ValueError, match="JJ/MM/AAAA"):
        parse_date("demain")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_round_trip(value: dt.date) -> None:
    assert parse_date(format_date(value)) == value
