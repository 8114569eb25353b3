"""Reading the period's records once, as plain rows the indicators then count in memory.

Only non-deleted records are read. A consultation whose person was deleted is left out; a
person merged into another (``merged_into_id``) stands for that other person. Consultations
are kept with their status so drafts can be reported as "not counted".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from van_app.core.indicators.figures import ActivityFilter
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    SocialOrientation,
    TourStop,
)

# Plain rows of the columns counted, not ORM objects: a year is ~100 000 records, and building
# (and garbage-collecting) entities for them took most of the report's time.
_PERSON_COLUMNS = (
    Beneficiary.id,
    Beneficiary.merged_into_id,
    Beneficiary.deleted,
    Beneficiary.birth_date,
    Beneficiary.known_to_cms,
)
_CHUNK = 500  # ids per IN (...) query, well under SQLite's limit on bound parameters
_MAX_MERGE_HOPS = 20


@dataclass(frozen=True)
class Visit:
    """One consultation as the indicators see it (S fields, plus C or M ones when readable)."""

    id: str
    service: str  # "social" or "pmi"
    person: str  # the canonical person's id
    day: dt.date
    stop_id: str | None
    signed: bool
    birth_date: dt.date  # of the canonical person
    demand_types: tuple[str, ...] = ()
    outcome: str | None = None
    vaccinations: tuple[str, ...] = ()
    orientation_partner: str | None = None


def chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for index in range(0, len(ids), _CHUNK):
        yield ids[index : index + _CHUNK]


class People:
    """Beneficiaries read on demand, each resolved to the person it was merged into."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._rows: dict[str, Any] = {}  # id -> row of _PERSON_COLUMNS

    def load(self, ids: Iterable[str]) -> None:
        wanted = sorted({i for i in ids if i and i not in self._rows})
        while wanted:
            for chunk in chunks(wanted):
                for person in self._session.exec(
                    select(*_PERSON_COLUMNS).where(col(Beneficiary.id).in_(chunk))
                ).all():
                    self._rows[person.id] = person
            targets = {p.merged_into_id for p in self._rows.values() if p.merged_into_id}
            wanted = sorted(t for t in targets if t not in self._rows)

    def canonical(self, person_id: str) -> str:
        """The id the person counts as: follows merges, stops on a loop or a missing record."""
        row = self._rows.get(person_id)
        if row is None or not row.merged_into_id:
            return person_id  # nearly everyone: no walk
        current, seen = person_id, {person_id}
        for _ in range(_MAX_MERGE_HOPS):
            row = self._rows.get(current)
            target = row.merged_into_id if row is not None else None
            if not target or target in seen or target not in self._rows:
                return current
            seen.add(target)
            current = target
        return current

    def live(self, person_id: str) -> bool:
        row = self._rows.get(person_id)
        return row is not None and not row.deleted

    def birth_date(self, person_id: str) -> dt.date:
        return self._rows[person_id].birth_date

    def known_to_cms(self, person_id: str) -> bool:
        """The person's own answer, asked once at her first contact (correctable in her file)."""
        return bool(self._rows[person_id].known_to_cms)

    def group_ids(self, canonical_ids: set[str]) -> set[str]:
        """Every loaded id standing for one of ``canonical_ids`` (the person and duplicates)."""
        return {pid for pid in self._rows if self.canonical(pid) in canonical_ids}

    def load_duplicates(self) -> None:
        """Every record merged into another, so a person's history includes their duplicates."""
        merged = self._session.exec(
            select(Beneficiary.id).where(col(Beneficiary.merged_into_id).is_not(None))
        ).all()
        self.load(merged)


