"""The author's side of a review: the completion requests still waiting for an answer.

Split from ``review`` (the supervisor's side) to keep both short; the same rules decide
(``review_state`` / ``derive_status``), so Today, the forms' banner and the queue agree.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from van_app.core.local_store import CurrentUser
from van_app.core.models import SupervisorReview
from van_app.core.people import display_name
from van_app.core.review_records import (
    COMPLETION_REQUESTED,
    KINDS,
    CompletionRequestItem,
    author_addenda,
    current_review,
    derive_status,
    display_names,
    pending_ids,
    shown_people,
)


def completion_requests_for(session: Session, user: CurrentUser) -> list[CompletionRequestItem]:
    """Requests on this user's consultations still waiting for an addendum, oldest first."""
    items: list[CompletionRequestItem] = []
    for kind, (model, _) in KINDS.items():
        pairs = session.exec(
            select(SupervisorReview, model)
            .join(model, col(model.id) == SupervisorReview.consultation_id)
            .where(SupervisorReview.consultation_kind == kind)
            .where(col(SupervisorReview.deleted).is_(False))
            .where(model.author == user.username)
            .where(col(model.deleted).is_(False))
        ).all()
        grouped: dict[str, list[SupervisorReview]] = {}
        consultations: dict[str, Any] = {}
        for review, consultation in pairs:
            grouped.setdefault(consultation.id, []).append(review)
            consultations[consultation.id] = consultation
        addenda = author_addenda(session, kind, list(consultations.values()))
        pending = pending_ids(session, [r.id for rows in grouped.values() for r in rows])
        waiting = []
        for cid, reviews in grouped.items():
            review = current_review(reviews, pending)
            if derive_status(review, addenda.get(cid, []), True, pending) == COMPLETION_REQUESTED:
                waiting.append((consultations[cid], review))
        people = shown_people(session, {c.beneficiary_id for c, _ in waiting})
        names = display_names(session, {r.author for _, r in waiting})
        for consultation, review in waiting:
            person = people.get(consultation.beneficiary_id)
            items.append(
                CompletionRequestItem(
                    kind=kind,
                    consultation_id=consultation.id,
                    person_id=consultation.beneficiary_id,
                    person_name=display_name(person) if person else "",
                    consultation_date=consultation.consultation_date,
                    comment=review.comment,
                    reviewer=names.get(review.author, review.author),
                    requested_at=review.updated_at,
                )
            )
    items.sort(key=lambda item: (item.requested_at, item.consultation_id))
    return items
