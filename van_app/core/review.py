"""The CMS supervisor's review of synced consultations (the author's side: ``review_requests``).

Nothing is edited behind the author's back: the supervisor writes only ``SupervisorReview``
records, never the consultation; the author answers a request by an addendum. The status shown
is derived, never stored:

- "À relire": no review yet;
- "Validée": the current review validates;
- "Complément demandé": the current review asks for a completion and the author has added no
  addendum since it was written (its ``updated_at``);
- "Complément apporté": the author added an addendum after it; the supervisor can validate.

The current review of a consultation is the latest in the order of events (the server's order,
then the highest id, so every device picks the same). Reviews are history: each decision is a
new record, never a rewrite, so a request, the author's answer and the validation all stay
(``review_thread``). Only signed, synced consultations may be reviewed, never by their own
author, and only by a supervisor who reads them whole: a PMI visit by one who is also a PMI
nurse; the others see it as "Relecture PMI", with no decision to make. What is shown of a
consultation is cut to the reader's classes (``readable_values``): on a supervisor's device the
PMI medical content is absent, and the detail says so in French.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, Role
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.measures import format_date
from van_app.core.models import SocialOrientation, SupervisorReview, TourStop
from van_app.core.people import display_name
from van_app.core.person_file import (
    _PMI_FIELDS,
    _SOCIAL_FIELDS,
    Entry,
    _entries,
    readable_values,
)
from van_app.core.reference import ReferenceData
from van_app.core.review_records import (
    COMMENT_MAX_LENGTH,
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    CONSULTATION_STATUS_LABELS,
    KINDS,
    NOT_SIGNED,
    PMI_REVIEW,
    REVIEW_STATUS_LABELS,
    SERVICE_LABELS,
    TO_ACT,
    TO_REVIEW,
    VALIDATED,
    AddendumItem,
    CompletionRequestItem,
    ConsultationDetail,
    FilterChoices,
    ReviewAccessError,
    ReviewFilter,
    ReviewItem,
    ReviewNotFoundError,
    ReviewRow,
    ThreadStep,
    author_addenda,
    current_review,
    derive_status,
    display_names,
    event_order,
    models_of,
    pending_ids,
    place_label,
    reviews_by_consultation,
    shown_people,
    stops_by_id,
)
from van_app.core.review_requests import completion_requests_for
from van_app.core.review_thread import (
    PMI_REVIEW_REASON,
    AddendumMark,
    addendum_marks,
    build_thread,
    reads_whole,
    shown_status,
    unreadable_classes,
)
from van_app.core.validation import ValidationError
from van_app.core.validation.common import text_problem

__all__ = [
    "COMMENT_MAX_LENGTH",
    "COMPLETION_PROVIDED",
    "COMPLETION_REQUESTED",
    "NOT_SIGNED",
    "PMI_REVIEW",
    "REVIEW_STATUS_LABELS",
    "TO_ACT",
    "TO_REVIEW",
    "VALIDATED",
    "AddendumItem",
    "CompletionRequestItem",
    "ConsultationDetail",
    "FilterChoices",
    "ReviewAccessError",
    "ReviewFilter",
    "ReviewItem",
    "ReviewNotFoundError",
    "ReviewRow",
    "ThreadStep",
    "completion_requests_for",
    "consultation_detail",
    "current_review",
    "derive_status",
    "filter_choices",
    "is_supervisor",
    "request_completion",
    "require_supervisor",
    "review_queue",
    "validate",
]

_CLASS_NOTICES = {
    Conf.MEDICAL: (
        "Le contenu de cette consultation (mesures, alimentation, vaccinations, développement, "
        "suivi de grossesse, note) relève du secret médical : il est réservé au personnel de "
        "PMI et n'est pas transmis à votre poste."
    ),
    Conf.SOCIAL: (
        "Le contenu de cette consultation relève du secret social : il est réservé au service "
        "social et n'est pas transmis à votre poste."
    ),
}
_RESERVED_ADDENDUM = {
    Conf.MEDICAL: "Contenu réservé au personnel de PMI.",
    Conf.SOCIAL: "Contenu réservé au service social.",
}


# -- rules -----------------------------------------------------------------------------------


def is_supervisor(user: CurrentUser) -> bool:
    return Role.SUPERVISOR.value in user.roles


def require_supervisor(user: CurrentUser) -> None:
    """Reviewing is the CMS supervisor's."""
    if not is_supervisor(user):
        raise ReviewAccessError("Seul·e le ou la responsable du CMS peut relire les consultations.")


