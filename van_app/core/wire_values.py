"""Python values in their one JSON spelling of the sync protocol (docs/protocol.md). No Qt.

Datetimes in UTC with microseconds and a "Z", dates and times in ISO, lists as lists: the
server stores values in this spelling, so equal values compare equal everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def to_wire(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value
