"""The attacker the statistical secret is checked against: what can be worked out exactly.

A table is a set of *fine cells* (unknown counts ≥ 0) and of *figures*, each the sum of some
fine cells (a cell itself, a line total, the grand total…). A published figure gives its
value; a hidden one gives only its mark: "< 11" says 0 to 10, "s" says 11 or more. A hidden
figure is *disclosed* when these facts pin its value:

- by linear algebra: its vector lies in the span of the published figures' vectors (any sum
  or difference of published figures; elimination modulo two large primes, see ``PRIMES``);
- by bounds: intervals propagated through every figure (a line total minus the upper bounds
  of the others' cells…) shrink to one value — this is where a 0 beside a hidden cell, or
  two "< 11" adding up to 20, would give it away.

People counted once per figure (distinct people) do not add up exactly: for them ("distinct")
a figure only bounds its cells (each cell ≤ figure ≤ sum of cells), while the linear check
still assumes they add up (the attacker's best guess when nobody comes twice).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

INFINITY = float("inf")
Interval = tuple[float, float]


# Two large primes: a vector in the rational span of others is in their span modulo any prime
# not dividing the minors involved (at most ~10^21 for these 0/1 tables), so working modulo
# both misses a rational dependency only if both divide one minor. A false alarm only hides
# one cell more; exact fractions gave the same answers and were ten times slower.
PRIMES = ((1 << 89) - 1, (1 << 107) - 1)


def _reduce(row: dict[int, int], basis: dict[int, dict[int, int]], prime: int) -> dict[int, int]:
    """``row`` minus its projection on the fully reduced echelon ``basis`` (pivot → row)."""
    row = dict(row)
    for pivot, base in basis.items():
        factor = row.get(pivot)
        if not factor:
            continue
        for column, value in base.items():
            updated = (row.get(column, 0) - factor * value) % prime
            if updated:
                row[column] = updated
            else:
                row.pop(column, None)
    return row


def linear_basis(vectors: Iterable[Iterable[int]], prime: int) -> dict[int, dict[int, int]]:
    """A fully reduced echelon basis, modulo ``prime``, of 0/1 vectors given as index sets."""
    basis: dict[int, dict[int, int]] = {}
    for cells in vectors:
        row = _reduce(dict.fromkeys(cells, 1), basis, prime)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], prime - 2, prime)
        new = {c: v * inverse % prime for c, v in row.items()}
        for other in basis.values():
            factor = other.get(pivot)
            if factor:
                for column, value in new.items():
                    updated = (other.get(column, 0) - factor * value) % prime
                    if updated:
                        other[column] = updated
                    else:
                        other.pop(column, None)
        basis[pivot] = new
    return basis


def in_span(cells: Iterable[int], basis: dict[int, dict[int, int]], prime: int) -> bool:
    return not _reduce(dict.fromkeys(cells, 1), basis, prime)


def mark_interval(mark: object) -> Interval:
    """What a hidden figure's mark tells: "< 11" → 0..10, "s" → 11 or more."""
    return (11.0, INFINITY) if mark == "s" else (0.0, 10.0)


def propagate_bounds(
    figures: Sequence[frozenset[int]],
    intervals: Sequence[Interval],
    cell_count: int,
    distinct: bool = False,
) -> list[list[float]]:
    """Cell bounds [low, high] after propagating every figure's interval to a fixed point
    (a figure is looked at again only when one of its cells' bounds moved)."""
    bounds = [[0.0, INFINITY] for _ in range(cell_count)]
    member_of: list[list[int]] = [[] for _ in range(cell_count)]
    for index, cells in enumerate(figures):
        for c in cells:
            member_of[c].append(index)
    queue, queued = deque(range(len(figures))), [True] * len(figures)
    for _ in range(100 * max(len(figures), 1)):
        if not queue:
            break
        index = queue.popleft()
        queued[index] = False
        cells, (low, high) = figures[index], intervals[index]
        sum_low = sum(bounds[c][0] for c in cells)
        unbounded = sum(bounds[c][1] == INFINITY for c in cells)
        finite_high = sum(bounds[c][1] for c in cells if bounds[c][1] < INFINITY)
        for c in cells:
            own_low, own_high = bounds[c]
            if own_high == INFINITY:
                others_high = INFINITY if unbounded > 1 else finite_high
            else:
                others_high = INFINITY if unbounded else finite_high - own_high
            new_low = max(own_low, low - others_high)
            new_high = min(own_high, high if distinct else high - (sum_low - own_low))
            if new_low > own_low or new_high < own_high:
                bounds[c] = [new_low, new_high]
                for other in member_of[c]:
                    if not queued[other] and other != index:
                        queue.append(other)
                        queued[other] = True
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
    primes: tuple[int, ...] = PRIMES,
    only: object = None,
) -> list[object]:
    """The hidden figures (shown as a str) whose value the published ones pin exactly.

    A quick look while choosing a complement: ``only`` that figure, one of the ``primes``.
    """
    names = list(figures)
    published = [n for n in names if isinstance(shown[n], int)]
    hidden = [n for n in names if not isinstance(shown[n], int)]
    if only is not None:
        hidden = [only] if only in hidden else []
    if not hidden:
        return []
    bases = [(linear_basis((figures[n] for n in published), p), p) for p in primes]
    found = [n for n in hidden if any(in_span(figures[n], b, p) for b, p in bases)]
    if only is not None and found:
        return found
    intervals: list[Interval] = [
        (float(shown[n]), float(shown[n])) if isinstance(shown[n], int) else mark_interval(shown[n])  # type: ignore[arg-type]
        for n in names
    ]
    members, known = [figures[n] for n in names], list(intervals)
    if not distinct:  # a figure minus one inside it bounds the rest of its cells
        for outer, inner in itertools.permutations(range(len(names)), 2):
            if members[inner] < members[outer]:
                low = known[outer][0] - known[inner][1]
                high = known[outer][1] - known[inner][0]
                if low > 0 or high < INFINITY:
                    members.append(members[outer] - members[inner])
                    intervals.append((max(low, 0.0), high))
    bounds = propagate_bounds(members, intervals, cell_count, distinct)
    for n, own in zip(names, known, strict=True):
        if n in found or n not in hidden:
            continue
        low, high = figure_interval(figures[n], own, bounds, distinct)
        if high - low < 1:
            found.append(n)
    return found
