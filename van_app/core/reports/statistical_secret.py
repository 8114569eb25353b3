"""Statistical secrecy for published counts: primary and secondary cell suppression.

Primary (DREES / Insee practice): a count from 1 to 10 is shown "< 11"; 0 is shown, it
designates nobody. Secondary: no total is printed, but a total may be known elsewhere (another
table, the activity report), so inside each *line* of a table — the cells that share every
dimension but one (same month, same commune…) — a hidden cell is never left alone: another
cell of that line is hidden too, shown "s" (secret statistique), repeated until no line holds
exactly one hidden cell. The complement is chosen to lose the least: a cell that also pairs
a lone hidden cell of its other lines, then a non-zero one, then the smallest. A 0 is taken
only when nothing else is left in the line, and then reads "< 11" like a primary cell (it is
fewer than 11): marked apart, it would tell the reader the lone cell's exact value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

THRESHOLD = 11
PRIMARY_MARK = f"< {THRESHOLD}"
SECONDARY_MARK = "s"

Shown = int | str


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


def protect(cells: dict[tuple[str, ...], int]) -> tuple[dict[tuple[str, ...], Shown], int, int]:
    """Primary then secondary suppression of one measure over keys of equal length.

    Returns the shown values and the numbers of primary and secondary suppressions.
    """
    primary = {key for key, value in cells.items() if 1 <= value < THRESHOLD}
    hidden = set(primary)
    width = len(next(iter(cells), ()))
    lines: list[list[tuple[str, ...]]] = []
    lines_of: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for axis in range(width):
        groups: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for key in cells:
            groups[key[:axis] + key[axis + 1 :]].append(key)
        for keys in groups.values():
            if len(keys) > 1:
                for key in keys:
                    lines_of[key].append(len(lines))
                lines.append(sorted(keys))

    def cost(key: tuple[str, ...], line: int) -> tuple[int, bool, int]:
        """Prefer a cell that also pairs a lone hidden cell of its other lines, then one that
        leaves none alone, then a non-zero cell, then the smallest: least information lost."""
        counts = [sum(k in hidden for k in lines[i]) for i in lines_of[key] if i != line]
        return (counts.count(0) - counts.count(1), cells[key] == 0, cells[key])

    changed = True
    while changed:
        changed = False
        for index, line in enumerate(lines):
            if sum(key in hidden for key in line) == 1:
                pick = min((k for k in line if k not in hidden), key=lambda k: cost(k, index))
                hidden.add(pick)
                changed = True
    # A hidden 0 reads "< 11" (true: fewer than 11), so it cannot be told from a primary cell;
    # a hidden 0 shown apart would give the lone cell away.
    shown: dict[tuple[str, ...], Shown] = {
        key: (
            value
            if key not in hidden
            else PRIMARY_MARK
            if key in primary or value == 0
            else SECONDARY_MARK
        )
        for key, value in cells.items()
    }
    return shown, len(primary), len(hidden) - len(primary)


def long_table(
    key: str,
    title: str,
    headers: tuple[str, ...],
    measures: dict[tuple[str, ...], tuple[int, ...]],
    definition: str,
) -> StatTable:
    """A table with one row per key (dimension labels) and one column per measure."""
    keys = sorted(measures)
    width = len(next(iter(measures.values()), ()))
    columns, primary, secondary = [], 0, 0
    for index in range(width):
        shown, first, second = protect({k: measures[k][index] for k in keys})
        columns.append(shown)
        primary, secondary = primary + first, secondary + second
    rows = tuple((*k, *(column[k] for column in columns)) for k in keys)
    return StatTable(key, title, headers, rows, definition, primary, secondary)


def grid_table(
    key: str,
    title: str,
    headers: tuple[str, ...],
    row_labels: Iterable[str],
    column_codes: Iterable[str],
    counts: dict[tuple[str, str], int],
    definition: str,
) -> StatTable:
    """A two-way table where every cell exists (zeros included): rows × columns."""
    row_labels, column_codes = list(row_labels), list(column_codes)
    cells = {(r, c): counts.get((r, c), 0) for r in row_labels for c in column_codes}
    shown, primary, secondary = protect(cells) if cells else ({}, 0, 0)
    rows = tuple((r, *(shown[(r, c)] for c in column_codes)) for r in row_labels)
    return StatTable(key, title, headers, rows, definition, primary, secondary)


def suppressed_count(tables: Iterable[StatTable]) -> int:
    """Hidden cells of the whole export (primary and secondary)."""
    return sum(table.suppressed for table in tables)