class StopMatcher:
    """Which stop ids a filter keeps; the stops by id (deleted ones too, for their commune)."""

    def __init__(self, session: Session, activity_filter: ActivityFilter) -> None:
        self.filter = activity_filter
        self.stops: dict[str, TourStop] = {s.id: s for s in session.exec(select(TourStop)).all()}

    def keeps(self, stop_id: str | None) -> bool:
        f = self.filter
        if f.stop_id is not None:
            return stop_id == f.stop_id
        if f.commune_insee is not None:
            stop = self.stops.get(stop_id) if stop_id else None
            return stop is not None and stop.commune_insee == f.commune_insee
        return True

    def planned(self) -> list[TourStop]:
        """The non-cancelled stops of the period the filter keeps (offering the service),
        held or still to come."""
        f = self.filter
        return [
            s
            for s in self.stops.values()
            if not s.deleted
            and f.start <= s.stop_date <= f.end
            and self.keeps(s.id)
            and (f.service is None or s.services in (f.service, "both"))
        ]


def load_visits(
    session: Session,
    people: People,
    stops: StopMatcher,
    *,
    read_social: bool,
    read_medical: bool,
) -> list[Visit]:
    """The period's consultations of the chosen services and stops, signed or draft."""
    f = stops.filter
    rows: list[tuple[str, Any]] = []
    for service, model in (("social", SocialConsultation), ("pmi", PmiConsultation)):
        if not f.includes(service):
            continue
        columns = [
            model.id,
            model.beneficiary_id,
            model.consultation_date,
            model.stop_id,
            model.status,
        ]
        if service == "social" and read_social:
            columns += [SocialConsultation.demand_types, SocialConsultation.outcome]
        elif service == "pmi" and read_medical:
            columns += [PmiConsultation.vaccinations, PmiConsultation.orientation_partner]
        for record in session.exec(
            select(*columns)
            .where(model.consultation_date >= f.start)
            .where(model.consultation_date <= f.end)
            .where(col(model.deleted).is_(False))
        ).all():
            if stops.keeps(record.stop_id):
                rows.append((service, record))
    people.load(record.beneficiary_id for _, record in rows)
    visits = []
    for service, record in rows:
        if not people.live(record.beneficiary_id):
            continue
        person = people.canonical(record.beneficiary_id)
        extra: dict[str, object] = {}
        if service == "social" and read_social:
            extra = {
                "demand_types": tuple(record.demand_types or ()),
                "outcome": record.outcome,
            }
        elif service == "pmi" and read_medical:
            extra = {
                "vaccinations": tuple(record.vaccinations or ()),
                "orientation_partner": record.orientation_partner,
            }
        visits.append(
            Visit(
                id=record.id,
                service=service,
                person=person,
                day=record.consultation_date,
                stop_id=record.stop_id,
                signed=record.status == "signed",
                birth_date=people.birth_date(person),
                **extra,  # type: ignore[arg-type]
            )
        )
    visits.sort(key=lambda v: (v.day, v.service, v.id))
    return visits


def load_orientations(session: Session, activity_filter: ActivityFilter) -> list[Any]:
    """Orientations of the period's social consultations (filtered by consultation later):
    rows of ``consultation_id`` and ``partner_code``."""
    return list(
        session.exec(
            select(SocialOrientation.consultation_id, SocialOrientation.partner_code)
            .join(
                SocialConsultation, col(SocialConsultation.id) == SocialOrientation.consultation_id
            )
            .where(SocialConsultation.consultation_date >= activity_filter.start)
            .where(SocialConsultation.consultation_date <= activity_filter.end)
            .where(col(SocialOrientation.deleted).is_(False))
        ).all()
    )


