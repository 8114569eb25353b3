"""Merging two records of the same person, registered on different devices.

Nothing recorded about the person is edited behind its author's back: consultations and
follow-ups are their authors' (and frozen once signed), so they keep pointing at the record
they were written for. The merge writes only identity records: the kept record takes the
identity values the supervisor chose, the other one gets ``merged_into_id`` (it stays, with
its visits), and household links move to the kept record. Everything that shows a person
follows ``merged_into_id`` (``resolve_person``) and gathers the merged records' history
(``merged_group``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from van_app.core import text
from van_app.core.conflicts import (
    IDENTITY_LABELS,
    ValueFormatter,
    display_names,
    local_time,
    person_label,
    require_supervisor,
)
from van_app.core.distinct_people import distinct_pairs, pair_key
from van_app.core.french import de_name
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SocialConsultation,
)
from van_app.core.people import display_name
from van_app.core.reference import ReferenceData
from van_app.core.registration import SIMILAR_NAMES, same_person_likely

IDENTITY_FIELDS = tuple(IDENTITY_LABELS)
KEEP, OTHER = "keep", "other"
_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


class MergeRefusedError(ValueError):
    """The merge would be wrong (same record, merged or deleted one, parent and child)."""


# -- following merges ------------------------------------------------------------------------


def resolve_person(session: Session, person_id: str) -> str:
    """The record a person id now stands for: ``merged_into_id`` followed to its end.

    A target missing or deleted on this device stops the walk (the record shows as itself).
    Two devices merging A into B and B into A at once make a cycle: every device then picks
    the smallest id of the cycle, so all agree.
    """
    path = [person_id]
    current = person_id
    while True:
        target = session.exec(
            select(Beneficiary.merged_into_id).where(Beneficiary.id == current)
        ).first()
        if not target or not _alive(session, target):
            return current
        if target in path:
            return min(path[path.index(target) :])
        path.append(target)
        current = target


def resolve_people(session: Session, person_ids: Collection[str]) -> dict[str, str]:
    """``resolve_person`` for many ids at once: a few queries, not one or two per person."""
    rows: dict[str, tuple[str | None, bool]] = {}  # id -> (merged_into_id, deleted)
    wanted, asked = set(person_ids), set(person_ids)
    while wanted:
        ordered = sorted(wanted)
        for start in range(0, len(ordered), _CHUNK):
            for pid, target, deleted in session.exec(
                select(Beneficiary.id, Beneficiary.merged_into_id, Beneficiary.deleted).where(
                    col(Beneficiary.id).in_(ordered[start : start + _CHUNK])
                )
            ).all():
                rows[pid] = (target, deleted)
        wanted = {t for t, _ in rows.values() if t and t not in asked}  # missing ids: asked once
        asked |= wanted

    def resolve(person_id: str) -> str:
        path, current = [person_id], person_id
        while True:
            target = rows.get(current, (None, False))[0]
            if not target or rows.get(target, (None, True))[1] is not False:
                return current
            if target in path:
                return min(path[path.index(target) :])
            path.append(target)
            current = target

    return {person_id: resolve(person_id) for person_id in person_ids}


def _alive(session: Session, person_id: str) -> bool:
    deleted = session.exec(select(Beneficiary.deleted).where(Beneficiary.id == person_id)).first()
    return deleted is False


def merged_group(session: Session, person_id: str) -> tuple[str, ...]:
    """``person_id`` first, then every living record merged into it, directly or not."""
    group = [person_id]
    frontier = [person_id]
    while frontier:
        found = session.exec(
            select(Beneficiary.id)
            .where(col(Beneficiary.merged_into_id).in_(frontier))
            .where(col(Beneficiary.deleted).is_(False))
        ).all()
        frontier = [i for i in found if i not in group]
        group += frontier
    return tuple(group)


# -- what the supervisor reads ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    """One of two records: who it is, who registered it when and where, what it holds."""

    id: str
    name: str
    label: str  # "ROUX Camille, née le 05/05/1995"
    registered_by: str
    registered_on: str  # "12/11/2026 à 14 h 05", local time
    device: str  # the device that last wrote the record
    visits: int
    follow_ups: int
    links: int
    name_parts: tuple[str, str | None, str, str] = ("", None, "", "")  # birth, usual, first, sex

    @property
    def registered(self) -> str:
        """ "Agnès Martin, le 12/11/2026 à 14 h 05"."""
        if not self.registered_on:
            return self.registered_by
        return f"{self.registered_by}, le {self.registered_on}"


@dataclass(frozen=True)
class DuplicatePair:
    a: PersonSummary
    b: PersonSummary


@dataclass(frozen=True)
class CompareRow:
    field: str
    label: str
    value_a: str
    value_b: str
    differ: bool


@dataclass(frozen=True)
class Comparison:
    a: PersonSummary
    b: PersonSummary
    rows: tuple[CompareRow, ...]

    @property
    def differing(self) -> tuple[str, ...]:
        return tuple(row.field for row in self.rows if row.differ)


@dataclass(frozen=True)
class MergeResult:
    kept_id: str
    merged_id: str
    fields_changed: tuple[str, ...]
    links_moved: int
    links_dropped: int


def _counts(session: Session, model: type, ids: list[str]) -> Counter[str]:
    """Living records of ``model`` per beneficiary id, for many ids at once."""
    counts: Counter[str] = Counter()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        counts.update(
            dict(
                session.exec(
                    select(model.beneficiary_id, func.count())
                    .where(col(model.beneficiary_id).in_(chunk))
                    .where(col(model.deleted).is_(False))
                    .group_by(model.beneficiary_id)
                ).all()
            )
        )
    return counts


def _links(session: Session, ids: Collection[str]) -> list[HouseholdLink]:
    found: dict[str, HouseholdLink] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for link in session.exec(
            select(HouseholdLink)
            .where(col(HouseholdLink.deleted).is_(False))
            .where(
                or_(col(HouseholdLink.parent_id).in_(chunk), col(HouseholdLink.child_id).in_(chunk))
            )
        ).all():
            found[link.id] = link
    return list(found.values())


def _summaries(session: Session, people: list[Beneficiary]) -> dict[str, PersonSummary]:
    """What each person's record holds, counting the records merged into it (batched)."""
    groups = {p.id: merged_group(session, p.id) for p in people}
    every = sorted({i for group in groups.values() for i in group})
    visits = _counts(session, SocialConsultation, every) + _counts(session, PmiConsultation, every)
    follow_ups = _counts(session, FollowUp, every)
    links = _links(session, every)
    names = display_names(session, {p.author for p in people})
    summaries = {}
    for person in people:
        group = set(groups[person.id])
        summaries[person.id] = PersonSummary(
            id=person.id,
            name=display_name(person),
            label=person_label(person),
            registered_by=names.get(person.author, person.author),
            registered_on=local_time(person.created_at),
            device=person.device,
            visits=sum(visits[i] for i in group),
            follow_ups=sum(follow_ups[i] for i in group),
            links=sum(1 for lk in links if lk.parent_id in group or lk.child_id in group),
            name_parts=(person.birth_name, person.usual_name, person.first_names, person.sex),
        )
    return summaries


