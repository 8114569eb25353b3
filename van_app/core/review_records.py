"""The vocabulary of a review and the records behind it, read in bulk.

Split from ``review`` to keep both short: statuses and labels, the plain values the screens
get, which review is current, the derived status, and the bulk reads (reviews, the author's
addenda, names, people as shown, stops) that the queue, the detail and Today share. No Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.french import moment_text
from van_app.core.merge_people import resolve_people
from van_app.core.models import (
    Beneficiary,
    PmiAddendum,
    PmiConsultation,
    SocialAddendum,
    SocialConsultation,
    StaffAccount,
    SupervisorReview,
    TourStop,
)
from van_app.core.outbox import OutboxEntry
from van_app.core.person_file import Entry
from van_app.core.reference import ReferenceData

# Derived review statuses (``ReviewFilter.status`` also takes ``TO_ACT``).
TO_REVIEW = "to_review"
NOT_SIGNED = "not_signed"  # a draft, which its author may still change: not reviewable yet
VALIDATED = "validated"
COMPLETION_REQUESTED = "completion_requested"
COMPLETION_PROVIDED = "completion_provided"
TO_ACT = "to_act"  # what waits for the supervisor: signed and "à relire" or "complément apporté"
PMI_REVIEW = "pmi_review"  # waits for a supervisor who reads PMI content, not for this one
REVIEW_STATUS_LABELS = {
    TO_REVIEW: "À relire",
    NOT_SIGNED: "Pas encore signée",
    VALIDATED: "Validée",
    COMPLETION_REQUESTED: "Complément demandé",
    COMPLETION_PROVIDED: "Complément apporté",
    PMI_REVIEW: "Relecture PMI",
}
SERVICE_LABELS = {"social": "Accueil social", "pmi": "PMI"}
CONSULTATION_STATUS_LABELS = {"draft": "Brouillon", "signed": "Signée"}
# The steps of a review's thread (``review_thread``): nothing is rewritten, all are kept.
REQUEST = "request"
ANSWER = "answer"
VALIDATION = "validation"
STEP_LABELS = {
    REQUEST: "Demande de complément",
    ANSWER: "Complément de l'auteur·rice",
    VALIDATION: "Validation",
}
COMMENT_MAX_LENGTH = 2000
KINDS: dict[str, tuple[type[Any], type[Any]]] = {
    "social": (SocialConsultation, SocialAddendum),
    "pmi": (PmiConsultation, PmiAddendum),
}


class ReviewAccessError(PermissionError):
    """Refused because of who asks or the consultation's state; ``str()`` is French."""


class ReviewNotFoundError(LookupError):
    """The consultation does not exist (or was deleted) on this device."""


@dataclass(frozen=True)
class ReviewFilter:
    """What the queue is narrowed to; None means "any". ``commune_insee`` is the stop's."""

    start: dt.date | None = None
    end: dt.date | None = None
    stop_id: str | None = None
    commune_insee: str | None = None
    author: str | None = None  # the professional's username
    service: str | None = None  # "social" or "pmi"
    status: str | None = None  # a derived status, or TO_ACT


@dataclass(frozen=True)
class ReviewRow:
    """One consultation of the queue (class S only: the queue shows no content)."""

    kind: str
    consultation_id: str
    person_id: str
    person_name: str
    date: dt.date
    stop_id: str | None
    commune_insee: str | None
    place: str  # "Luc-en-Diois — Parking de la salle des fêtes" or "Hors tournée"
    author: str
    professional: str
    service: str  # label
    consultation_status: str  # "draft" or "signed"
    consultation_status_label: str
    review_status: str
    review_label: str
    comment: str  # the current review's comment
    reviewer: str  # the current review's author (display name), "" when none
    reviewed_at: dt.datetime | None
    thread: tuple[ThreadStep, ...] = ()  # every request, answer and validation, oldest first


