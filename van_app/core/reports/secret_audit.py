"""The attacker the statistical secret is checked against: what can be worked out exactly.

A table is a set of *fine cells* (unknown counts ≥ 0) and of *figures*, each the sum of some
fine cells (a cell itself, a line total, the grand total…). A published figure gives its
value; a hidden one gives only its mark: "< 11" says 0 to 10, "s" says 11 or more. A hidden
figure is *disclosed* when these facts pin its value:

- by linear algebra: its vector lies in the span of the published figures' vectors (exact
  rational elimination, so any sum or difference of published figures is covered);
- by bounds: intervals propagated through every figure (a line total minus the upper bounds
  of the others' cells…) shrink to one value — this is where a 0 beside a hidden cell, or
  two "< 11" adding up to 20, would give it away.

People counted once per figure (distinct people) do not add up exactly: for them ("distinct")
a figure only bounds its cells (each cell ≤ figure ≤ sum of cells), while the linear check
still assumes they add up (the attacker's best guess when nobody comes twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

INFINITY = float("inf")
Interval = tuple[float, float]


def _reduce(row: dict[int, Fraction], basis: dict[int, dict[int, Fraction]]) -> dict[int, Fraction]:
    """``row`` minus its projection on the echelon ``basis`` (pivot → row with 1 at pivot)."""
    row = dict(row)
    for pivot in sorted(basis):
        factor = row.get(pivot)
        if not factor:
            continue
        for column, value in basis[pivot].items():
            updated = row.get(column, Fraction(0)) - factor * value
            if updated:
                row[column] = updated
            else:
                row.pop(column, None)
    return row


def linear_basis(vectors: Iterable[Iterable[int]]) -> dict[int, dict[int, Fraction]]:
    """An echelon basis of the span of 0/1 vectors given as sets of cell indices."""
    basis: dict[int, dict[int, Fraction]] = {}
    for cells in vectors:
        row = _reduce({c: Fraction(1) for c in cells}, basis)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        new = {c: v / scale for c, v in row.items()}
        for other in basis.values():  # keep it fully reduced so that _reduce is one pass
            factor = other.get(pivot)
            if factor:
                for column, value in new.items():
                    updated = other.get(column, Fraction(0)) - factor * value
                    if updated:
                        other[column] = updated
                    else:
                        other.pop(column, None)
        basis[pivot] = new
    return basis


def in_span(cells: Iterable[int], basis: dict[int, dict[int, Fraction]]) -> bool:
    return not _reduce({c: Fraction(1) for c in cells}, basis)


def mark_interval(mark: object) -> Interval:
    """What a hidden figure's mark tells: "< 11" → 0..10, "s" → 11 or more."""
    return (11.0, INFINITY) if mark == "s" else (0.0, 10.0)


def propagate_bounds(
    figures: Sequence[frozenset[int]],
    intervals: Sequence[Interval],
    cell_count: int,
    distinct: bool = False,
) -> list[list[float]]:
    """Cell bounds [low, high] after propagating every figure's interval to a fixed point."""
    bounds = [[0.0, INFINITY] for _ in range(cell_count)]
    for _ in range(200):
        changed = False
        for cells, (low, high) in zip(figures, intervals, strict=True):
            sum_low = sum(bounds[c][0] for c in cells)
            for c in cells:
                others_low = sum_low - bounds[c][0]
                others_high = sum(bounds[o][1] for o in cells if o != c)
                new_low = max(bounds[c][0], low - others_high)
                new_high = min(bounds[c][1], high if distinct else high - others_low)
                if new_low > bounds[c][0] or new_high < bounds[c][1]:
                    bounds[c] = [new_low, new_high]
                    changed = True
        if not changed:
            break
    return bounds


def figure_interval(
    cells: frozenset[int], own: Interval, bounds: list[list[float]], distinct: bool
) -> Interval:
    low = max(bounds[c][0] for c in cells) if distinct else sum(bounds[c][0] for c in cells)
    return max(own[0], low), min(own[1], sum(bounds[c][1] for c in cells))


def disclosed(
    figures: Mapping[object, frozenset[int]],
    shown: Mapping[object, object],
    cell_count: int,
    distinct: bool = False,
) -> list[object]:
    """The hidden figures (shown as a str) whose value the published ones pin exactly."""
    names = list(figures)
    published = [n for n in names if isinstance(shown[n], int)]
    hidden = [n for n in names if not isinstance(shown[n], int)]
    if not hidden:
        return []
    basis = linear_basis(figures[n] for n in published)
    found = [n for n in hidden if in_span(figures[n], basis)]
    intervals: list[Interval] = [
        (float(shown[n]), float(shown[n])) if isinstance(shown[n], int) else mark_interval(shown[n])  # type: ignore[arg-type]
        for n in names
    ]
    bounds = propagate_bounds([figures[n] for n in names], intervals, cell_count, distinct)
    for n, own in zip(names, intervals, strict=True):
        if n in found or isinstance(shown[n], int):
            continue
        low, high = figure_interval(figures[n], own, bounds, distinct)
        if high - low < 1:
            found.append(n)
    return found
