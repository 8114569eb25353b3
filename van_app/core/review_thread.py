"""The thread of a consultation's review: every request, answer and validation, kept.

A supervisor's decision is never rewritten: each one (a completion request, a validation) is a
new ``SupervisorReview`` record, and the author answers by addenda, so the thread is both in the
order of events (the server's order, the same on every device whatever the laptops' clocks).
The queue shows its latest state and the thread in short; the dialog the whole of it.

Also here: who may review what. A supervisor reviews only what her roles read whole; a PMI
visit, whose content is medical, goes to a supervisor who is also a PMI nurse and is shown to
the others as "Relecture PMI", without the means to decide on it (the server refuses it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, fields_by_class, readable_classes
from van_app.core.models import SupervisorReview
from van_app.core.review_records import (
    ANSWER,
    COMPLETION_PROVIDED,
    PMI_REVIEW,
    REQUEST,
    STEP_LABELS,
    TO_REVIEW,
    VALIDATED,
    VALIDATION,
    EventOrder,
    ThreadStep,
    event_order,
    models_of,
)

PMI_REVIEW_REASON = (
    "Relecture PMI : le contenu de cette consultation relève du secret médical, que votre rôle "
    "ne permet pas de lire. Elle est relue par un·e responsable qui a aussi le rôle "
    "d'infirmier·ère de PMI ; vous en voyez l'état."
)


@dataclass(frozen=True)
class AddendumMark:
    """What the thread needs of an addendum: where it stands, who wrote it and when."""

    record_id: str
    order: EventOrder
    author: str
    at: dt.datetime


def reads_whole(kind: str, roles: Iterable[str]) -> bool:
    """Whether these roles read every class of a consultation of this kind (PMI: medical)."""
    model, _ = models_of(kind)
    allowed = readable_classes(tuple(roles))
    return all(cls in allowed for cls in fields_by_class(model).values())


def unreadable_classes(model: type[Any], roles: tuple[str, ...]) -> list[Conf]:
    allowed = readable_classes(roles)
    return sorted({c for c in fields_by_class(model).values() if c not in allowed})


def shown_status(status: str, kind: str, roles: Iterable[str]) -> str:
    """What waits for a supervisor who may not read the visit is "Relecture PMI", not hers."""
    if status in (TO_REVIEW, COMPLETION_PROVIDED) and not reads_whole(kind, roles):
        return PMI_REVIEW
    return status


def addendum_marks(
    session: Session, kind: str, consultations: list[Any]
) -> dict[str, list[AddendumMark]]:
    """The consultation's own author's addenda, by consultation (no content: class S only)."""
    _, addendum_model = models_of(kind)
    authors = {c.id: c.author for c in consultations}
    marks: dict[str, list[AddendumMark]] = {}
    ids = list(authors)
    for start in range(0, len(ids), 500):
        for row in session.exec(
            select(
                addendum_model.id,
                addendum_model.consultation_id,
                addendum_model.author,
                addendum_model.created_at,
                addendum_model.updated_at,
                addendum_model.server_version,
            )
            .where(col(addendum_model.consultation_id).in_(ids[start : start + 500]))
            .where(col(addendum_model.deleted).is_(False))
        ).all():
            if row.author == authors[row.consultation_id]:
                marks.setdefault(row.consultation_id, []).append(
                    AddendumMark(row.id, event_order(row), row.author, row.created_at)
                )
    return marks


def build_thread(
    reviews: Iterable[SupervisorReview],
    addenda: Iterable[AddendumMark],
    names: Mapping[str, str],
    pending: Container[str],
    current: SupervisorReview | None,
    texts: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[ThreadStep, ...]:
    """Reviews and the author's answers in the order of events, oldest first.

    ``texts`` gives each addendum's (text, reserved) by id when the thread is shown whole.
    """
    events: list[tuple[EventOrder, str, ThreadStep]] = []
    for review in reviews:
        if review.deleted:
            continue
        step = VALIDATION if review.status == VALIDATED else REQUEST
        events.append(
            (
                event_order(review, pending),
                review.id,
                ThreadStep(
                    step,
                    STEP_LABELS[step],
                    names.get(review.author, review.author),
                    review.updated_at,  # a decision's own time (older records were rewritten)
                    review.comment,
                    current=review is current,
                ),
            )
        )
    for mark in addenda:
        text, reserved = (texts or {}).get(mark.record_id, ("", ""))
        events.append(
            (
                mark.order,
                mark.record_id,
                ThreadStep(
                    ANSWER,
                    STEP_LABELS[ANSWER],
                    names.get(mark.author, mark.author),
                    mark.at,
                    text,
                    reserved,
                ),
            )
        )
    events.sort(key=lambda event: (event[0], event[1]))
    return tuple(step for _, _, step in events)
