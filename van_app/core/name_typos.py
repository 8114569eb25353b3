"""Name words one typo away from what was typed: "frnacois" is François, "moreu" Moreau.

One typo is one letter inserted, deleted or replaced, or two neighbouring letters swapped
(optimal string alignment distance 1). The vocabulary of name words and their deletion
variants (each word with one letter removed) is kept by triggers in the database (migration
0008). Two words one typo apart always share a variant, so the few variants of the typed word
find every candidate through the primary key, whatever the number of people; the candidates
are then checked exactly here, since sharing a variant also lets through some words two typos
apart ("abcd" and "bxcd" share "bcd").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text as sql
from sqlmodel import Session

# Shorter words are most often still being typed: they stay prefixes, never typos.
TYPO_FROM_LETTERS = 4


def deletion_variants(word: str) -> set[str]:
    """The word itself and the word with any one letter deleted."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_typo_apart(typed: str, word: str) -> bool:
    """True when one insertion, deletion, substitution or adjacent swap makes one the other."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    same = 0
    while same < min(len(typed), len(word)) and typed[same] == word[same]:
        same += 1
    if len(typed) < len(word):
        return typed[same:] == word[same + 1 :]  # a letter left out
    if len(typed) > len(word):
        return typed[same + 1 :] == word[same:]  # a letter too many
    replaced = typed[same + 1 :] == word[same + 1 :]
    swapped = (
        typed[same + 1 : same + 2] == word[same : same + 1]
        and typed[same : same + 1] == word[same + 1 : same + 2]
        and typed[same + 2 :] == word[same + 2 :]
    )
    return replaced or swapped


def words_one_typo_away(session: Session, tokens: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each typed word of four letters or more, the name words one typo away from it.

    Words the typed one starts (a plain prefix match already finds them) are left out, so
    what is returned is only what the typo adds. Tokens with no such word are absent.
    """
    wanted = {
        token: deletion_variants(token) for token in tokens if len(token) >= TYPO_FROM_LETTERS
    }
    variants = sorted(set().union(*wanted.values())) if wanted else []
    if not variants:
        return {}
    names = [f"v{i}" for i in range(len(variants))]
    statement = sql(
        "SELECT variant, word FROM beneficiary_fts_word_variant "
        f"WHERE variant IN ({', '.join(':' + name for name in names)})"
    )
    params = dict(zip(names, variants, strict=True))
    shared = session.connection().execute(statement, params).all()
    found: dict[str, tuple[str, ...]] = {}
    for token, own in wanted.items():
        words = {
            row.word
            for row in shared
            if row.variant in own
            and not row.word.startswith(token)
            and one_typo_apart(token, row.word)
        }
        if words:
            found[token] = tuple(sorted(words))
    return found
