"""The anonymous satisfaction questionnaire: three questions rated 1 (mauvais) to 4 (excellent).

A visitor answers on the professional's laptop at the end of a visit. The answer is tied to the
stop of the day and to the service that received the visitor, never to the visitor: the record
has no person id, and nothing in it says *when* during the day it was given, so it cannot be
put next to a consultation of the same morning (see ``record_satisfaction``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from van_app.core.confidentiality import Role
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import SatisfactionAnswer, TourStop
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import ReferenceData
from van_app.core.today import stop_of_day
from van_app.core.validation import (
    SATISFACTION_RANGE,
    ValidationError,
    raise_if_errors,
    validate_satisfaction,
)

QUESTIONS: tuple[str, ...] = ("service_rendered", "reception", "waiting_time")
"""The three questions, in the order they are asked; each is a column of SatisfactionAnswer."""

SERVICE_BY_ROLE: dict[str, str] = {Role.SOCIAL_WORKER: "social", Role.PMI_NURSE: "pmi"}


def services_for(roles: Iterable[str]) -> tuple[str, ...]:
    """The services a professional can collect answers for: ("social",), ("pmi",), both or ()."""
    held = set(roles)
    return tuple(service for role, service in SERVICE_BY_ROLE.items() if role in held)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC of ``day``: the only time of day an answer ever carries."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def anonymous_id(day: dt.date) -> str:
    """A UUIDv7 whose time part is midnight UTC of ``day``, the rest random.

    An ordinary UUIDv7 embeds the creation instant to the millisecond: it would tell when the
    visitor answered as surely as a timestamp. The 74 random bits keep ids unique.
    """
    millis = int(day_start(day).timestamp() * 1000)
    value = (
        (millis & ((1 << 48) - 1)) << 80
        | 0x7 << 76
        | secrets.randbits(12) << 64
        | 0b10 << 62
        | secrets.randbits(62)
    )
    return str(uuid.UUID(int=value))


def record_satisfaction(
    store: LocalStore,
    service: str,
    answers: Mapping[str, int],
    day: dt.date,
    ref: ReferenceData,
) -> SatisfactionAnswer:
    """Validate and store one visitor's answers, tied to the stop of ``day`` (None: hors tournée).

    Raises ValidationError (keys: "service", the question keys, "answered_on") and writes nothing
    when the input is refused. ``service`` must be one the logged-in professional provides.

    Anonymity: the record keeps the date only. ``created_at`` and ``updated_at`` are set to
    midnight UTC of the day, the id's time part too, and so is the ``queued_at`` of its outbox
    entry: a real instant would sit a few minutes after the consultation of the person who just
    answered and identify them. ``author`` and ``device`` stay (required, class S: which
    professional handed over the laptop), which says nothing about which visitor answered.
    """
    errors: dict[str, str] = {}
    if service not in services_for(store.user.roles):
        errors["service"] = "Ce service n'est pas celui du professionnel connecté."
    for key in answers:
        if key not in QUESTIONS:
            errors[str(key)] = "Question inconnue."
    answer = SatisfactionAnswer(
        stop_id=None,
        answered_on=day,
        service=service,
        author="",
        device="",
        **{key: answers.get(key) for key in QUESTIONS},
    )
    errors.update(validate_satisfaction(answer, today=dt.date.today()))
    raise_if_errors(errors)

    midnight = day_start(day)
    with store.session() as session:
        stop = stop_of_day(session, store.user, day, ref)
        answer.stop_id = stop.stop_id if stop is not None else None
        answer.id = anonymous_id(day)
        store.stamp(answer)
        answer.created_at = midnight
        answer.updated_at = midnight
        session.add(answer)
        session.flush()  # the outbox hook queues the entry now; then its time is blurred too
        for entry in session.exec(
            select(OutboxEntry).where(OutboxEntry.record_id == answer.id)
        ).all():
            entry.queued_at = midnight
            session.add(entry)
    return answer


def satisfaction_count_today(session: Session, user: CurrentUser, day: dt.date) -> int:
    """How many answers were collected on ``day``: at a stop of the user's CMS, or by the user."""
    statement = (
        select(func.count())
        .select_from(SatisfactionAnswer)
        .outerjoin(TourStop, col(TourStop.id) == col(SatisfactionAnswer.stop_id))
        .where(SatisfactionAnswer.answered_on == day)
        .where(col(SatisfactionAnswer.deleted).is_(False))
        .where(
            or_(
                col(TourStop.cms_code) == user.cms_code,
                col(SatisfactionAnswer.author) == user.username,
            )
        )
    )
    return int(session.exec(statement).one())


__all__ = [
    "QUESTIONS",
    "SATISFACTION_RANGE",
    "SERVICE_BY_ROLE",
    "ValidationError",
    "anonymous_id",
    "day_start",
    "record_satisfaction",
    "satisfaction_count_today",
    "services_for",
]
