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


class Pieces(dict[str, str]):
    """name → canonical JSON of the value; ``nested``: names whose value holds an object
    (its sorted canonical form is not how the database writes it)."""

    __slots__ = ("nested",)

    def __init__(self) -> None:
        super().__init__()
        self.nested: list[str] = []


def pieces(values: Mapping[str, Any]) -> Pieces:
    """Each value's canonical piece, in the values' own order."""
    parts = Pieces()
    for name, value in values.items():
        kind = type(value)
        if kind is str:
            parts[name] = encode_basestring_ascii(value)
        elif value is None:
            parts[name] = "null"
        elif kind is int:
            parts[name] = int.__repr__(value)
        else:
            parts[name] = piece(value)
            if kind is not bool and kind is not float and not _texts(value):
                parts.nested.append(name)
    return parts


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def object_json(values: Mapping[str, Any], parts: Pieces) -> str:
    """JSON of ``values`` in their own key order, from their canonical pieces (a value holding
    an object is written again unsorted, as the database's encoder writes it)."""
    texts = dict(parts)
    for name in parts.nested:
        texts[name] = _STORED(values[name])
    return "{" + ",".join(map(str.__add__, keys_of(texts), texts.values())) + "}"


_KEYS: dict[tuple[str, ...], list[str]] = {}


def keys_of(values: Mapping[str, Any]) -> list[str]:
    """'"name":' for each of the values' names, in order (kept per set of names: the records
    of a table come with the same few)."""
    names = tuple(values)
    keys = _KEYS.get(names)
    if keys is None:
        if len(_KEYS) > 1024:
            _KEYS.clear()
        keys = _KEYS[names] = [encode_basestring_ascii(name) + ":" for name in names]
    return keys
