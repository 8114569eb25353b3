"""The social worker's consultation: load it for the form, save a draft, sign, add addenda.

The form hands over plain values (``SocialForm``); everything is validated as a whole with
``validate_social_consultation`` before anything is written, then written in one transaction.
Removed orientations and follow-ups are tombstoned, never deleted (sync must see them go).
Once signed a consultation is append-only: only addenda, by its author (DESIGN.md, "Sync").
A person merged into another (``merge_people``) opens as the kept person; a consultation keeps
the record it was written for and still opens, from either record, for its author.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Role
from van_app.core.db import add_in_dependency_order
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.measures import age_text
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    StaffAccount,
    TourStop,
    utcnow,
)
from van_app.core.people import display_name
from van_app.core.reference import ReferenceData
from van_app.core.review_records import COMPLETION_REQUESTED, review_state
from van_app.core.social_form import (
    AddendumView,
    ClosedFollowUpView,
    FollowUpInput,
    OrientationInput,
    PersonHeader,
    ReviewView,
    SocialConsultationData,
    SocialForm,
)
from van_app.core.today import stop_of_day
from van_app.core.validation import (
    NOTE_MAX_LENGTH,
    ValidationError,
    raise_if_errors,
    validate_social_consultation,
)
from van_app.core.validation.common import text_problem

__all__ = [
    "AddendumView",
    "ClosedFollowUpView",
    "ConsultationNotFoundError",
    "FollowUpInput",
    "OrientationInput",
    "PersonHeader",
    "ReviewView",
    "SocialAccessError",
    "SocialConsultationData",
    "SocialForm",
    "add_social_addendum",
    "default_follow_up_due",
    "load_social_consultation",
    "require_social_worker",
    "save_social_draft",
    "sign_social_consultation",
]

DEFAULT_FOLLOW_UP_DAYS = 14
# What a draft save may change on stored rows (the rest is identity and bookkeeping).
_CONSULTATION_FIELDS = (
    "stop_id consultation_date duration_minutes known_before status signed_at arrival_mode "
    "demand_types actions outcome note"
).split()
_ORIENTATION_FIELDS = ("partner_code", "orientation_date")
_FOLLOW_UP_FIELDS = ("demand_type", "opened_on", "due_on")


class SocialAccessError(PermissionError):
    """Refused because of who asks or the consultation's state; ``str()`` is French."""


class ConsultationNotFoundError(LookupError):
    """The consultation or the person does not exist (or was deleted) on this device."""


# -- permissions ---------------------------------------------------------------------------


def require_social_worker(user: CurrentUser) -> None:
    """Social consultations and follow-ups are the social worker's (class C, authored)."""
    if Role.SOCIAL_WORKER.value not in user.roles:
        raise SocialAccessError(
            "Seul·e un·e assistant·e socio-éducatif·ve peut saisir une consultation sociale "
            "ou un suivi."
        )


def _can_read(user: CurrentUser) -> bool:
    return bool({Role.SOCIAL_WORKER.value, Role.SUPERVISOR.value} & set(user.roles))


def _own_consultation(session: Session, user: CurrentUser, consultation_id: str):
    consultation = session.get(SocialConsultation, consultation_id)
    if consultation is None or consultation.deleted:
        raise ConsultationNotFoundError("Cette consultation n'existe pas ou a été supprimée.")
    if consultation.author != user.username:
        raise SocialAccessError(
            "Cette consultation a été saisie par un·e autre professionnel·le : "
            "seul·e son auteur·rice peut la modifier ou la compléter."
        )
    return consultation


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    accounts = session.exec(
        select(StaffAccount).where(col(StaffAccount.username).in_(sorted(usernames)))
    ).all()
    return {a.username: a.display_name for a in accounts}


# -- loading ---------------------------------------------------------------------------------