def load_follow_ups(
    session: Session, people: People, stops: StopMatcher, as_of: dt.date
) -> list[Any]:
    """Follow-ups open during the period or at ``as_of``, of signed consultations the filter keeps.

    Those of a draft or deleted consultation are left out, like the consultation itself; one
    with no consultation is kept unless a commune or a stop is chosen.
    """
    f = stops.filter
    candidates = session.exec(
        select(
            FollowUp.beneficiary_id,
            FollowUp.consultation_id,
            FollowUp.opened_on,
            FollowUp.due_on,
            FollowUp.closed_on,
            FollowUp.outcome,
        )
        .where(col(FollowUp.deleted).is_(False))
        .where(FollowUp.opened_on <= f.end)
        .where(
            or_(col(FollowUp.closed_on).is_(None), col(FollowUp.closed_on) >= min(f.start, as_of))
        )
    ).all()
    consultation_ids = sorted({c.consultation_id for c in candidates if c.consultation_id})
    consultations: dict[str, Any] = {}
    for chunk in chunks(consultation_ids):
        for record in session.exec(
            select(
                SocialConsultation.id,
                SocialConsultation.deleted,
                SocialConsultation.status,
                SocialConsultation.stop_id,
            ).where(col(SocialConsultation.id).in_(chunk))
        ).all():
            consultations[record.id] = record
    people.load(c.beneficiary_id for c in candidates)
    kept = []
    for follow_up in candidates:
        if not people.live(follow_up.beneficiary_id):
            continue
        if follow_up.consultation_id is None:
            if stops.keeps(None):
                kept.append(follow_up)
            continue
        consultation = consultations.get(follow_up.consultation_id)
        if (
            consultation is not None
            and not consultation.deleted
            and consultation.status == "signed"
            and stops.keeps(consultation.stop_id)
        ):
            kept.append(follow_up)
    return kept


def load_answers(session: Session, stops: StopMatcher) -> list[Any]:
    """The period's answers, as rows of their stop and three scores."""
    f = stops.filter
    query = (
        select(
            SatisfactionAnswer.stop_id,
            SatisfactionAnswer.service_rendered,
            SatisfactionAnswer.reception,
            SatisfactionAnswer.waiting_time,
        )
        .where(SatisfactionAnswer.answered_on >= f.start)
        .where(SatisfactionAnswer.answered_on <= f.end)
        .where(col(SatisfactionAnswer.deleted).is_(False))
    )
    if f.service is not None:
        query = query.where(SatisfactionAnswer.service == f.service)
    return [a for a in session.exec(query).all() if stops.keeps(a.stop_id)]


def load_pmi_history(
    session: Session, people: People, children: set[str], until: dt.date
) -> dict[str, list[PmiConsultation]]:
    """Every non-deleted PMI consultation up to ``until`` of these children (and duplicates)."""
    people.load_duplicates()
    ids = sorted(people.group_ids(children))
    history: dict[str, list[PmiConsultation]] = {}
    for chunk in chunks(ids):
        for record in session.exec(
            select(PmiConsultation)
            .where(col(PmiConsultation.beneficiary_id).in_(chunk))
            .where(PmiConsultation.consultation_date <= until)
            .where(col(PmiConsultation.deleted).is_(False))
        ).all():
            history.setdefault(people.canonical(record.beneficiary_id), []).append(record)
    for records in history.values():
        records.sort(key=lambda r: (r.consultation_date, r.id))
    return history


def first_contact_days(
    session: Session, people: People, start: dt.date, end: dt.date
) -> dict[str, dt.date]:
    """The people (canonical ids) first met by the van in ``start``..``end``, with that day:
    their first signed consultation of either service, duplicates included, falls in it.

    A person with a signed consultation before ``start`` is not new, however long ago: two
    grouped queries per service (seen before; first day in the period), not a read of
    everyone's history.
    """
    people.load_duplicates()
    seen_before: set[str] = set()
    first: dict[str, dt.date] = {}
    for model in (SocialConsultation, PmiConsultation):
        signed = (col(model.deleted).is_(False), model.status == "signed")
        for beneficiary_id in session.exec(
            select(model.beneficiary_id)
            .where(*signed)
            .where(model.consultation_date < start)
            .group_by(model.beneficiary_id)
        ).all():
            seen_before.add(people.canonical(beneficiary_id))
        for beneficiary_id, day in session.exec(
            select(model.beneficiary_id, func.min(model.consultation_date))
            .where(*signed)
            .where(model.consultation_date >= start, model.consultation_date <= end)
            .group_by(model.beneficiary_id)
        ).all():
            person = people.canonical(beneficiary_id)
            if person not in first or day < first[person]:
                first[person] = day
    return {person: day for person, day in first.items() if person not in seen_before}
