"""Field-by-field merge of identity records, and replays of what a restore lost.

Every field on the server carries the version of the write that set its value
(``field_versions``, in commit order) and that write's stamp
``[updated_at, device, author, knowledge, kind]``:
- ``updated_at``, ``device``, ``author``: what a same-field conflict compares and reports;
- ``knowledge``: the newest version from before the last restore that this value is known to
  be informed by (its writer had seen it, or someone who had seen it was overwritten in a
  recorded conflict); 0 when nothing is known;
- ``kind``: "live" for an ordinary change, "replay" for a value sent back after a restore.

Rules (docs/protocol.md):
- An ordinary change's field whose server version is at most the base its author saw *for
  that field*, or whose server value is the one she saw, is applied; one changed since, to
  another value than she saw, is a same-field conflict: the
  later ``updated_at`` wins (then the greater device id, then the greater value), the same
  whatever the order of arrival, and the loser is kept for the supervisor.
- A replayed field brings a value the server held before a restore, with its version then
  (its origin). Versions from before a marked restore are all below ``epoch_start``, so
  origins, bases and the knowledge of a field compare in one order. A replay whose origin the
  field's knowledge covers is skipped (it was knowingly replaced); otherwise it is taken, but
  against a change made since the restore by someone who had not seen it, it is a same-field
  conflict like any other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync_server import authz
from sync_server.models import SyncRecord
from sync_server.wire_schema import BOOKKEEPING

LIVE = "live"
REPLAY = "replay"
_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FieldConflict:
    field: str
    pushed_value: Any
    stored_value: Any
    pushed_stamp: list[Any]
    stored_stamp: list[Any]
    pushed_won: bool


@dataclass
class MergeResult:
    """The fields to write (value, stamp), knowledge raised without a change, conflicts."""

    winners: dict[str, tuple[Any, list[Any]]] = field(default_factory=dict)
    knowledge: dict[str, int] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # replayed values the server did not take

    @property
    def lost(self) -> list[str]:
        """Fields whose pushed value is not the server's now."""
        return sorted({c.field for c in self.conflicts if not c.pushed_won} | set(self.skipped))


def when(value: Any) -> dt.datetime:
    return authz.parse_datetime(value) or _EPOCH


def rank(stamp: Sequence[Any], value: Any) -> tuple[dt.datetime, str, str]:
    return (when(stamp[0]), str(stamp[1]), json.dumps(value, sort_keys=True))


def stored_stamp(record: SyncRecord, name: str) -> list[Any]:
    """The field's stamp in the current form (older records: no knowledge, live)."""
    stamp = list(record.field_stamps.get(name) or [])
    if len(stamp) < 5:
        stamp = [*stamp[:3], *["", "", ""][len(stamp[:3]) :], 0, LIVE]
    return stamp


def knowledge(record: SyncRecord, name: str) -> int:
    value = stored_stamp(record, name)[3]
    return value if isinstance(value, int) else 0


def _conflict(
    record: SyncRecord, name: str, value: Any, stamp: list[Any]
) -> tuple[FieldConflict, bool]:
    stored_value = record.fields.get(name)
    stored = stored_stamp(record, name)
    pushed_won = rank(stamp, value) > rank(stored, stored_value)
    return FieldConflict(name, value, stored_value, stamp, stored, pushed_won), pushed_won


def merge_fields(
    record: SyncRecord,
    fields: Mapping[str, Any],
    bases: Mapping[str, int],
    default_base: int,
    stamp: Sequence[Any],
    epoch_start: int,
    seen: Mapping[str, Any] | None = None,
) -> MergeResult:
    """An ordinary change: each field against the base its author saw for it.

    A field written since that base is still taken without a conflict when the server's value
    is the one its author saw (``seen``): she replaced it knowingly.
    """
    seen = seen or {}
    result = MergeResult()
    for name, value in fields.items():
        base = int(bases.get(name, default_base))
        seen_before_restore = base if base <= epoch_start else 0
        field_stamp = [*stamp[:3], max(knowledge(record, name), seen_before_restore), LIVE]
        if name in BOOKKEEPING or record.field_versions.get(name, 0) <= base:
            result.winners[name] = (value, field_stamp)
            continue
        if record.fields.get(name) == value:
            continue  # the same value reached the server by another way: nothing to settle
        if name in seen and seen[name] == record.fields.get(name):
            result.winners[name] = (value, field_stamp)
            continue
        conflict, pushed_won = _conflict(record, name, value, field_stamp)
        if pushed_won:
            result.winners[name] = (value, field_stamp)
        result.conflicts.append(conflict)
    return result


def replay_fields(
    record: SyncRecord,
    fields: Mapping[str, Any],
    origins: Mapping[str, int],
    stamp: Sequence[Any],
    epoch_start: int,
    *,
    merge: bool,
) -> MergeResult:
    """Values the server held before a restore, each with its version then (its origin).

    On tables that do not merge (one author, who replays her own records first), a replay
    never makes a conflict: it fills what the server lost and leaves what she wrote since.
    """
    result = MergeResult()
    for name, value in fields.items():
        if name in BOOKKEEPING:
            continue  # creation facts are kept; updated_at and device follow the winners
        origin = int(origins[name])
        held = knowledge(record, name)
        if origin <= held:
            if record.fields.get(name) != value:
                result.skipped.append(name)
            continue  # replaced by someone who had seen it
        field_stamp = [*stamp[:3], origin, REPLAY]
        if record.fields.get(name) == value:
            result.knowledge[name] = origin
            continue
        current = stored_stamp(record, name)
        written_since = current[4] == LIVE and record.field_versions.get(name, 0) > epoch_start
        if not written_since:
            result.winners[name] = (value, field_stamp)
        elif not merge:
            result.skipped.append(name)
        else:
            conflict, pushed_won = _conflict(record, name, value, field_stamp)
            if pushed_won:
                result.winners[name] = (value, field_stamp)
            else:
                result.knowledge[name] = origin
            result.conflicts.append(conflict)
    if result.winners:
        for name in ("updated_at", "device"):
            if name in fields:
                result.winners[name] = (fields[name], [*stamp[:3], 0, REPLAY])
    return result