def _person(session: Session, person_id: str) -> Beneficiary:
    """The living record ``person_id`` stands for now (a merged duplicate's kept record)."""
    person = session.get(Beneficiary, resolve_person(session, person_id))
    if person is None or person.deleted:
        raise ConsultationNotFoundError("Cette personne n'existe pas ou a été supprimée.")
    return person


def _header(person: Beneficiary, today: dt.date) -> PersonHeader:
    try:
        age = age_text(person.birth_date, today)
    except ValueError:  # born after ``today``: a typing error elsewhere, not ours to refuse
        age = ""
    return PersonHeader(person.id, display_name(person), person.sex, person.birth_date, age)


def _stop_commune(session: Session, stop_id: str | None, ref: ReferenceData) -> str | None:
    stop = session.get(TourStop, stop_id) if stop_id else None
    return ref.label("communes", stop.commune_insee) if stop else None


def _active(model, consultation_id: str):  # type: ignore[no-untyped-def]
    return (
        select(model)
        .where(model.consultation_id == consultation_id)
        .where(col(model.deleted).is_(False))
        .order_by(model.created_at, model.id)
    )


def load_social_consultation(
    session: Session,
    user: CurrentUser,
    person_id: str,
    consultation_id: str | None,
    ref: ReferenceData,
    today: dt.date,
) -> SocialConsultationData:
    """The consultation with its orientations, follow-ups, addenda and review, for the form.

    Without ``consultation_id`` it is a new one for ``person_id``, dated ``today``. A merged
    ``person_id`` opens as the kept person, with any consultation of the records merged into it.
    """
    if not _can_read(user):
        raise SocialAccessError("Les consultations sociales sont réservées au service social.")
    beneficiary = _person(session, person_id)
    person = _header(beneficiary, today)
    if not consultation_id:
        require_social_worker(user)
        stop = stop_of_day(session, user, today, ref)
        return SocialConsultationData(
            person=person,
            form=SocialForm(
                beneficiary_id=beneficiary.id,
                consultation_date=today,
                known_before=beneficiary.known_to_cms,
            ),
            status="new",
            author=user.display_name,
            stop_label=stop.commune if stop else None,
        )
    consultation = session.get(SocialConsultation, consultation_id)
    if (
        consultation is None
        or consultation.deleted
        or consultation.beneficiary_id not in merged_group(session, beneficiary.id)
    ):
        raise ConsultationNotFoundError("Cette consultation n'existe pas ou a été supprimée.")
    orientations = session.exec(_active(SocialOrientation, consultation.id)).all()
    follow_ups = session.exec(_active(FollowUp, consultation.id)).all()
    addenda = session.exec(_active(SocialAddendum, consultation.id)).all()
    review, review_status = review_state(session, "social", consultation)
    if review_status != COMPLETION_REQUESTED:
        review = None  # only a request still unanswered is news (the queue's and PMI's rule)
    names = _display_names(
        session,
        {consultation.author, *(a.author for a in addenda), *([review.author] if review else [])},
    )
    mine = consultation.author == user.username and Role.SOCIAL_WORKER.value in user.roles
    form = SocialForm(
        beneficiary_id=consultation.beneficiary_id,
        consultation_date=consultation.consultation_date,
        duration_minutes=consultation.duration_minutes,
        known_before=consultation.known_before,
        arrival_mode=consultation.arrival_mode,
        demand_types=list(consultation.demand_types or []),
        actions=list(consultation.actions or []),
        outcome=consultation.outcome,
        note=consultation.note or "",
        orientations=[
            OrientationInput(o.partner_code, o.orientation_date, o.id) for o in orientations
        ],
        follow_ups=[
            FollowUpInput(f.demand_type, f.due_on, f.id) for f in follow_ups if f.closed_on is None
        ],
        consultation_id=consultation.id,
    )
    return SocialConsultationData(
        person=person,
        form=form,
        status=consultation.status,
        author=names.get(consultation.author, consultation.author),
        signed_at=consultation.signed_at,
        stop_label=_stop_commune(session, consultation.stop_id, ref),
        editable=mine and consultation.status == "draft",
        can_add_addendum=mine and consultation.status == "signed",
        addenda=[
            AddendumView(a.id, a.note, names.get(a.author, a.author), a.created_at) for a in addenda
        ],
        closed_follow_ups=[
            ClosedFollowUpView(f.id, f.demand_type, f.due_on, f.closed_on, f.outcome)
            for f in follow_ups
            if f.closed_on is not None
        ],
        review=ReviewView(
            review.comment, names.get(review.author, review.author), review.updated_at
        )
        if review
        else None,
    )


