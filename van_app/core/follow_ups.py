"""A social worker's open follow-ups, and their closing.

A follow-up is a demand followed until it is resolved. Its opening and closing dates feed the
"time to resolve a problem" indicator, so closing is validated like any other record: an outcome
from the reference list, a closing date neither before the opening nor in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import Beneficiary, FollowUp
from van_app.core.people import display_name
from van_app.core.reference import ReferenceData
from van_app.core.review_records import shown_people
from van_app.core.social import ConsultationNotFoundError, SocialAccessError, require_social_worker
from van_app.core.validation import ValidationError, validate_follow_up

# Closing only sets these: an old record whose demand type left the reference list since must
# still be closable, so errors on the other fields are not the closer's to fix.
_CLOSING_FIELDS = ("outcome", "closed_on", "note")


@dataclass(frozen=True)
class FollowUpRow:
    follow_up_id: str
    beneficiary_id: str
    person_name: str
    demand_type: str
    demand_label: str
    opened_on: dt.date
    due_on: dt.date
    days_overdue: int  # days past the due date; 0 until then
    days_until_due: int  # days left before the due date; 0 from then on


def open_follow_ups(
    session: Session, user: CurrentUser, today: dt.date, ref: ReferenceData
) -> list[FollowUpRow]:
    """This professional's open follow-ups, the most overdue first, then by due date.

    A follow-up keeps the record it was opened for; a record merged since is shown as the
    person it was merged into (name and id), whose file gathers both records' follow-ups.
    """
    require_social_worker(user)
    pairs = session.exec(
        select(FollowUp, Beneficiary)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .where(FollowUp.author == user.username)
        .where(col(FollowUp.closed_on).is_(None))
        .where(col(FollowUp.deleted).is_(False))
        .where(col(Beneficiary.deleted).is_(False))
    ).all()
    merged = shown_people(session, {p.id for _, p in pairs if p.merged_into_id})
    pairs = [(follow_up, merged.get(person.id, person)) for follow_up, person in pairs]
    rows = [
        FollowUpRow(
            follow_up_id=follow_up.id,
            beneficiary_id=person.id,
            person_name=display_name(person),
            demand_type=follow_up.demand_type,
            demand_label=ref.label("demand_types", follow_up.demand_type),
            opened_on=follow_up.opened_on,
            due_on=follow_up.due_on,
            days_overdue=max(0, (today - follow_up.due_on).days),
            days_until_due=max(0, (follow_up.due_on - today).days),
        )
        for follow_up, person in pairs
    ]
    rows.sort(key=lambda r: (r.due_on, r.opened_on, r.person_name, r.follow_up_id))
    return rows


def close_follow_up(
    store: LocalStore,
    follow_up_id: str,
    outcome: str | None,
    closed_on: dt.date | None,
    note: str,
    ref: ReferenceData,
    today: dt.date,
) -> None:
    """Close one of this professional's open follow-ups with its outcome, or refuse whole."""
    require_social_worker(store.user)
    with store.session() as session:
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None or follow_up.deleted:
            raise ConsultationNotFoundError("Ce suivi n'existe pas ou a été supprimé.")
        if follow_up.author != store.user.username:
            raise SocialAccessError(
                "Ce suivi a été ouvert par un·e autre professionnel·le : "
                "seul·e son auteur·rice peut le clôturer."
            )
        if follow_up.closed_on is not None:
            raise SocialAccessError("Ce suivi est déjà clôturé.")
        candidate = FollowUp.model_validate(follow_up.model_dump())
        candidate.outcome = outcome or None
        candidate.closed_on = closed_on
        candidate.note = (note or "").strip()
        errors = {
            key: message
            for key, message in validate_follow_up(candidate, ref, today).items()
            if key in _CLOSING_FIELDS
        }
        if closed_on is None:
            errors.setdefault("closed_on", "Indiquez la date de clôture du suivi.")
        if not outcome:
            errors.setdefault("outcome", "Indiquez l'issue du suivi.")
        if errors:
            raise ValidationError(errors)
        follow_up.outcome = candidate.outcome
        follow_up.closed_on = candidate.closed_on
        follow_up.note = candidate.note
        session.add(store.stamp(follow_up))