def _synced(session: Session, kind: str, filt: ReviewFilter) -> list[Any]:
    """Rows of what the queue shows of each consultation (plain rows: no ORM objects to build)."""
    model, _ = models_of(kind)
    query = (
        select(
            model.id,
            model.beneficiary_id,
            model.consultation_date,
            model.stop_id,
            model.author,
            model.status,
        )
        .where(col(model.server_version).is_not(None))
        .where(col(model.deleted).is_(False))
    )
    if filt.start is not None:
        query = query.where(model.consultation_date >= filt.start)
    if filt.end is not None:
        query = query.where(model.consultation_date <= filt.end)
    if filt.stop_id:
        query = query.where(model.stop_id == filt.stop_id)
    if filt.author:
        query = query.where(model.author == filt.author)
    return list(session.exec(query).all())


# -- the queue -------------------------------------------------------------------------------


def review_queue(
    session: Session, user: CurrentUser, filt: ReviewFilter, ref: ReferenceData
) -> list[ReviewRow]:
    """The synced consultations matching ``filt``, newest first."""
    require_supervisor(user)
    found = [
        (kind, c)
        for kind in KINDS
        if filt.service in (None, "", kind)
        for c in _synced(session, kind, filt)
    ]
    stops = stops_by_id(session, {c.stop_id for _, c in found if c.stop_id})
    if filt.commune_insee:
        found = [
            (kind, c)
            for kind, c in found
            if c.stop_id in stops and stops[c.stop_id].commune_insee == filt.commune_insee
        ]
    reviews: dict[tuple[str, str], list[SupervisorReview]] = {}
    addenda: dict[tuple[str, str], list[AddendumMark]] = {}
    for kind in KINDS:
        mine = [c for k, c in found if k == kind]
        for cid, rows in reviews_by_consultation(session, kind, [c.id for c in mine]).items():
            reviews[(kind, cid)] = rows
        for cid, marks in addendum_marks(session, kind, mine).items():
            addenda[(kind, cid)] = marks
    people = shown_people(session, {c.beneficiary_id for _, c in found})
    names = display_names(
        session,
        {c.author for _, c in found} | {r.author for rows in reviews.values() for r in rows},
    )
    pending = pending_ids(session, [r.id for rows in reviews.values() for r in rows])

    rows: list[ReviewRow] = []
    for kind, c in found:
        thread_reviews = reviews.get((kind, c.id), [])
        answers = addenda.get((kind, c.id), [])
        review = current_review(thread_reviews, pending)
        status = shown_status(
            derive_status(review, [a.order for a in answers], c.status == "signed", pending),
            kind,
            user.roles,
        )
        if filt.status == TO_ACT:
            if status not in (TO_REVIEW, COMPLETION_PROVIDED):
                continue
        elif filt.status and status != filt.status:
            continue
        person = people.get(c.beneficiary_id)
        stop = stops.get(c.stop_id) if c.stop_id else None
        rows.append(
            ReviewRow(
                kind=kind,
                consultation_id=c.id,
                person_id=c.beneficiary_id,
                person_name=display_name(person) if person else "",
                date=c.consultation_date,
                stop_id=c.stop_id,
                commune_insee=stop.commune_insee if stop else None,
                place=place_label(stop, ref),
                author=c.author,
                professional=names.get(c.author, c.author),
                service=SERVICE_LABELS[kind],
                consultation_status=c.status,
                consultation_status_label=CONSULTATION_STATUS_LABELS.get(c.status, c.status),
                review_status=status,
                review_label=REVIEW_STATUS_LABELS[status],
                comment=review.comment if review else "",
                reviewer=names.get(review.author, review.author) if review else "",
                reviewed_at=review.updated_at if review else None,
                thread=build_thread(thread_reviews, answers, names, pending, review),
            )
        )
    rows.sort(key=lambda r: (r.date, r.person_name), reverse=True)
    return rows