class _QuickNames:
    """Folds names and counts their letters once per distinct spelling (names repeat a lot)."""

    def __init__(self) -> None:
        self._folded: dict[str | None, str] = {}
        self._letters: dict[str, Counter[str]] = {}
        # id -> (birth and usual names, birth name, first first-name), folded
        self._people: dict[str, tuple[tuple[str, ...], str, str]] = {}

    def fold(self, name: str | None) -> str:
        if name not in self._folded:
            self._folded[name] = text.fold(name)
        return self._folded[name]

    def person(self, row: Any) -> tuple[tuple[str, ...], str, str]:
        found = self._people.get(row.id)
        if found is None:
            birth, usual = self.fold(row.birth_name), self.fold(row.usual_name)
            words = self.fold(row.first_names).split()
            names = tuple(n for n in (birth, usual) if n)
            found = self._people[row.id] = (names, birth, words[0] if words else "")
        return found

    def could_be_close(self, x: str, y: str) -> bool:
        """False when difflib's ratio cannot reach SIMILAR_NAMES (its "quick ratio" bound)."""
        if not x or not y:
            return False
        total = len(x) + len(y)
        if 2 * min(len(x), len(y)) < SIMILAR_NAMES * total:
            return False
        if x == y:
            return True
        common = sum((self._letters_of(x) & self._letters_of(y)).values())
        return 2 * common >= SIMILAR_NAMES * total

    def _letters_of(self, name: str) -> Counter[str]:
        if name not in self._letters:
            self._letters[name] = Counter(name)
        return self._letters[name]

    def worth_comparing(self, row_a: Any, row_b: Any) -> bool:
        """A cheap necessary condition of ``same_person_likely``, which stays the judge."""
        (names_a, birth_a, first_a), (names_b, birth_b, first_b) = (
            self.person(row_a),
            self.person(row_b),
        )
        close = self.could_be_close
        if close(first_a, first_b) and any(close(x, y) for x in names_a for y in names_b):
            return True
        return close(birth_a, first_b) and close(first_a, birth_b)


