"""vocabulary of people's name words, so a search can forgive one typo

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``beneficiary_fts_word`` holds every distinct word of the folded search keys with the number
of records using it; ``beneficiary_fts_word_variant`` holds, for each word of three letters
or more, the word itself and the word with any one letter deleted. Two words are one
insertion, deletion, substitution or adjacent transposition apart only if they share such a
variant, so a search looks up the typed word's own few variants (a primary-key probe each)
instead of comparing it with every name.

Both are kept by triggers, like the FTS index, so every way of writing a person (form, sync,
merge, bulk insert) keeps them current. The words of a search key are split with
``json_each`` (the key holds only letters, digits and single spaces, made so by the app's
folding) because a trigger cannot use a recursive CTE; the letter positions of a word come
from a ``json_each`` over an array of its length. The names start with ``beneficiary_fts``
so that Alembic's model comparison leaves them aside with the FTS index
(``db.include_object``).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _split(key: str) -> str:
    """``json_each`` over the words of a search key: one ``value`` per word."""
    escaped = f"replace(replace({key}, '\\', '\\\\'), '\"', '\\\"')"
    return f"json_each('[\"' || replace({escaped}, ' ', '\",\"') || '\"]')"


def _words(key: str) -> str:
    """The distinct non-empty words of a search key, as a subquery of one ``value`` column."""
    return f"(SELECT DISTINCT value FROM {_split(key)} WHERE value <> '')"


def _variants(word: str) -> str:
    """(variant, word) rows: a word of 3+ letters itself, and with each one letter deleted."""
    length = f"length({word})"
    positions = f"json_each('[' || substr(replace(hex(zeroblob({length})), '00', ',0'), 2) || ']')"
    return (
        f"SELECT {word} AS variant, {word} AS word WHERE {length} >= 3 "
        f"UNION SELECT substr({word}, 1, p.key) || substr({word}, p.key + 2), {word} "
        f"FROM {positions} AS p WHERE {length} >= 3"
    )


def _count_in(key: str) -> str:
    return (
        f"INSERT INTO beneficiary_fts_word(word, people) SELECT value, 1 FROM {_words(key)} "
        "WHERE true ON CONFLICT(word) DO UPDATE SET people = people + 1; "
    )


def _count_out(key: str) -> str:
    return (
        "UPDATE beneficiary_fts_word SET people = people - 1 "
        f"WHERE word IN {_words(key)}; "
        f"DELETE FROM beneficiary_fts_word WHERE people <= 0 AND word IN {_words(key)}; "
    )


def upgrade() -> None:
    op.execute(
        "CREATE TABLE beneficiary_fts_word ("
        "word TEXT NOT NULL PRIMARY KEY, people INTEGER NOT NULL) WITHOUT ROWID"
    )
    op.execute(
        "CREATE TABLE beneficiary_fts_word_variant ("
        "variant TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (variant, word)) WITHOUT ROWID"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_word_variants_insert AFTER INSERT ON beneficiary_fts_word "
        "BEGIN INSERT OR IGNORE INTO beneficiary_fts_word_variant(variant, word) "
        f"{_variants('new.word')}; END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_word_variants_delete AFTER DELETE ON beneficiary_fts_word "
        "BEGIN DELETE FROM beneficiary_fts_word_variant WHERE word = old.word "
        f"AND variant IN (SELECT variant FROM ({_variants('old.word')})); END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_word_insert AFTER INSERT ON beneficiary BEGIN "
        f"{_count_in('new.search_key')}END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_word_delete AFTER DELETE ON beneficiary BEGIN "
        f"{_count_out('old.search_key')}END"
    )
    op.execute(
        "CREATE TRIGGER beneficiary_fts_word_update AFTER UPDATE OF search_key ON beneficiary "
        "WHEN old.search_key IS NOT new.search_key BEGIN "
        f"{_count_out('old.search_key')}{_count_in('new.search_key')}END"
    )
    # The people already there: each word counted once per record (the trigger adds variants).
    op.execute(
        "INSERT INTO beneficiary_fts_word(word, people) SELECT w.value, count(DISTINCT b.rowid) "
        f"FROM beneficiary AS b, {_split('b.search_key')} AS w WHERE w.value <> '' "
        "GROUP BY w.value"
    )


def downgrade() -> None:
    for trigger in ("insert", "delete", "update", "variants_insert", "variants_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS beneficiary_fts_word_{trigger}")
    op.execute("DROP TABLE IF EXISTS beneficiary_fts_word_variant")
    op.execute("DROP TABLE IF EXISTS beneficiary_fts_word")