@dataclass(frozen=True)
class AddendumItem:
    author: str
    written_at: dt.datetime
    text: str  # "" when reserved
    reserved: str = ""  # why the text is not shown, in French


@dataclass(frozen=True)
class ReviewItem:
    reviewer: str
    status_label: str
    comment: str
    at: dt.datetime
    current: bool


@dataclass(frozen=True)
class ThreadStep:
    """One step of the thread: who did what, when, and what they wrote."""

    step: str  # REQUEST, ANSWER or VALIDATION
    label: str
    who: str  # display name
    at: dt.datetime
    text: str = ""  # the comment or the addendum ("" when none, or reserved)
    reserved: str = ""  # why an addendum's text is not shown, in French
    current: bool = False  # the review that gives the status now

    def line(self) -> str:
        """The step on one line, for the queue's tooltip (no addendum content there)."""
        head = f"{moment_text(self.at)} — {self.label} ({self.who})"
        if self.step != ANSWER and self.text:
            return f"{head} : « {' '.join(self.text.split())} »"
        return head


@dataclass(frozen=True)
class ConsultationDetail:
    """What the supervisor's role may read of one consultation, and what may be done."""

    kind: str
    consultation_id: str
    person_id: str
    person_name: str
    birth_date: dt.date | None  # None: the person is not on this device
    date: dt.date
    place: str
    professional: str
    service: str
    consultation_status_label: str
    signed_at: dt.datetime | None
    entries: tuple[Entry, ...]
    reserved_notice: str  # "" when the whole content is readable
    addenda: tuple[AddendumItem, ...]
    reviews: tuple[ReviewItem, ...]  # newest first
    review_status: str
    review_label: str
    can_review: bool
    cannot_review_reason: str = ""
    thread: tuple[ThreadStep, ...] = ()  # requests, answers and validations, oldest first
    content_readable: bool = True  # False: "Relecture PMI", no decision offered


@dataclass(frozen=True)
class CompletionRequestItem:
    """A supervisor's request on one of the user's consultations, still without an answer."""

    kind: str
    consultation_id: str
    person_id: str  # the consultation's own person (to open it), even when merged
    person_name: str
    consultation_date: dt.date
    comment: str
    reviewer: str
    requested_at: dt.datetime


@dataclass(frozen=True)
class FilterChoices:
    """What the filter lists offer for a period: (value, label) pairs, sorted by label."""

    stops: tuple[tuple[str, str], ...]
    communes: tuple[tuple[str, str], ...]
    professionals: tuple[tuple[str, str], ...]


def models_of(kind: str) -> tuple[type[Any], type[Any]]:
    if kind not in KINDS:
        raise ReviewNotFoundError("Type de consultation inconnu.")
    return KINDS[kind]


EventOrder = tuple[int, int, dt.datetime]
_LONG_AGO = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def event_order(record: Any, pending: Container[str] = frozenset()) -> EventOrder:
    """Where a record stands in the order of events, as the server orders them.

    Records the server has come in server-version order (one order on every device, whatever
    the laptops' clocks say); a record written here and not yet accepted by the server
    (``pending``, or never sent) comes after all of them: it was written after what this
    device had received.
    """
    if record.server_version is None or record.id in pending:
        return (1, 0, record.updated_at)
    return (0, int(record.server_version), _LONG_AGO)


def pending_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Which of these records have a change here that the server has not accepted yet."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found |= set(
            session.exec(
                select(OutboxEntry.record_id).where(
                    col(OutboxEntry.record_id).in_(wanted[start : start + 500])
                )
            ).all()
        )
    return found


def current_review(
    reviews: Iterable[SupervisorReview], pending: Container[str] = frozenset()
) -> SupervisorReview | None:
    """The review that counts: the latest in the order of events, the same on every device."""
    live = [r for r in reviews if not r.deleted]
    return max(live, key=lambda r: (event_order(r, pending), r.id)) if live else None