def _living_unmerged(session: Session, person_id: str) -> Beneficiary:
    person = session.get(Beneficiary, person_id)
    if person is None or person.deleted:
        raise MergeRefusedError("Cette fiche n'existe pas ou a été supprimée.")
    if person.merged_into_id:
        raise MergeRefusedError(
            f"La fiche {de_name(display_name(person))} a déjà été fusionnée dans une autre."
        )
    return person


def _swapped(day: dt.date) -> dt.date | None:
    try:
        swapped = dt.date(day.year, day.day, day.month)
    except ValueError:
        return None
    return swapped if swapped != day else None


def likely_duplicates(
    session: Session, ref: ReferenceData, user: CurrentUser, *, same_author: bool = False
) -> list[DuplicatePair]:
    """Living, unmerged people who are probably one person registered twice.

    Same birth date (or day and month swapped) and close names, as at registration. Pairs
    registered by the same professional are left out unless ``same_author``: at registration
    that professional was warned and chose to create a second file (twins, namesakes). So are
    pairs the supervisor declared two people on this device (``distinct_people``).
    """
    require_supervisor(user, "fusionner des fiches")
    # Names and dates only (not whole records): the whole register is read once.
    people = session.exec(
        select(
            Beneficiary.id,
            Beneficiary.birth_name,
            Beneficiary.usual_name,
            Beneficiary.first_names,
            Beneficiary.birth_date,
            Beneficiary.author,
        )
        .where(col(Beneficiary.deleted).is_(False))
        .where(col(Beneficiary.merged_into_id).is_(None))
    ).all()
    distinct = distinct_pairs(session)
    by_date: dict[dt.date, list[Any]] = {}
    for person in people:
        by_date.setdefault(person.birth_date, []).append(person)
    quick = _QuickNames()
    found: list[tuple[Beneficiary, Beneficiary]] = []
    for day, born in by_date.items():
        swapped = _swapped(day)
        others = by_date.get(swapped, []) if swapped and swapped > day else []
        for i, a in enumerate(born):
            for b in born[i + 1 :] + others:
                if (
                    (same_author or a.author != b.author)
                    and pair_key(a.id, b.id) not in distinct
                    and quick.worth_comparing(a, b)
                    and same_person_likely(a, b)
                ):
                    pair = [session.get(Beneficiary, a.id), session.get(Beneficiary, b.id)]
                    pair.sort(key=lambda p: (p.created_at, p.id))  # type: ignore[union-attr]
                    found.append((pair[0], pair[1]))  # type: ignore[arg-type]
    found.sort(key=lambda pair: (display_name(pair[0]).casefold(), pair[0].birth_date))
    summaries = _summaries(session, [p for pair in found for p in pair])
    return [DuplicatePair(summaries[a.id], summaries[b.id]) for a, b in found]


def compare(
    session: Session, a_id: str, b_id: str, ref: ReferenceData, user: CurrentUser
) -> Comparison:
    """The two records side by side, field by field, with what each holds."""
    require_supervisor(user, "fusionner des fiches")
    a, b = _living_unmerged(session, a_id), _living_unmerged(session, b_id)
    formatter = ValueFormatter(session, ref)
    rows = []
    for field in IDENTITY_FIELDS:
        value_a = formatter.format("beneficiary", field, getattr(a, field))
        value_b = formatter.format("beneficiary", field, getattr(b, field))
        rows.append(CompareRow(field, IDENTITY_LABELS[field], value_a, value_b, value_a != value_b))
    summaries = _summaries(session, [a, b])
    return Comparison(summaries[a.id], summaries[b.id], tuple(rows))


# -- merging ---------------------------------------------------------------------------------


def _link_between(links: list[HouseholdLink], one: set[str], other: set[str]) -> bool:
    return any(
        (link.parent_id in one and link.child_id in other)
        or (link.parent_id in other and link.child_id in one)
        for link in links
    )


