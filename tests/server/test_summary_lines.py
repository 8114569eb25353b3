"""The server keeps each table's verification lines sorted between summaries: whatever was
written, set aside or left out, the count and checksum are those of the protocol's definition
(the SHA-256 of the sorted lines, or the additive checksum) made from scratch."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from sync_server.services.summary_lines import TableLines, _moved_total, _reordered

ids = st.sampled_from([f"id-{n:02d}" for n in range(40)] + ["a", "a:1", "Z", "0"])
digests = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
writes = st.lists(
    st.tuples(ids, st.one_of(st.none(), st.tuples(st.integers(1, 10**9), digests))),
    max_size=30,
)


def from_scratch(lines: dict[str, tuple[int, str]], skipped: set[str]) -> tuple[int, str]:
    kept = sorted(f"{r}:{v}:{d}\n" for r, (v, d) in lines.items() if r not in skipped)
    return len(kept), hashlib.sha256("".join(kept).encode()).hexdigest()


def sum_from_scratch(lines: dict[str, tuple[int, str]], skipped: set[str]) -> tuple[int, str]:
    """docs/protocol.md: the sum modulo 2^128 of the first 16 bytes of each line's SHA-256."""
    kept = [f"{r}:{v}:{d}\n" for r, (v, d) in lines.items() if r not in skipped]
    total = sum(int(hashlib.sha256(line.encode()).hexdigest()[:32], 16) for line in kept)
    return len(kept), format(total % 2**128, "032x")


@settings(max_examples=300, deadline=None)
@given(rounds=st.lists(writes, min_size=1, max_size=6), skipped=st.sets(ids, max_size=5))
def test_kept_lines_sum_up_as_lines_made_from_scratch(rounds, skipped) -> None:  # type: ignore[no-untyped-def]
    table = TableLines({}, 0, 0, [], 0)
    for round_ in rounds:
        lines = dict(table.lines)
        touched: set[str] = set()
        for record_id, line in round_:  # a write, or the record set aside / purged (None)
            touched.add(record_id)
            if line is None:
                lines.pop(record_id, None)
            else:
                lines[record_id] = line
        table = TableLines(
            lines, 0, 0, _reordered(table, lines, touched), _moved_total(table, lines, touched)
        )
        assert table.ordered == sorted(f"{r}:{v}:{d}\n" for r, (v, d) in lines.items())
        assert table.count_and_checksum(skipped) == from_scratch(lines, skipped)
        assert table.count_and_checksum(set()) == from_scratch(lines, set())
        assert table.count_and_sum(skipped) == sum_from_scratch(lines, skipped)
        assert table.count_and_sum(set()) == sum_from_scratch(lines, set())
        # Lines whose sorted form nobody asked for yet: made on the first such summary.
        lazy = TableLines(dict(lines), 0, 0, None, table.total)
        assert lazy.count_and_sum(skipped) == sum_from_scratch(lines, skipped)
        assert lazy.count_and_checksum(skipped) == from_scratch(lines, skipped)
        assert lazy.ordered == table.ordered
