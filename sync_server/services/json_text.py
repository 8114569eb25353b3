"""JSON a push has written already, handed to the database as it is.

The engine's JSON serializer (``core/db.py``) writes an ``Encoded`` value's text unchanged and
everything else as ``json.dumps`` does (``canonical.stored_json``): a pushed record's columns
are joined from the canonical pieces its digests were computed from (``canonical.py``), not
encoded again.
"""

from __future__ import annotations

from typing import Any

from sync_server.services.canonical import stored_json


class Encoded:
    """JSON text standing for the value it was written from."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def dumps(value: Any) -> str:
    if type(value) is Encoded:
        return value.text
    return stored_json(value)


def takes_encoded(session: Any) -> bool:
    """Whether this session's engine writes ``Encoded`` values (else plain values are bound)."""
    return getattr(session.get_bind().dialect, "_json_serializer", None) is dumps
