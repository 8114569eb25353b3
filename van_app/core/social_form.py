"""What the social consultation form edits and shows, as plain values (no live ORM object).

The form hands a ``SocialForm`` to ``van_app.core.social``; loading returns a
``SocialConsultationData``. Ids of existing orientation and follow-up rows travel with them, so
a save updates those rows, adds the new ones and tombstones the removed ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class OrientationInput:
    partner_code: str | None
    orientation_date: dt.date | None
    id: str | None = None  # the existing row, None for a new one


@dataclass
class FollowUpInput:
    demand_type: str | None
    due_on: dt.date | None
    id: str | None = None


@dataclass
class SocialForm:
    """What the social worker typed; ``consultation_id`` is None for a new consultation."""

    beneficiary_id: str
    consultation_date: dt.date | None
    duration_minutes: int | None = None
    known_before: bool = False
    arrival_mode: str | None = None
    demand_types: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    outcome: str | None = None
    note: str = ""
    orientations: list[OrientationInput] = field(default_factory=list)
    follow_ups: list[FollowUpInput] = field(default_factory=list)
    consultation_id: str | None = None


@dataclass(frozen=True)
class PersonHeader:
    beneficiary_id: str
    name: str
    sex: str
    birth_date: dt.date
    age: str


@dataclass(frozen=True)
class AddendumView:
    id: str
    note: str
    author: str  # display name
    created_at: dt.datetime


@dataclass(frozen=True)
class ClosedFollowUpView:
    """A follow-up of this consultation already closed: shown, no longer editable here."""

    id: str
    demand_type: str
    due_on: dt.date
    closed_on: dt.date
    outcome: str | None


@dataclass(frozen=True)
class ReviewView:
    comment: str
    reviewer: str
    reviewed_at: dt.datetime


@dataclass
class SocialConsultationData:
    """A consultation as the form shows it: plain values, no live ORM object."""

    person: PersonHeader
    form: SocialForm
    status: str  # "new", "draft" or "signed"
    author: str  # display name of the author
    signed_at: dt.datetime | None = None
    stop_label: str | None = None  # commune of the stop, None when "hors tournée"
    editable: bool = True
    can_add_addendum: bool = False
    addenda: list[AddendumView] = field(default_factory=list)
    closed_follow_ups: list[ClosedFollowUpView] = field(default_factory=list)
    review: ReviewView | None = None
