"""Statistical secrecy for published counts, safe against differencing (docs/statistics.md).

The rule, in three parts:

1. **Whole periods.** Statistics are published for whole calendar months, quarters or years
   only (``check_export_period``), and whole communes.
2. **Month blocks.** Every table is cut into months and each month is protected on its own
   data alone: a quarter or a year export is exactly its months' exports put side by side, so
   two exports agree on every month they share and no difference of exports is new.
3. **Every margin.** Inside a month, every total (per commune, per service, the month's…) is
   assumed known, whether printed or not. Primary: a count (cell or total) of 1 to 10 is
   hidden, "< 11"; 0 is shown, it designates nobody. Complementary: more counts are hidden,
   "s", until the attacker of ``secret_audit`` — linear algebra over every published figure
   and bounds (zeros included) — pins no hidden figure. A 0 taken as a complement reads
   "< 11" (true: fewer than 11), never apart. A figure spanning several months is published
   only as a sum of published month figures (``period_sum``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from van_app.core.reports.secret_audit import PRIMES, disclosed

THRESHOLD = 11
PRIMARY_MARK = f"< {THRESHOLD}"
SECONDARY_MARK = "s"
TRIALS = 4  # complements tried one by one before taking the cheapest and looking again
ALL = "*"  # a summed dimension in a figure's key: ("2026-10", "Die", ALL) = Die, every service

Shown = int | str
Key = tuple[str, ...]

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
PERIOD_KINDS = {"month": "Mois", "quarter": "Trimestre", "year": "Année"}


# -- periods ---------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period an anonymised export may not cover; the message is French, for the user."""


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[dt.date, dt.date]:
    """First and last day of month ``number``, quarter ``number`` or the year."""
    if kind == "month":
        return dt.date(year, number, 1), _month_end(year, number)
    if kind == "quarter":
        return dt.date(year, 3 * number - 2, 1), _month_end(year, 3 * number)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def period_kind(start: dt.date, end: dt.date) -> str | None:
    """ "month", "quarter" or "year" when ``start``..``end`` is exactly one, else None."""
    if start.day != 1 or start.year != end.year:
        return None
    if (start, end) == period_bounds("month", start.year, start.month):
        return "month"
    if start.month % 3 == 1 and (start, end) == period_bounds(
        "quarter", start.year, start.month // 3 + 1
    ):
        return "quarter"
    if (start, end) == period_bounds("year", start.year):
        return "year"
    return None


def period_label(start: dt.date, end: dt.date) -> str:
    """ "octobre 2026", "4e trimestre 2026", "année 2026"."""
    kind = period_kind(start, end)
    if kind == "month":
        return f"{MONTHS_FR[start.month - 1]} {start.year}"
    if kind == "quarter":
        number = (start.month + 2) // 3
        return f"{number}{'er' if number == 1 else 'e'} trimestre {start.year}"
    return f"année {start.year}"


def check_export_period(start: dt.date, end: dt.date, today: dt.date | None = None) -> str:
    """The period's kind, or ``PeriodError``: only whole past months, quarters and years."""
    kind = period_kind(start, end)
    if kind is None:
        raise PeriodError(
            "Les statistiques anonymisées portent sur un mois, un trimestre ou une année "
            "civile entiers : une autre période permettrait, par différence, de retrouver "
            "une case masquée."
        )
    if today is not None and end >= today:
        raise PeriodError("La période n'est pas terminée : elle ne peut pas encore être exportée.")
    return kind


