"""Dates of a repeating stop ("2nd Tuesday of every month") and how they read in French.

Pure date arithmetic, shared by the planning core, the town-hall announcement and the screens,
so that a rule, its preview and its generated stops can never disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Protocol

from van_app.core.french import time_text

__all__ = [
    "HORIZON_MONTHS",
    "MONTHS",
    "WEEKDAYS",
    "WEEKS_OF_MONTH",
    "RuleLike",
    "add_months",
    "french_long_date",
    "hours_range_text",
    "hours_text",
    "is_occurrence",
    "next_occurrences",
    "nth_weekday",
    "occurrences",
    "public_holiday",
    "rule_text",
    "week_of_month_text",
]

HORIZON_MONTHS = 12  # the dated stops of a pattern are generated this far ahead
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)  # -1: the last such weekday of the month
_WEEK_WORDS = {1: "1er", 2: "2e", 3: "3e", 4: "4e", -1: "dernier"}


class RuleLike(Protocol):
    """What a repeating rule needs: a TourPattern or the form that edits one."""

    weekday: int
    week_of_month: int
    first_date: dt.date
    last_date: dt.date | None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's end (31/01 + 1 -> 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def nth_weekday(year: int, month: int, weekday: int, week_of_month: int) -> dt.date:
    """The ``week_of_month``-th ``weekday`` (0 = Monday) of the month; -1 gives the last one.

    Weeks 1 to 4 always fall inside the month (the 4th is at the latest the 28th).
    """
    if week_of_month == -1:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    if week_of_month not in (1, 2, 3, 4) or not 0 <= weekday <= 6:
        raise ValueError(f"no such rule: weekday {weekday}, week {week_of_month}")
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (week_of_month - 1))


def is_occurrence(rule: RuleLike, day: dt.date) -> bool:
    """Whether ``day`` is one of the rule's dates (skipped dates aside)."""
    if day < rule.first_date or (rule.last_date is not None and day > rule.last_date):
        return False
    return nth_weekday(day.year, day.month, rule.weekday, rule.week_of_month) == day


def occurrences(
    rule: RuleLike, start: dt.date, end: dt.date, skipped: list[str] | tuple[str, ...] = ()
) -> list[dt.date]:
    """The rule's dates from ``start`` to ``end`` (both included), within its first and last
    date, less the ISO dates in ``skipped``.
    """
    low = max(start, rule.first_date)
    high = end if rule.last_date is None else min(end, rule.last_date)
    skipped_set = set(skipped)
    dates: list[dt.date] = []
    year, month = low.year, low.month
    while (year, month) <= (high.year, high.month):
        day = nth_weekday(year, month, rule.weekday, rule.week_of_month)
        if low <= day <= high and day.isoformat() not in skipped_set:
            dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def next_occurrences(
    rule: RuleLike, after: dt.date, count: int, skipped: list[str] | tuple[str, ...] = ()
) -> list[dt.date]:
    """Up to ``count`` dates from ``after`` on (included): the preview of a rule."""
    start = max(after, rule.first_date)
    months = count + 1 + len(skipped)
    return occurrences(rule, start, add_months(start, months), skipped)[:count]


def _easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar; anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holiday(day: dt.date) -> str | None:
    """The name of the French public holiday on ``day`` (metropolitan France), or None.

    The van does not go out on those days: a repeating tour skips them, a stop is refused.
    """
    fixed = {
        (1, 1): "jour de l'An",
        (5, 1): "fête du Travail",
        (5, 8): "Victoire 1945",
        (7, 14): "fête nationale",
        (8, 15): "Assomption",
        (11, 1): "Toussaint",
        (11, 11): "Armistice 1918",
        (12, 25): "Noël",
    }
    if (day.month, day.day) in fixed:
        return fixed[(day.month, day.day)]
    offset = (day - _easter(day.year)).days
    return {1: "lundi de Pâques", 39: "Ascension", 50: "lundi de Pentecôte"}.get(offset)


# -- French wording ----------------------------------------------------------------------------


def french_long_date(day: dt.date) -> str:
    """ "mardi 8 décembre 2026", "mardi 1er juin 2027": how a date is read aloud."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAYS[day.weekday()]} {number} {MONTHS[day.month - 1]} {day.year}"


def hours_text(value: dt.time) -> str:
    """ "9 h 30", "12 h 00": minutes always written, as on the posters."""
    return time_text(value)


def hours_range_text(start: dt.time, end: dt.time) -> str:
    """ "9 h 30 – 12 h 00"."""
    return f"{hours_text(start)} – {hours_text(end)}"


def week_of_month_text(week_of_month: int) -> str:
    """ "1er", "2e", "3e", "4e" or "dernier"."""
    return _WEEK_WORDS[week_of_month]


def rule_text(weekday: int, week_of_month: int) -> str:
    """ "2e mardi de chaque mois", "dernier vendredi de chaque mois"."""
    return f"{week_of_month_text(week_of_month)} {WEEKDAYS[weekday]} de chaque mois"
