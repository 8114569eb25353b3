"""What a right-of-access export adds to the person's file: every answer, and what was removed.

The person's file shows what is current; a right of access covers everything still recorded.
So, for each consultation, the answers the file does not show (the "known to the CMS before
this visit" answer given at that consultation, and any field the file has no label for), and
the removed records still held as tombstones (an orientation taken off a draft, a deleted
draft consultation or follow-up), each marked as removed with the date. Cut to the exporter's
classes like the rest (``readable_values``). No Qt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.french import moment_text
from van_app.core.measures import format_date
from van_app.core.models import FollowUp, PmiConsultation, SocialConsultation, SocialOrientation
from van_app.core.person_file import (
    _FOLLOW_UP_FIELDS,
    _PMI_FIELDS,
    _SOCIAL_FIELDS,
    Entry,
    _entries,
    readable_values,
)
from van_app.core.reference import ReferenceData

KNOWN_BEFORE_LABEL = "Connu·e du CMS avant cette visite"  # the answer given at this visit
# Fields shown elsewhere in the export (title, place, status, who and when) or bookkeeping.
SHOWN_ELSEWHERE = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "author",
        "device",
        "deleted",
        "server_version",
        "beneficiary_id",
        "stop_id",
        "consultation_date",
        "status",
        "signed_at",
        "kind",
        "known_before",
    }
)
SPECS = {"social": _SOCIAL_FIELDS, "pmi": _PMI_FIELDS}
MODELS = {"social": SocialConsultation, "pmi": PmiConsultation}


def _yes_no(value: Any) -> str:
    return "Oui" if value else "Non"


def answer_entries(record: Any, service: str, roles: tuple[str, ...]) -> tuple[Entry, ...]:
    """The answers of one consultation that the person's file does not show, as read by
    ``roles``: its "known before" answer, then any field without a label of its own."""
    values = readable_values(record, roles)
    entries = []
    if "known_before" in values:
        entries.append(Entry(KNOWN_BEFORE_LABEL, _yes_no(values["known_before"])))
    labelled = {name for name, _, _ in SPECS[service]}
    for name, value in values.items():
        if name in labelled or name in SHOWN_ELSEWHERE or value in (None, "", [], ()):
            continue
        entries.append(
            Entry(name, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
        )
    return tuple(entries)


def removed_mark(record: Any, word: str = "supprimé") -> str:
    """ "supprimée le 12/11/2026 à 14 h 05": the tombstone's time (its last change)."""
    return f"{word} le {moment_text(record.updated_at)}"


def removed_orientations(
    session: Session, consultation_ids: list[str], roles: tuple[str, ...], ref: ReferenceData
) -> dict[str, list[Entry]]:
    """Orientations taken off a consultation, by consultation: marked as removed."""
    found: dict[str, list[Entry]] = {}
    if not consultation_ids:
        return found
    rows = session.exec(
        select(SocialOrientation)
        .where(col(SocialOrientation.consultation_id).in_(consultation_ids))
        .where(col(SocialOrientation.deleted).is_(True))
        .order_by(SocialOrientation.created_at)
    ).all()
    for row in rows:
        seen = readable_values(row, roles)
        if "partner_code" not in seen:
            continue
        label = ref.label("partners", seen["partner_code"])
        when = seen.get("orientation_date")
        value = f"{label} ({format_date(when)})" if when else label
        found.setdefault(row.consultation_id, []).append(
            Entry("Orientation retirée", f"{value} — {removed_mark(row, 'retirée')}")
        )
    return found


def removed_consultations(
    session: Session, person_ids: tuple[str, ...], roles: tuple[str, ...], ref: ReferenceData
) -> list[tuple[str, dt.date, tuple[Entry, ...], Any]]:
    """Deleted consultations of the person: (title, date, entries, record), oldest first."""
    found = []
    for service, model in MODELS.items():
        rows = session.exec(
            select(model)
            .where(col(model.beneficiary_id).in_(person_ids))
            .where(col(model.deleted).is_(True))
        ).all()
        for row in rows:
            values = readable_values(row, roles)
            title = "Consultation sociale" if service == "social" else "Consultation PMI"
            entries = (
                Entry("État", removed_mark(row, "supprimée")),
                *_entries(values, SPECS[service], ref),
                *answer_entries(row, service, roles),
            )
            found.append((title, row.consultation_date, entries, row))
    found.sort(key=lambda item: (item[1], item[3].created_at))
    return found


def removed_follow_ups(
    session: Session, person_ids: tuple[str, ...], roles: tuple[str, ...], ref: ReferenceData
) -> list[tuple[tuple[Entry, ...], Any]]:
    """Deleted follow-ups of the person whose content these roles read, oldest first."""
    rows = session.exec(
        select(FollowUp)
        .where(col(FollowUp.beneficiary_id).in_(person_ids))
        .where(col(FollowUp.deleted).is_(True))
        .order_by(FollowUp.created_at)
    ).all()
    found = []
    for row in rows:
        values = readable_values(row, roles)
        details = _entries(values, _FOLLOW_UP_FIELDS, ref)
        if details:
            found.append(((Entry("État", removed_mark(row)), *details), row))
    return found
