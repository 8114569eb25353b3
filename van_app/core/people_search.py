"""Finding a person as the professional types: names, birth name, first names or birth date.

Names go through the FTS5 index ``beneficiary_fts`` (folded names, prefix indexes on 2 and 3
characters, kept by triggers): every typed word is a prefix that must match, so "hél dup"
finds "DUPRÉ Hélène". A typed word of four letters or more may also carry one typo
("frnacois", "moreu"): the name words one typo away (``name_typos``) are then accepted too,
and the people found that way are listed after every exact match. A typed date
("12/03/1980", "12031980", "12/03/80", "1980", "12/03") filters on the birth date instead.
Results are small frozen values, never ORM objects, so the UI holds no session.

Who is listed is "not deleted, not merged", but the ``merged_into_id`` index must not drive
the search: nearly every row has no merge target, and walking that index reads the whole
table (55 to 280 ms over 100 000 people). The condition is written
``+b.merged_into_id IS NULL``, which keeps the planner on the name, date or full-text indexes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text as sql
from sqlmodel import Session

from van_app.core import text
from van_app.core.name_typos import words_one_typo_away
from van_app.core.people import age_or_blank, display_name
from van_app.core.reference import ReferenceData

DEFAULT_LIMIT = 50

# Dates as typed at a reception desk: separators or none, two- or four-digit years.
_FULL_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4}|\d{2})(?![\d/.\-])")
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_COMPACT_DATE_RE = re.compile(r"(?<![\d/.\-])(\d{2})(\d{2})(\d{4}|\d{2})(?![\d/.\-])")
_DAY_MONTH_RE = re.compile(r"(?<![\d/.\-])(\d{1,2})[/.\-](\d{1,2})(?:[/.\-]\d{0,3})?(?![\d/.\-])")
_YEAR_RE = re.compile(r"(?<![\d/.\-])(\d{4})(?![\d/.\-])")


@dataclass(frozen=True)
class PersonHit:
    """One person found: what a result line shows, and the id to open the file."""

    id: str
    name: str
    birth_date: dt.date
    commune: str
    age: str
    sex: str


@dataclass(frozen=True)
class SearchResult:
    """The people found, best first; ``more`` when the limit cut the list."""

    query: str
    hits: tuple[PersonHit, ...] = ()
    more: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """What a typed search means: folded name prefixes and birth-date filters."""

    tokens: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    day_month: tuple[int, int] | None = None
    year: int | None = None
    impossible: bool = False  # a date that does not exist: nobody can match

    @property
    def empty(self) -> bool:
        return not (
            self.tokens or self.birth_date or self.day_month or self.year or self.impossible
        )


def _full_year(value: str, today: dt.date) -> int:
    """ "80" -> 1980, "05" -> 2005: a two-digit year is the latest one not in the future."""
    if len(value) == 4:
        return int(value)
    year = 2000 + int(value)
    return year if year <= today.year else year - 100


def _make_date(day: str, month: str, year: int) -> dt.date | None:
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None


def parse_query(typed: str, today: dt.date) -> ParsedQuery:
    """Split what was typed into name prefixes and birth-date criteria."""
    rest = typed or ""
    dates: list[dt.date] = []
    impossible = False

    def take_full(match: re.Match[str], iso: bool = False) -> str:
        nonlocal impossible
        if iso:
            found = _make_date(match[3], match[2], int(match[1]))
        else:
            found = _make_date(match[1], match[2], _full_year(match[3], today))
        if found is None:
            impossible = True
        else:
            dates.append(found)
        return " "

    rest = _ISO_DATE_RE.sub(lambda m: take_full(m, iso=True), rest)
    rest = _FULL_DATE_RE.sub(take_full, rest)
    rest = _COMPACT_DATE_RE.sub(take_full, rest)

    day_month: tuple[int, int] | None = None

    def take_day_month(match: re.Match[str]) -> str:
        nonlocal day_month, impossible
        day, month = int(match[1]), int(match[2])
        if _make_date(match[1], match[2], 2000) is None:  # 2000 is a leap year: 29/02 exists
            impossible = True
        elif day_month is None:
            day_month = (day, month)
        return " "

    rest = _DAY_MONTH_RE.sub(take_day_month, rest)
    year: int | None = None

    def take_year(match: re.Match[str]) -> str:
        nonlocal year
        value = int(match[1])
        if 1900 <= value <= today.year and year is None:
            year = value
        return " "

    rest = _YEAR_RE.sub(take_year, rest)
    tokens = tuple(
        dict.fromkeys(t for t in text.fold(rest).split() if not any(c.isdigit() for c in t))
    )
    if len(set(dates)) > 1:
        impossible = True  # two different birth dates: nobody was born twice
    return ParsedQuery(
        tokens=tokens,
        birth_date=dates[0] if dates else None,
        day_month=day_month,
        year=year,
        impossible=impossible,
    )


def fts_match_expression(
    tokens: tuple[str, ...], typos: dict[str, tuple[str, ...]] | None = None
) -> str:
    """'"mar"* AND "hel"*': every token a quoted prefix (quotes neutralise FTS operators).

    With ``typos``, a token may also be one of its whole words one typo away:
    '("frnacois"* OR "francois")'.
    """

    def quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    parts = []
    for token in tokens:
        alternatives = [quoted(token) + "*", *map(quoted, (typos or {}).get(token, ()))]
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return " AND ".join(parts)


def _hit(row: Any, ref: ReferenceData, today: dt.date) -> PersonHit:
    birth = dt.date.fromisoformat(str(row.birth_date))
    parts = _NameParts(row.birth_name, row.usual_name, row.first_names, row.sex)
    person_name = display_name(parts)  # type: ignore[arg-type]
    age = age_or_blank(birth, today)
    return PersonHit(
        id=row.id,
        name=person_name,
        birth_date=birth,
        commune=ref.label("communes", row.commune_insee) if row.commune_insee else "",
        age=age,
        sex=row.sex,
    )


@dataclass(frozen=True)
class _NameParts:
    """The four columns ``display_name`` reads, without loading an ORM object."""

    birth_name: str
    usual_name: str | None
    first_names: str
    sex: str


_COUNT_MATCHES = sql("SELECT count(*) FROM beneficiary_fts WHERE beneficiary_fts MATCH :match")
_SORT_MATCHES_UP_TO = 1000  # measured: below this, sorting the matches beats the index walk
# Who a search lists: living records not merged into another one (that one is listed instead).
# "+" keeps the merged_into_id index from driving the search (see the module docstring).
_LISTED = ("b.deleted = 0", "+b.merged_into_id IS NULL")
_COLUMNS = (
    "b.id, b.birth_name, b.usual_name, b.first_names, b.sex, b.birth_date, b.commune_insee, "
    "b.search_key"
)
_NAME_ORDER = "b.search_key, b.birth_date"


def _prefix_range(token: str) -> tuple[str, str]:
    """The search keys starting with ``token``, as an index range: ["ma", "mb")."""
    return token, token[:-1] + chr(ord(token[-1]) + 1)


def _date_filters(query: ParsedQuery, today: dt.date, params: dict[str, object]) -> list[str]:
    """Birth-date conditions that the ``birth_date`` index can serve."""
    where: list[str] = []
    if query.birth_date is not None:
        where.append("b.birth_date = :birth_date")
        params["birth_date"] = query.birth_date.isoformat()
    if query.year is not None:
        where.append("b.birth_date >= :year_start AND b.birth_date < :year_end")
        params["year_start"] = f"{query.year:04d}-01-01"
        params["year_end"] = f"{query.year + 1:04d}-01-01"
    if query.day_month is not None:
        # One index probe per year beats reading every row to cut its date apart.
        day, month = query.day_month
        days = [
            found.isoformat()
            for year in range(1900, today.year + 1)
            if (found := _make_date(str(day), str(month), year)) is not None
        ]
        names = [f"dm{i}" for i in range(len(days))]
        where.append(f"b.birth_date IN ({', '.join(':' + n for n in names)})")
        params.update(zip(names, days, strict=True))
    return where


def _word_prefix_filters(tokens: tuple[str, ...], params: dict[str, object]) -> list[str]:
    """Each token must start one of the words of the folded names (tokens are alphanumeric)."""
    where = []
    for i, token in enumerate(tokens):
        where.append(f"(' ' || b.search_key) LIKE :word{i}")
        params[f"word{i}"] = f"% {token}%"
    return where


def _word_or_typo_filters(
    tokens: tuple[str, ...], typos: dict[str, tuple[str, ...]], params: dict[str, object]
) -> list[str]:
    """As ``_word_prefix_filters``, a token also matching a whole word one typo away."""
    where = []
    for i, (token, prefix) in enumerate(
        zip(tokens, _word_prefix_filters(tokens, params), strict=True)
    ):
        whole_words = []
        for j, word in enumerate(typos.get(token, ())):
            whole_words.append(f"(' ' || b.search_key || ' ') LIKE :typo{i}_{j}")
            params[f"typo{i}_{j}"] = f"% {word} %"
        where.append(f"({' OR '.join([prefix, *whole_words])})" if whole_words else prefix)
    return where


def _select(
    session: Session, source: str, where: list[str], order: str, params: dict[str, Any]
) -> list[Any]:
    statement = f"SELECT {_COLUMNS} FROM {source} WHERE {' AND '.join(where)} ORDER BY {order}"
    return list(session.connection().execute(sql(statement + " LIMIT :limit"), params).all())


def _search_by_date(
    session: Session,
    query: ParsedQuery,
    typos: dict[str, tuple[str, ...]],
    today: dt.date,
    limit: int,
) -> list[Any]:
    """Few people share a birth date: read them through the index, filter their names.

    People whose names match every typed word exactly come before those found through a typo.
    """
    params: dict[str, object] = {"limit": limit + 1}
    where = [*_LISTED, *_date_filters(query, today, params)]
    where += _word_or_typo_filters(query.tokens, typos, params)
    order = _NAME_ORDER
    if query.tokens:
        order = "CASE WHEN b.search_key >= :lo AND b.search_key < :hi THEN 0 ELSE 1 END, " + order
        params["lo"], params["hi"] = _prefix_range(query.tokens[0])
    if typos:
        exact = " AND ".join(_word_prefix_filters(query.tokens, params))
        order = f"CASE WHEN {exact} THEN 0 ELSE 1 END, " + order
    return _select(session, "beneficiary b", where, order, params)


def _full_text_matches(
    session: Session, match: str, where: list[str], params: dict[str, Any]
) -> list[Any]:
    """Listed people matching the FTS expression ``match`` (and ``where``), in name order."""
    params = {**params, "match": match}
    where = [*_LISTED, *where]
    matches = session.connection().execute(_COUNT_MATCHES, params).scalar_one()
    if matches <= _SORT_MATCHES_UP_TO:
        source = "beneficiary_fts f JOIN beneficiary b ON b.rowid = f.rowid"
        where.append("beneficiary_fts MATCH :match")
    else:
        # Thousands of matches ("e", "ya"): sorting them all costs tens of milliseconds, so
        # walk the names in index order and keep the matching ones until the page is full.
        source = "beneficiary b INDEXED BY ix_beneficiary_search_key"
        where.append(
            "b.rowid IN (SELECT rowid FROM beneficiary_fts WHERE beneficiary_fts MATCH :match)"
        )
    return _select(session, source, where, _NAME_ORDER, params)


def _search_by_name(
    session: Session, query: ParsedQuery, typos: dict[str, tuple[str, ...]], limit: int
) -> list[Any]:
    """Birth names starting with the first word first, then every other match, then typos.

    The first part walks the ``search_key`` index in order and stops at the limit, so a short
    prefix shared by thousands of people costs no more than a long one; only when it does not
    fill the page does the FTS index find the rest (first names, usual names), and only when
    that does not fill it either are the people found through a typo added.
    """
    first, others = query.tokens[0], query.tokens[1:]
    lo, hi = _prefix_range(first)
    params: dict[str, object] = {"limit": limit + 1, "lo": lo, "hi": hi}
    where = ["b.search_key >= :lo", "b.search_key < :hi", *_LISTED]
    where += _word_prefix_filters(others, params)
    rows = _select(session, "beneficiary b", where, _NAME_ORDER, params)
    if len(rows) > limit:
        return rows
    params = {"limit": limit + 1 - len(rows), "lo": lo, "hi": hi}
    exact = fts_match_expression(query.tokens)
    where = ["NOT (b.search_key >= :lo AND b.search_key < :hi)"]
    rows += _full_text_matches(session, exact, where, params)
    if len(rows) > limit or not typos:
        return rows
    params = {"limit": limit + 1 - len(rows)}
    with_typos = f"({fts_match_expression(query.tokens, typos)}) NOT ({exact})"
    return rows + _full_text_matches(session, with_typos, [], params)


def _rank(row: Any, tokens: tuple[str, ...]) -> int:
    """0: birth name starting with the first word; 1: other exact matches; 2: through a typo."""
    if not tokens:
        return 1
    words = row.search_key.split()
    if not all(any(word.startswith(token) for word in words) for token in tokens):
        return 2
    return 0 if text.fold(row.birth_name).startswith(tokens[0]) else 1


def search_people(
    session: Session,
    typed: str,
    ref: ReferenceData,
    today: dt.date,
    limit: int = DEFAULT_LIMIT,
) -> SearchResult:
    """The living people matching ``typed``, at most ``limit``, best first.

    A record merged into another is left out: the one it was merged into stands for it.

    People whose birth name starts with the first word typed come first, then the others,
    each part in alphabetical order: someone typing "mar" most often means the MARTIN family.
    People found only by forgiving a typo come last.
    """
    query = parse_query(typed, today)
    if query.empty or query.impossible:
        return SearchResult(typed)
    typos = words_one_typo_away(session, query.tokens)
    if query.birth_date or query.year or query.day_month:
        rows = _search_by_date(session, query, typos, today, limit)
    else:
        rows = _search_by_name(session, query, typos, limit)
    hits = [_hit(row, ref, today) for row in rows[:limit]]
    # The page was chosen by birth name; it is shown by the name on screen (usual name
    # first), keeping the people whose birth name starts with the first word on top and
    # those found through a typo at the bottom.
    rank = {row.id: _rank(row, query.tokens) for row in rows}
    hits.sort(key=lambda hit: (rank[hit.id], text.fold(hit.name), hit.birth_date))
    return SearchResult(typed, tuple(hits), more=len(rows) > limit)


def person_hits(
    session: Session, ids: list[str], ref: ReferenceData, today: dt.date
) -> list[PersonHit]:
    """The result lines of the given people (living, unmerged ones), in the order of ``ids``."""
    if not ids:
        return []
    names = [f"id{i}" for i in range(len(ids))]
    statement = (
        f"SELECT {_COLUMNS} FROM beneficiary b "
        f"WHERE {' AND '.join(_LISTED)} AND b.id IN ({', '.join(':' + n for n in names)})"
    )
    params = dict(zip(names, ids, strict=True))
    rows = session.connection().execute(sql(statement), params).all()
    by_id = {row.id: _hit(row, ref, today) for row in rows}
    return [by_id[i] for i in ids if i in by_id]
