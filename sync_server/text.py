"""Strings at the server's door: what may enter, and how to show what may not.

Every string a client sends (field values and list items, field names, ids, change ids,
table names, usernames, device names, passwords, header values) is checked here before it is
stored, compared in SQL or written back in an answer: Unicode scalar values only (no lone
surrogate, which no UTF-8 encoder or JSON writer accepts), no NUL (which PostgreSQL refuses
in text), no control character but tab and line breaks, and those only in free text.
"""

from __future__ import annotations

import re
from typing import Any

_SINGLE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTILINE_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Names and codes of the protocol: letters, digits and a few separators, never spaces.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_NESTING = 8


def text_problem(
    value: str, *, multiline: bool = False, max_length: int | None = None
) -> str | None:
    """Why ``value`` may not be stored (French), or None."""
    bad = (_MULTILINE_BAD if multiline else _SINGLE_LINE_BAD).search(value)
    if bad is not None:
        char = bad.group()
        if "\ud800" <= char <= "\udfff":
            return "caractère Unicode invalide"
        if char == "\x00":
            return "caractère nul interdit"
        return "caractère de contrôle interdit" + ("" if multiline else " (texte sur une ligne)")
    if max_length is not None and len(value) > max_length:
        return f"texte trop long ({max_length} caractères au plus)"
    return None


def json_problem(value: Any, depth: int = 0) -> str | None:
    """The same rules over every string of a JSON value (keys included)."""
    if depth > MAX_NESTING:
        return "valeur trop imbriquée"
    if isinstance(value, str):
        return text_problem(value, multiline=True, max_length=4000)
    if isinstance(value, list):
        for item in value:
            problem = json_problem(item, depth + 1)
            if problem:
                return problem
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(str(key), max_length=64) or json_problem(item, depth + 1)
            if problem:
                return problem
    return None


def is_token(value: Any) -> bool:
    """A change id, a record id, a device name's code…: safe to store, compare and echo."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def is_identifier(value: Any) -> bool:
    """A table or field name as the schema spells them."""
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def shown(value: Any) -> str:
    """A client's string made safe to write back in an answer or a log (never raises)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= 64 and text.isascii() and text.isprintable():
        return text  # nothing to replace or cut (ASCII printable has no control character)
    cleaned = _SINGLE_LINE_BAD.sub("\ufffd", text)
    return cleaned[:64] + ("…" if len(cleaned) > 64 else "")
