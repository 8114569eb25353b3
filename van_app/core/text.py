"""Text folding for search: "Hélène" and "HELENE" are the same person to someone typing."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, accent-free, punctuation as spaces, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in stripped).split())


def search_key(*names: str | None) -> str:
    """The folded names of a person, space separated, as stored in ``Beneficiary.search_key``."""
    return " ".join(part for part in (fold(name) for name in names) if part)