# -- writing ---------------------------------------------------------------------------------


def _write(
    session: Session,
    store: LocalStore,
    form: SocialForm,
    ref: ReferenceData,
    today: dt.date,
    *,
    sign: bool,
) -> str:
    """Validate the whole form against the stored rows, then write it; return the id."""
    user = store.user
    require_social_worker(user)
    existing: SocialConsultation | None = None
    old_orientations: dict[str, SocialOrientation] = {}
    old_follow_ups: dict[str, FollowUp] = {}
    if form.consultation_id:
        existing = _own_consultation(session, user, form.consultation_id)
        if existing.status == "signed":
            raise SocialAccessError(
                "Cette consultation est signée : elle ne peut plus être modifiée. "
                "Ajoutez un complément (addendum) si nécessaire."
            )
        person = _person(session, form.beneficiary_id)
        if resolve_person(session, existing.beneficiary_id) != person.id:
            raise SocialAccessError("Cette consultation concerne une autre personne.")
        # A draft keeps the record it was written for, even one merged since.
        form = replace(form, beneficiary_id=existing.beneficiary_id)
        old_orientations = {o.id: o for o in session.exec(_active(SocialOrientation, existing.id))}
        old_follow_ups = {f.id: f for f in session.exec(_active(FollowUp, existing.id))}
    else:  # a new one is the kept record's
        form = replace(form, beneficiary_id=_person(session, form.beneficiary_id).id)

    stop = (
        stop_of_day(session, user, form.consultation_date, ref)
        if isinstance(form.consultation_date, dt.date)
        else None
    )
    # Transient candidates, validated before any stored row is touched.
    candidate = SocialConsultation(
        beneficiary_id=form.beneficiary_id,
        stop_id=stop.stop_id if stop else None,
        consultation_date=form.consultation_date,  # type: ignore[arg-type]
        duration_minutes=form.duration_minutes,
        known_before=bool(form.known_before),
        status="signed" if sign else "draft",
        signed_at=utcnow() if sign else None,
        arrival_mode=form.arrival_mode or None,
        demand_types=list(form.demand_types),
        actions=list(form.actions),
        outcome=form.outcome or None,
        note=form.note or "",
        author="",
        device="",
    )
    if existing is not None:
        candidate.id = existing.id
    orientations = [
        SocialOrientation(
            consultation_id=candidate.id,
            partner_code=o.partner_code,  # type: ignore[arg-type]
            orientation_date=o.orientation_date,  # type: ignore[arg-type]
            author="",
            device="",
            **({"id": o.id} if o.id in old_orientations else {}),
        )
        for o in form.orientations
    ]
    kept_closed = [f for f in old_follow_ups.values() if f.closed_on is not None]
    follow_ups = [
        FollowUp(
            beneficiary_id=form.beneficiary_id,
            consultation_id=candidate.id,
            demand_type=f.demand_type,  # type: ignore[arg-type]
            opened_on=form.consultation_date,  # type: ignore[arg-type]
            due_on=f.due_on,  # type: ignore[arg-type]
            author="",
            device="",
            **({"id": f.id} if f.id in old_follow_ups else {}),
        )
        for f in form.follow_ups
        if not (f.id in old_follow_ups and old_follow_ups[f.id].closed_on is not None)
    ]
    raise_if_errors(
        validate_social_consultation(
            candidate, orientations, [*follow_ups, *kept_closed], ref, today
        )
    )

    new_records: list = []
    if existing is None:
        new_records.append(store.stamp(candidate))
        consultation_id = candidate.id
    else:
        for name in _CONSULTATION_FIELDS:
            setattr(existing, name, getattr(candidate, name))
        session.add(store.stamp(existing))
        consultation_id = existing.id
    open_follow_ups = {k: v for k, v in old_follow_ups.items() if v.closed_on is None}
    _merge(session, store, old_orientations, orientations, new_records, _ORIENTATION_FIELDS)
    _merge(session, store, open_follow_ups, follow_ups, new_records, _FOLLOW_UP_FIELDS)
    add_in_dependency_order(session, new_records)
    return consultation_id