def merge_people(
    store: LocalStore, keep_id: str, merged_id: str, choices: dict[str, str]
) -> MergeResult:
    """Merge ``merged_id`` into ``keep_id``, in one transaction.

    ``choices`` says, per identity field, whether the kept record keeps its value ("keep") or
    takes the other's ("other"); fields not named keep theirs. Raises MergeRefusedError with
    a French message, or ConflictAccessError for anyone but a supervisor.
    """
    require_supervisor(store.user, "fusionner des fiches")
    unknown = set(choices) - set(IDENTITY_FIELDS)
    if unknown or any(choice not in (KEEP, OTHER) for choice in choices.values()):
        raise MergeRefusedError("Choix de fusion incompris : recommencez la comparaison.")
    if keep_id == merged_id:
        raise MergeRefusedError("Une fiche ne peut pas être fusionnée avec elle-même.")
    with store.session() as session:
        keep = _living_unmerged(session, keep_id)
        merged = _living_unmerged(session, merged_id)
        keep_group = set(merged_group(session, keep.id))
        merged_ids = merged_group(session, merged.id)
        links = _links(session, [*keep_group, *merged_ids])
        if _link_between(links, keep_group, set(merged_ids)):
            raise MergeRefusedError(
                f"{display_name(keep)} et {display_name(merged)} sont liés comme parent et "
                "enfant : ce ne peut pas être la même personne."
            )
        changed = tuple(f for f in IDENTITY_FIELDS if choices.get(f) == OTHER)
        for field in changed:
            setattr(keep, field, getattr(merged, field))
        moved, dropped = _move_links(
            store, session, links, keep, set(merged_ids), recheck="birth_date" in changed
        )
        if changed:
            session.add(store.stamp(keep))
        merged.merged_into_id = keep.id
        session.add(store.stamp(merged))
        return MergeResult(keep.id, merged.id, changed, moved, dropped)


def _move_links(
    store: LocalStore,
    session: Session,
    links: list[HouseholdLink],
    keep: Beneficiary,
    merged_ids: set[str],
    *,
    recheck: bool,
) -> tuple[int, int]:
    """Point the merged records' links at the kept one; drop those that would repeat one.

    The moved links are checked against the kept person's birth date, and all of them when
    that date changes.
    """

    def moved(person_id: str) -> str:
        return keep.id if person_id in merged_ids else person_id

    moving = [lk for lk in links if merged_ids & {lk.parent_id, lk.child_id}]
    staying = [lk for lk in links if not merged_ids & {lk.parent_id, lk.child_id}]
    pairs = {
        (resolve_person(session, lk.parent_id), resolve_person(session, lk.child_id))
        for lk in staying
    }
    count_moved = count_dropped = 0
    to_check = set(pairs) if recheck else set()
    for link in sorted(moving, key=lambda lk: (lk.created_at, lk.id)):
        parent, child = moved(link.parent_id), moved(link.child_id)
        pair = (resolve_person(session, parent), resolve_person(session, child))
        if pair in pairs:
            link.deleted = True  # the kept record already has this very link
            count_dropped += 1
        else:
            if (pair[1], pair[0]) in pairs:
                raise MergeRefusedError(
                    "Après fusion, une personne serait à la fois le parent et l'enfant d'une "
                    "autre : vérifiez les liens familiaux avant de fusionner."
                )
            pairs.add(pair)
            to_check.add(pair)
            link.parent_id, link.child_id = parent, child
            count_moved += 1
        session.add(store.stamp(link))
    _check_birth_order(session, keep, to_check)
    return count_moved, count_dropped


def _check_birth_order(session: Session, keep: Beneficiary, pairs: set[tuple[str, str]]) -> None:
    """With the chosen birth date, the kept person must be born after parents, before children."""
    for parent_id, child_id in pairs:
        if keep.id not in (parent_id, child_id):
            continue
        parent = keep if parent_id == keep.id else session.get(Beneficiary, parent_id)
        child = keep if child_id == keep.id else session.get(Beneficiary, child_id)
        if parent is None or child is None or parent.deleted or child.deleted:
            continue
        if parent.birth_date >= child.birth_date:
            raise MergeRefusedError(
                f"Avec cette date de naissance, {display_name(parent)} serait né·e après "
                f"son enfant {display_name(child)} : choisissez l'autre date, ou corrigez "
                "les liens familiaux avant de fusionner."
            )