def finished_periods(kind: str, first: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods of ``kind`` ended before ``today``, from the one holding ``first``, newest
    first: what the export dialog offers."""
    periods = []
    for year in range(first.year, today.year + 1):
        numbers = range(1, 13) if kind == "month" else range(1, 5) if kind == "quarter" else [1]
        for number in numbers:
            start, end = period_bounds(kind, year, number)
            if end >= first and end < today:
                periods.append((start, end))
    return periods[::-1]


def months_of(start: dt.date, end: dt.date) -> list[str]:
    """ "2026-10", … for every month touched by the period."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# -- protection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    """Every figure of one block as published: an int, "< 11" or "s"."""

    shown: dict[Key, Shown]
    primary: frozenset[Key]  # figures hidden because they count 1 to 10
    hidden: frozenset[Key]  # primary and complementary

    def value(self, key: Key) -> Shown:
        return self.shown[key]


def _cost(value: int) -> tuple[bool, int]:
    """A complement loses the least when it is not 0 (a 0 hides little) and small."""
    return value == 0, value


def protect_figures(
    figures: Mapping[Key, frozenset[Key]],
    values: Mapping[Key, int],
    distinct: bool = False,
    printed_anyway: Iterable[Key] = (),
) -> Protection:
    """Primary and complementary suppression of ``figures`` (each a set of fine cells).

    ``values`` holds each figure's true value (for distinct people, a total is not the sum
    of its cells). A figure's key has ``ALL`` where it sums a dimension; complements are
    taken among the same-kind figures in the disclosed one's lines, the cheapest that protects
    it alone. ``printed_anyway``: totals another document prints unprotected (the bilan's
    monthly series), never taken as complements.
    """
    keep = set(printed_anyway)
    cells = sorted({cell for members in figures.values() for cell in members})
    index = {cell: i for i, cell in enumerate(cells)}
    as_indices = {key: frozenset(index[c] for c in members) for key, members in figures.items()}
    primary = {key for key, value in values.items() if 1 <= value < THRESHOLD}
    hidden = set(primary)

    def shown_now() -> dict[Key, Shown]:
        return {
            key: (
                values[key]
                if key not in hidden
                else PRIMARY_MARK
                if key in primary or values[key] == 0
                else SECONDARY_MARK
            )
            for key in figures
        }

    def level(key: Key) -> tuple[bool, ...]:
        return tuple(part == ALL for part in key)

    _pair_lines(figures, as_indices, values, hidden, keep)
    while True:
        shown = shown_now()
        found = disclosed(as_indices, shown, len(cells), distinct)
        if not found:
            return Protection(shown, frozenset(primary), frozenset(hidden))
        target: Key = found[0]  # type: ignore[assignment]
        published = [key for key in figures if key not in hidden]
        published = [key for key in published if key not in keep] or published
        if not published:
            return Protection(shown, frozenset(primary), frozenset(hidden))
        lines = [  # the totals one dimension above the target: its row, its column…
            k
            for k in figures
            if as_indices[k] > as_indices[target] and sum(level(k)) == sum(level(target)) + 1
        ]
        same = [k for k in published if level(k) == level(target)] or published
        near = [k for k in same if any(as_indices[k] <= as_indices[line] for line in lines)]
        ordered = sorted(near or same, key=lambda k: _cost(values[k]))
        for pick in ordered[:TRIALS]:  # the cheapest complement protecting the target alone
            hidden.add(pick)
            quick = disclosed(as_indices, shown_now(), len(cells), distinct, PRIMES[:1], target)
            if not quick:
                break
            hidden.discard(pick)
        else:
            hidden.add(ordered[0])  # none does alone: take the cheapest and look again


def _pair_lines(
    figures: Mapping[Key, frozenset[Key]],
    as_indices: Mapping[Key, frozenset[int]],
    values: Mapping[Key, int],
    hidden: set[Key],
    keep: set[Key],
) -> None:
    """The classic first pass, cheap: no published total has exactly one hidden part among
    the figures that split it along one dimension (a row's cells, a commune's stops…). The
    audit that follows catches what this misses; this only spares it most of the work."""
    lines: list[tuple[Key, list[Key]]] = []
    for total in figures:
        for position, part in enumerate(total):
            if part != ALL:
                continue
            parts = [
                k
                for k in figures
                if k[position] != ALL
                and k[:position] + k[position + 1 :] == total[:position] + total[position + 1 :]
                and as_indices[k] <= as_indices[total]
            ]
            if len(parts) > 1:
                lines.append((total, parts))
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            if total in hidden or sum(k in hidden for k in parts) != 1:
                continue
            free = [k for k in parts if k not in hidden and k not in keep]
            if free:
                hidden.add(min(free, key=lambda k: _cost(values[k])))
                changed = True


def grid_figures(cells: Mapping[Key, int]) -> dict[Key, frozenset[Key]]:
    """Every cell and every total over any set of dimensions of a complete grid."""
    width = len(next(iter(cells), ()))
    figures: dict[Key, set[Key]] = defaultdict(set)
    for cell in cells:
        for summed in product((False, True), repeat=width):
            figures[tuple(ALL if s else part for part, s in zip(cell, summed, strict=True))].add(
                cell
            )
    return {key: frozenset(members) for key, members in figures.items()}


def complete_grid(cells: Mapping[Key, int]) -> dict[Key, int]:
    """The cells of every combination of the values seen on each dimension (zeros added):
    a missing row reads as 0, so the attacker knows it and so must the audit."""
    width = len(next(iter(cells), ()))
    axes = [sorted({cell[i] for cell in cells}) for i in range(width)]
    return {key: cells.get(key, 0) for key in product(*axes)}


def protect_grid(cells: Mapping[Key, int]) -> Protection:
    """One block (one month) of an additive table, every total assumed known."""
    if not cells:
        return Protection({}, frozenset(), frozenset())
    grid = complete_grid(cells)
    figures = grid_figures(grid)
    values = {key: sum(grid[c] for c in members) for key, members in figures.items()}
    return protect_figures(figures, values)


def protect(cells: dict[Key, int]) -> tuple[dict[Key, Shown], int, int]:
    """One block's cells as shown — every cell of its complete grid, a missing one is 0 and
    may be hidden as a complement — and how many are hidden as primary and as complements."""
    protection = protect_grid(cells)
    grid = [key for key in protection.shown if ALL not in key]
    shown = {key: protection.shown[key] for key in grid}
    primary = sum(key in protection.primary for key in grid)
    return shown, primary, sum(key in protection.hidden for key in grid) - primary


def period_sum(parts: Iterable[Shown], total: int) -> Shown:
    """A figure over several months (or stops): ``total`` when every part is published (it
    is then their sum, nothing new), else "s" whatever its value — "< 11" or not would tell
    on which side of 11 the hidden parts lie, and that bound, beside other documents, can
    pin one of them."""
    if all(isinstance(part, int) for part in parts):
        return total
    return SECONDARY_MARK


# -- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatTable:
    """One protected table: ``rows`` hold ints, labels, "< 11" or "s" — never raw small counts."""

    key: str  # file-safe short name
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Shown, ...], ...]
    definition: str
    primary: int = 0  # cells hidden because 1 to 10
    secondary: int = 0  # cells hidden so that a hidden one cannot be recovered from a total

    @property
    def suppressed(self) -> int:
        return self.primary + self.secondary


def long_table(
    key: str,
    title: str,
    headers: tuple[str, ...],
    measures: dict[Key, tuple[int, ...]],
    definition: str,
) -> StatTable:
    """One row per key (month first, then dimension labels), one column per measure.

    Each month and each measure is protected on its own; a row whose every measure is 0 and
    shown is left out (a missing row reads 0), a hidden 0 is printed.
    """
    width = len(next(iter(measures.values()), ()))
    blocks: dict[str, dict[Key, tuple[int, ...]]] = defaultdict(dict)
    for k, values in measures.items():
        blocks[k[0]][k[1:]] = values
    rows, primary, secondary = [], 0, 0
    for month in sorted(blocks):
        grid = complete_grid({k: 1 for k in blocks[month]})
        columns = []
        for index in range(width):
            cells = {k: blocks[month].get(k, (0,) * width)[index] for k in grid}
            shown, first, second = protect(cells)
            columns.append(shown)
            primary, secondary = primary + first, secondary + second
        for k in sorted(grid):
            row = tuple(column[k] for column in columns)
            if any(value != 0 for value in row):
                rows.append((month, *k, *row))
    return StatTable(key, title, headers, tuple(rows), definition, primary, secondary)


def grid_table(
    key: str,
    title: str,
    headers: tuple[str, ...],
    row_labels: Iterable[str],
    column_codes: Iterable[str],
    counts: dict[tuple[str, str], int],
    definition: str,
) -> StatTable:
    """A two-way table, one row per month (every cell printed, zeros included); each month's
    row is protected with its total."""
    row_labels, column_codes = list(row_labels), list(column_codes)
    rows, primary, secondary = [], 0, 0
    for label in row_labels:
        shown, first, second = protect({(c,): counts.get((label, c), 0) for c in column_codes})
        rows.append((label, *(shown[(c,)] for c in column_codes)))
        primary, secondary = primary + first, secondary + second
    return StatTable(key, title, headers, tuple(rows), definition, primary, secondary)


def month_grid_table(
    key: str,
    title: str,
    headers: tuple[str, ...],
    months: Iterable[str],
    row_labels: Iterable[str],
    column_codes: Iterable[str],
    counts: dict[tuple[str, str, str], int],
    definition: str,
) -> StatTable:
    """Rows × columns for each month, protected per month over the whole grid (every row
    and column of the reference lists, zeros included); rows all 0 are left out."""
    row_labels, column_codes = list(row_labels), list(column_codes)
    rows, primary, secondary = [], 0, 0
    for month in months:
        cells = {(r, c): counts.get((month, r, c), 0) for r in row_labels for c in column_codes}
        if not any(cells.values()):
            continue
        shown, first, second = protect(cells)
        primary, secondary = primary + first, secondary + second
        for r in row_labels:
            line = tuple(shown[(r, c)] for c in column_codes)
            if any(value != 0 for value in line):
                rows.append((month, r, *line))
    return StatTable(key, title, headers, tuple(rows), definition, primary, secondary)


def suppressed_count(tables: Iterable[StatTable]) -> int:
    """Hidden cells of the whole export (primary and secondary)."""
    return sum(table.suppressed for table in tables)