def filter_choices(
    session: Session,
    user: CurrentUser,
    ref: ReferenceData,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> FilterChoices:
    """The stops, communes and professionals that have synced consultations in the period."""
    require_supervisor(user)
    period = ReviewFilter(start=start, end=end)
    found = [c for kind in KINDS for c in _synced(session, kind, period)]
    stops = stops_by_id(session, {c.stop_id for c in found if c.stop_id})
    names = display_names(session, {c.author for c in found})
    stop_choices = sorted(
        ((s.id, f"{format_date(s.stop_date)} — {place_label(s, ref)}") for s in stops.values()),
        key=lambda pair: (stops[pair[0]].stop_date, pair[1]),
        reverse=True,
    )
    communes = {s.commune_insee: ref.label("communes", s.commune_insee) for s in stops.values()}
    professionals = {c.author: names.get(c.author, c.author) for c in found}
    return FilterChoices(
        stops=tuple(stop_choices),
        communes=tuple(sorted(communes.items(), key=lambda pair: pair[1].casefold())),
        professionals=tuple(sorted(professionals.items(), key=lambda pair: pair[1].casefold())),
    )


# -- one consultation ------------------------------------------------------------------------


def _consultation(session: Session, kind: str, consultation_id: str) -> Any:
    model, _ = models_of(kind)
    record = session.get(model, consultation_id)
    if record is None or record.deleted:
        raise ReviewNotFoundError("Cette consultation n'existe pas ou a été supprimée.")
    return record


def _refusal(user: CurrentUser, kind: str, record: Any) -> str:
    """Why this consultation cannot be reviewed by ``user`` now, "" when it can."""
    if not is_supervisor(user):
        return "Seul·e le ou la responsable du CMS peut relire les consultations."
    if record.server_version is None:
        return "Cette consultation n'a pas encore été synchronisée : elle se relit une fois reçue."
    if record.status != "signed":
        return (
            "Cette consultation est encore un brouillon : son auteur·rice peut la modifier. "
            "Elle se relit une fois signée."
        )
    if record.author == user.username:
        return "Vous êtes l'auteur·rice de cette consultation : elle est relue par un·e autre."
    if not reads_whole(kind, user.roles):
        return PMI_REVIEW_REASON
    return ""


def consultation_detail(
    session: Session, user: CurrentUser, kind: str, consultation_id: str, ref: ReferenceData
) -> ConsultationDetail:
    """One consultation as the supervisor's roles may read it, with addenda and reviews."""
    require_supervisor(user)
    model, addendum_model = models_of(kind)
    record = _consultation(session, kind, consultation_id)
    roles = user.roles
    values = readable_values(record, roles)
    spec = _SOCIAL_FIELDS if kind == "social" else _PMI_FIELDS
    entries = list(_entries(values, spec, ref))
    if kind == "social":
        for orientation in session.exec(
            select(SocialOrientation)
            .where(SocialOrientation.consultation_id == record.id)
            .where(col(SocialOrientation.deleted).is_(False))
            .order_by(SocialOrientation.created_at)
        ).all():
            seen = readable_values(orientation, roles)
            if "partner_code" in seen:
                label = ref.label("partners", seen["partner_code"])
                when = seen.get("orientation_date")
                entries.append(
                    Entry("Orientation", f"{label} ({format_date(when)})" if when else label)
                )
    hidden = unreadable_classes(model, roles)
    notice = " ".join(_CLASS_NOTICES[c] for c in hidden if c in _CLASS_NOTICES)

    addenda_rows = session.exec(
        select(addendum_model)
        .where(addendum_model.consultation_id == record.id)
        .where(col(addendum_model.deleted).is_(False))
        .order_by(addendum_model.created_at)
    ).all()
    reviews = reviews_by_consultation(session, kind, [record.id]).get(record.id, [])
    pending = pending_ids(session, [r.id for r in reviews])
    current = current_review(reviews, pending)
    names = display_names(
        session, {record.author} | {a.author for a in addenda_rows} | {r.author for r in reviews}
    )
    addenda = []
    for addendum in addenda_rows:
        seen = readable_values(addendum, roles)
        reserved = ""
        if "note" not in seen:
            hidden_note = unreadable_classes(addendum_model, roles)
            reserved = _RESERVED_ADDENDUM.get(hidden_note[0], "Contenu réservé.")
        addenda.append(
            AddendumItem(
                names.get(addendum.author, addendum.author),
                addendum.created_at,
                seen.get("note", ""),
                reserved,
            )
        )
    status = shown_status(
        derive_status(
            current,
            [event_order(a) for a in addenda_rows if a.author == record.author],
            record.status == "signed",
            pending,
        ),
        kind,
        roles,
    )
    history = sorted(reviews, key=lambda r: (event_order(r, pending), r.id), reverse=True)
    person = shown_people(session, {record.beneficiary_id}).get(record.beneficiary_id)
    stop = session.get(TourStop, record.stop_id) if record.stop_id else None
    refusal = _refusal(user, kind, record)
    readable = reads_whole(kind, roles)
    texts = {
        a.id: (item.text, item.reserved) for a, item in zip(addenda_rows, addenda, strict=True)
    }
    marks = [AddendumMark(a.id, event_order(a), a.author, a.created_at) for a in addenda_rows]
    return ConsultationDetail(
        kind=kind,
        consultation_id=record.id,
        person_id=record.beneficiary_id,
        person_name=display_name(person) if person else "",
        birth_date=person.birth_date if person else None,
        date=record.consultation_date,
        place=place_label(stop, ref),
        professional=names.get(record.author, record.author),
        service=SERVICE_LABELS[kind],
        consultation_status_label=CONSULTATION_STATUS_LABELS.get(record.status, record.status),
        signed_at=record.signed_at,
        entries=tuple(entries),
        reserved_notice=notice,
        addenda=tuple(addenda),
        reviews=tuple(
            ReviewItem(
                names.get(r.author, r.author),
                "Validée" if r.status == VALIDATED else "Complément demandé",
                r.comment,
                r.updated_at,
                r is current,
            )
            for r in history
        ),
        review_status=status,
        review_label=REVIEW_STATUS_LABELS[status],
        can_review=not refusal,
        cannot_review_reason=refusal,
        thread=build_thread(reviews, marks, names, pending, current, texts),
        content_readable=readable,
    )


# -- writing ---------------------------------------------------------------------------------


def _write_review(
    store: LocalStore, kind: str, consultation_id: str, status: str, comment: str
) -> str:
    """Write this decision as a new review record (history is never rewritten); its id.

    Nothing else is touched; a decision already in force (same status, same comment) writes
    nothing."""
    user = store.user
    require_supervisor(user)
    text = (comment or "").strip()
    errors: dict[str, str] = {}
    if status == COMPLETION_REQUESTED and not text:
        errors["comment"] = (
            "Écrivez ce qu'il faut compléter : l'auteur·rice lira ce commentaire sur son poste."
        )
    elif problem := text_problem(text, multiline=True):
        errors["comment"] = problem
    elif len(text) > COMMENT_MAX_LENGTH:
        limit = f"{COMMENT_MAX_LENGTH:,}".replace(",", "\u00a0")
        errors["comment"] = f"Ce commentaire ne peut pas dépasser {limit} caractères."
    with store.session() as session:
        record = _consultation(session, kind, consultation_id)
        refusal = _refusal(user, kind, record)
        if refusal:
            raise ReviewAccessError(refusal)
        if errors:
            raise ValidationError(errors)
        reviews = reviews_by_consultation(session, kind, [record.id]).get(record.id, [])
        pending = pending_ids(session, [r.id for r in reviews])
        current = current_review(reviews, pending)
        addenda = author_addenda(session, kind, [record]).get(record.id, [])
        shown = derive_status(current, addenda, True, pending)
        if current is not None and shown == status and current.comment == text:
            return current.id  # already so: no change to send
        review = SupervisorReview(
            consultation_id=record.id,
            consultation_kind=kind,
            status=status,
            comment=text,
            author="",
            device="",
        )
        session.add(store.stamp(review))
        return review.id


def validate(store: LocalStore, kind: str, consultation_id: str, comment: str = "") -> str:
    """Validate a signed, synced consultation (the comment is optional); the review's id."""
    return _write_review(store, kind, consultation_id, VALIDATED, comment)


def request_completion(store: LocalStore, kind: str, consultation_id: str, comment: str) -> str:
    """Ask the author for a completion; ``comment`` says what (required). The review's id."""
    return _write_review(store, kind, consultation_id, COMPLETION_REQUESTED, comment)