def derive_status(
    review: SupervisorReview | None,
    addenda: Iterable[EventOrder],
    signed: bool = True,
    pending: Container[str] = frozenset(),
) -> str:
    """The status shown, from the current review and where the author's addenda stand in the
    order of events (not the clocks of two laptops)."""
    if review is None:
        return TO_REVIEW if signed else NOT_SIGNED
    if review.status == VALIDATED:
        return VALIDATED
    requested = event_order(review, pending)
    if any(order > requested for order in addenda):
        return COMPLETION_PROVIDED
    return COMPLETION_REQUESTED


def review_state(
    session: Session, kind: str, consultation: Any
) -> tuple[SupervisorReview | None, str]:
    """One consultation's current review and the status derived from it, as the queue shows it.

    The one rule for the forms' banner too: a completion request waits (COMPLETION_REQUESTED)
    until the consultation's author adds an addendum after the review, in the order of events;
    it is then answered (COMPLETION_PROVIDED), until the supervisor renews or validates it.
    """
    reviews = reviews_by_consultation(session, kind, [consultation.id]).get(consultation.id, [])
    pending = pending_ids(session, [r.id for r in reviews])
    review = current_review(reviews, pending)
    addenda = author_addenda(session, kind, [consultation]).get(consultation.id, [])
    return review, derive_status(review, addenda, consultation.status == "signed", pending)


# -- bulk reads ------------------------------------------------------------------------------


def reviews_by_consultation(
    session: Session, kind: str, ids: list[str]
) -> dict[str, list[SupervisorReview]]:
    grouped: dict[str, list[SupervisorReview]] = {}
    if ids:
        for review in session.exec(
            select(SupervisorReview)
            .where(col(SupervisorReview.consultation_id).in_(ids))
            .where(SupervisorReview.consultation_kind == kind)
            .where(col(SupervisorReview.deleted).is_(False))
        ).all():
            grouped.setdefault(review.consultation_id, []).append(review)
    return grouped


def author_addenda(
    session: Session, kind: str, consultations: list[Any]
) -> dict[str, list[EventOrder]]:
    """Where each consultation's own author's addenda stand in the order of events."""
    _, addendum_model = models_of(kind)
    authors = {c.id: c.author for c in consultations}
    times: dict[str, list[EventOrder]] = {}
    if authors:
        for addendum in session.exec(
            select(addendum_model)
            .where(col(addendum_model.consultation_id).in_(list(authors)))
            .where(col(addendum_model.deleted).is_(False))
        ).all():
            if addendum.author == authors[addendum.consultation_id]:
                times.setdefault(addendum.consultation_id, []).append(event_order(addendum))
    return times


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    accounts = session.exec(
        select(StaffAccount).where(col(StaffAccount.username).in_(sorted(usernames)))
    ).all()
    return {a.username: a.display_name for a in accounts if a.display_name}


def shown_people(session: Session, ids: set[str]) -> dict[str, Beneficiary]:
    """Each person as shown: the one a merged duplicate was merged into (``resolve_person``,
    so every screen follows merges, cycles included, the same way)."""
    resolved = resolve_people(session, ids)
    if not resolved:
        return {}
    targets = sorted(set(resolved.values()))
    people = {
        p.id: p
        for start in range(0, len(targets), 500)
        for p in session.exec(
            select(Beneficiary).where(col(Beneficiary.id).in_(targets[start : start + 500]))
        ).all()
    }
    return {pid: people[target] for pid, target in resolved.items() if target in people}


def stops_by_id(session: Session, ids: set[str]) -> dict[str, TourStop]:
    if not ids:
        return {}
    return {
        s.id: s for s in session.exec(select(TourStop).where(col(TourStop.id).in_(sorted(ids))))
    }


def place_label(stop: TourStop | None, ref: ReferenceData) -> str:
    if stop is None:
        return "Hors tournée"
    return f"{ref.label('communes', stop.commune_insee)} — {stop.place}"
