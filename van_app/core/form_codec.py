"""Form dataclasses to JSON and back, for work in progress. No Qt.

Forms are plain dataclasses (``SocialForm``, ``PmiForm``…) of strings, numbers, dates, times,
lists and nested forms; this writes them as JSON values and reads them back by their type
hints, so a form kept as work in progress comes back exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache
from typing import Any


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(kind: Any, value: Any) -> Any:
    """``value`` (from ``encode``) as an instance of ``kind`` (a type hint)."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return decode(options[0], value) if options else value
    if origin in (list, tuple):
        (item_kind, *_) = typing.get_args(kind) or (Any,)
        items = [decode(item_kind, item) for item in value]
        return items if origin is list else tuple(items)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        known = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: decode(hints[k], v) for k, v in value.items() if k in known})
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
