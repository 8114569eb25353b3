"""Canonical JSON of field values, one value at a time, so a push encodes each value once.

``piece(value)`` is exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=True)`` (the digests' canonical form, docs/protocol.md "Verification"): the
common wire types (text, numbers, booleans, null, lists of text) are written with the same
C string escaper the ``json`` encoder uses, anything else goes through ``json.dumps`` itself.
A record's class digests and its stored JSON are then joined from the same pieces, instead of
encoding the record once per class and again for the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import INFINITY, c_make_encoder, encode_basestring_ascii
from typing import Any


def _encoder(key_separator: str, item_separator: str, *, sort_keys: bool) -> Any:
    """``json.dumps`` with these options, as one C encoder built once (``json.dumps`` builds
    one per call, most of the cost of a small value). No circular check: values come from
    JSON."""
    if c_make_encoder is None:  # pragma: no cover (CPython ships the C encoder)
        encoder = json.JSONEncoder(
            sort_keys=sort_keys, separators=(item_separator, key_separator)
        ).encode
        return encoder

    def floatstr(value: float) -> str:  # as json.encoder's, allow_nan=True
        if value != value:
            return "NaN"
        if value == INFINITY:
            return "Infinity"
        if value == -INFINITY:
            return "-Infinity"
        return float.__repr__(value)

    def default(value: Any) -> Any:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    make = c_make_encoder(
        None, default, encode_basestring_ascii, floatstr,
        key_separator, item_separator, sort_keys, False, True,
    )  # fmt: skip

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return encode_basestring_ascii(value)
        return "".join(make(value, 0))

    return encode


_CANONICAL = _encoder(":", ",", sort_keys=True)
stored_json = _encoder(": ", ", ", sort_keys=False)  # json.dumps(value), what JSON columns hold
_STORED = stored_json


def piece(value: Any) -> str:
    """The canonical JSON of one value (byte for byte what ``json.dumps`` gives)."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is list and all(type(item) is str for item in value):
        return "[" + ",".join(map(encode_basestring_ascii, value)) + "]"
    return _CANONICAL(value)


def is_simple(value: Any) -> bool:
    """A value whose canonical piece is also how the database may store it (no object whose
    key order the sorted form would change)."""
    kind = type(value)
    if kind is list:
        return all(type(item) is str for item in value)
    return kind is str or value is None or kind is bool or kind is int


def pieces(values: Mapping[str, Any]) -> dict[str, str]:
    return {name: piece(value) for name, value in values.items()}


def object_json(values: Mapping[str, Any], parts: Mapping[str, str]) -> str:
    """JSON of ``values`` in their own key order, from their canonical pieces (anything but
    simple values is written again unsorted, as the database's encoder writes it)."""
    joined = []
    for name, part in parts.items():
        value = values[name]
        joined.append(
            encode_basestring_ascii(name) + ":" + (part if is_simple(value) else _STORED(value))
        )
    return "{" + ",".join(joined) + "}"
