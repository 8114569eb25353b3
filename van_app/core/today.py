"""What the Today screen shows: the stop of the day, the people this professional saw, and the
supervisor's requests for completion still waiting for this professional's addendum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from van_app.core.local_store import CurrentUser
from van_app.core.models import Beneficiary, PmiConsultation, SocialConsultation, TourStop
from van_app.core.pending import pending_changes
from van_app.core.people import display_name
from van_app.core.reference import ReferenceData
from van_app.core.review import CompletionRequestItem, completion_requests_for
from van_app.core.review_records import shown_people

SERVICE_LABELS = {"social": "Accueil social", "pmi": "PMI", "both": "Accueil social et PMI"}


@dataclass(frozen=True)
class StopOfDay:
    stop_id: str
    commune: str
    place: str
    start: dt.time
    end: dt.time
    services: str


@dataclass(frozen=True)
class SeenPerson:
    beneficiary_id: str
    consultation_id: str
    name: str
    service: str  # "social" or "pmi"
    status: str  # "draft" or "signed"


@dataclass(frozen=True)
class TodaySummary:
    day: dt.date
    stop: StopOfDay | None
    seen: list[SeenPerson]
    waiting_changes: int = 0
    waiting_since: dt.datetime | None = None
    completion_requests: list[CompletionRequestItem] = field(default_factory=list)
    # (display name, count): colleagues' changes on this laptop, leaving with their login
    colleagues_waiting: tuple[tuple[str, int], ...] = ()


def stop_of_day(session: Session, user: CurrentUser, day: dt.date, ref: ReferenceData):
    """The planned stop of the user's CMS on ``day``, or None: "hors tournée"."""
    stop = session.exec(
        select(TourStop)
        .where(TourStop.stop_date == day, TourStop.cms_code == user.cms_code)
        .where(col(TourStop.deleted).is_(False))
        .order_by(TourStop.start_time)
    ).first()
    return stop_view(stop, ref)


def stop_view(stop: TourStop | None, ref: ReferenceData) -> StopOfDay | None:
    """What the screens show of a planned stop: commune name, place, hours, services."""
    if stop is None:
        return None
    commune = ref.communes.get(stop.commune_insee)
    return StopOfDay(
        stop_id=stop.id,
        commune=commune.name if commune else stop.commune_insee,
        place=stop.place,
        start=stop.start_time,
        end=stop.end_time,
        services=SERVICE_LABELS.get(stop.services, stop.services),
    )


def people_seen(session: Session, user: CurrentUser, day: dt.date) -> list[SeenPerson]:
    """Consultations this professional recorded on ``day``, in the order they were opened."""
    seen: list[tuple[dt.datetime, SeenPerson]] = []
    for model, service in ((SocialConsultation, "social"), (PmiConsultation, "pmi")):
        rows = session.exec(
            select(model, Beneficiary)
            .join(Beneficiary, Beneficiary.id == model.beneficiary_id)
            .where(model.author == user.username, model.consultation_date == day)
            .where(col(model.deleted).is_(False))
        ).all()
        merged = shown_people(session, {p.id for _, p in rows if p.merged_into_id})
        for consultation, own in rows:
            person = merged.get(own.id, own)  # a record merged since: the person it now is
            seen.append(
                (
                    consultation.created_at,
                    SeenPerson(
                        person.id,
                        consultation.id,
                        display_name(person),
                        service,
                        consultation.status,
                    ),
                )
            )
    return [person for _, person in sorted(seen, key=lambda pair: pair[0])]


def today_summary(
    session: Session, user: CurrentUser, day: dt.date, ref: ReferenceData
) -> TodaySummary:
    pending = pending_changes(session, user.username)
    return TodaySummary(
        day,
        stop_of_day(session, user, day, ref),
        people_seen(session, user, day),
        pending.mine,
        pending.since,
        completion_requests_for(session, user),
        pending.colleagues,
    )