def _merge(session, store, old, wanted, new_records, fields) -> None:  # type: ignore[no-untyped-def]
    """Update kept rows, queue new ones, tombstone the ones the form removed."""
    wanted_ids = {w.id for w in wanted}
    for record in wanted:
        stored = old.get(record.id)
        if stored is None:
            new_records.append(store.stamp(record))
            continue
        changed = False
        for name in fields:
            if getattr(stored, name) != getattr(record, name):
                setattr(stored, name, getattr(record, name))
                changed = True
        if changed:
            session.add(store.stamp(stored))
    for record_id, stored in old.items():
        if record_id not in wanted_ids:
            stored.deleted = True
            session.add(store.stamp(stored))


def save_social_draft(
    store: LocalStore, form: SocialForm, ref: ReferenceData, today: dt.date
) -> str:
    """Create or update a draft with its orientations and follow-ups; return its id."""
    with store.session() as session:
        return _write(session, store, form, ref, today, sign=False)


def sign_social_consultation(
    store: LocalStore,
    consultation_id: str | None,
    ref: ReferenceData,
    today: dt.date,
    form: SocialForm | None = None,
) -> str:
    """Sign a draft (after applying ``form`` if given), in one transaction; return its id.

    Signing requires the arrival mode and the outcome; afterwards only addenda are accepted.
    """
    with store.session() as session:
        if form is None:
            require_social_worker(store.user)
            if not consultation_id:
                raise ConsultationNotFoundError("Aucune consultation à signer.")
            stored = _own_consultation(session, store.user, consultation_id)
            loaded = load_social_consultation(
                session, store.user, stored.beneficiary_id, stored.id, ref, today
            )
            if loaded.status == "signed":
                raise SocialAccessError("Cette consultation est déjà signée.")
            form = loaded.form
        elif consultation_id and form.consultation_id != consultation_id:
            raise ValueError("the form is not this consultation's")
        return _write(session, store, form, ref, today, sign=True)


def add_social_addendum(store: LocalStore, consultation_id: str, note: str) -> str:
    """Complete or correct a signed consultation; return the addendum's id."""
    require_social_worker(store.user)
    errors: dict[str, str] = {}
    if not (note or "").strip():
        errors["note"] = "Écrivez le texte du complément."
    elif problem := text_problem(note, multiline=True):
        errors["note"] = problem
    elif len(note.strip()) > NOTE_MAX_LENGTH:
        limit = f"{NOTE_MAX_LENGTH:,}".replace(",", "\u00a0")
        errors["note"] = f"Ce texte ne peut pas dépasser {limit} caractères."
    with store.session() as session:
        consultation = _own_consultation(session, store.user, consultation_id)
        if consultation.status != "signed":
            raise SocialAccessError(
                "Un complément ne s'ajoute qu'à une consultation signée : "
                "modifiez directement le brouillon."
            )
        if errors:
            raise ValidationError(errors)
        addendum = store.stamp(
            SocialAddendum(consultation_id=consultation.id, note=note.strip(), author="", device="")
        )
        session.add(addendum)
        return addendum.id


def default_follow_up_due(consultation_date: dt.date) -> dt.date:
    """The due date proposed for a new follow-up: two weeks, the pilot's target."""
    return consultation_date + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS)
