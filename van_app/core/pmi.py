"""PMI consultations: a child's follow-up or a pregnancy follow-up, by the PMI nurse.

The screen works on plain dataclasses (``PmiForm`` in, ``PmiScreenData`` out), never on live
ORM objects. A draft is validated whole before anything is written, in one transaction; a
signed consultation is append-only (corrections are addenda); only the author may change or
complete it, and only PMI staff may read it (medical secret).

A child registered twice and merged (``merge_people``) is one child: the form opens on the
kept record, with the history (measures, doses, milestones) of every record merged into it;
a consultation keeps pointing at the record it was written for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, Role, readable_classes
from van_app.core.growth import GrowthPoint, growth_history
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.measures import age_in_months
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import (
    Beneficiary,
    PmiAddendum,
    PmiConsultation,
    StaffAccount,
    TourStop,
    utcnow,
)
from van_app.core.people import display_name
from van_app.core.reference import ReferenceData
from van_app.core.review_records import COMPLETION_PROVIDED, COMPLETION_REQUESTED, review_state
from van_app.core.today import StopOfDay, stop_of_day, stop_view
from van_app.core.vaccination import doses_recorded
from van_app.core.validation import (
    NOTE_MAX_LENGTH,
    ValidationError,
    raise_if_errors,
    validate_pmi_consultation,
)
from van_app.core.validation.common import text_problem

CHILD_MAX_AGE_MONTHS = 72  # the PMI follows children under 6
PRENATAL_MIN_AGE_YEARS = 10


class PmiRefusedError(PermissionError):
    """The action is not allowed to this user on this consultation; the message is French."""


@dataclass(frozen=True)
class PmiPerson:
    id: str
    name: str
    birth_date: dt.date
    sex: str


@dataclass
class PmiForm:
    """What the nurse fills in. Measures in grams and millimetres, as stored."""

    beneficiary_id: str
    kind: str  # "child" or "prenatal"
    consultation_id: str | None = None
    duration_minutes: int | None = None
    weight_g: int | None = None
    length_mm: int | None = None
    head_circumference_mm: int | None = None
    feeding_mode: str | None = None
    vaccinations: list[str] = field(default_factory=list)
    development: list[str] = field(default_factory=list)
    advice_topics: list[str] = field(default_factory=list)
    orientation_partner: str | None = None
    orientation_date: dt.date | None = None
    next_appointment: dt.date | None = None
    gestational_age_weeks: int | None = None
    expected_term_date: dt.date | None = None
    maternal_weight_g: int | None = None
    blood_pressure_systolic: int | None = None
    blood_pressure_diastolic: int | None = None
    early_prenatal_interview_done: bool | None = None
    note: str = ""


_RECORD_FIELDS = tuple(
    f.name for f in fields(PmiForm) if f.name not in ("beneficiary_id", "kind", "consultation_id")
)


@dataclass(frozen=True)
class PmiAddendumData:
    id: str
    note: str
    author: str
    author_name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class CompletionRequest:
    """The supervisor's latest request to complete a consultation."""

    comment: str
    requested_at: dt.datetime
    answered: bool  # an addendum was added since


@dataclass(frozen=True)
class PmiConsultationData:
    id: str
    form: PmiForm
    consultation_date: dt.date
    status: str
    signed_at: dt.datetime | None
    author: str
    author_name: str
    stop_id: str | None
    addenda: tuple[PmiAddendumData, ...] = ()
    completion_request: CompletionRequest | None = None


@dataclass(frozen=True)
class PmiScreenData:
    """Everything the consultation screen shows, loaded in one background task."""

    person: PmiPerson
    kind: str
    day: dt.date  # the consultation's date (today for a new one)
    stop: StopOfDay | None  # None: "hors tournée"
    consultation: PmiConsultationData | None
    editable: bool
    can_add_addendum: bool
    read_only_reason: str
    growth: tuple[GrowthPoint, ...] = ()  # measures of other consultations
    doses_before: dict[str, dt.date] = field(default_factory=dict)
    development_before: dict[str, dt.date] = field(default_factory=dict)


# -- rules -----------------------------------------------------------------------------------


def is_pmi_nurse(user: CurrentUser) -> bool:
    return Role.PMI_NURSE.value in user.roles


def _require_reader(user: CurrentUser) -> None:
    if Conf.MEDICAL not in readable_classes(user.roles):
        raise PmiRefusedError(
            "Les consultations de PMI relèvent du secret médical : elles sont réservées au "
            "personnel de PMI."
        )


def _require_nurse(user: CurrentUser) -> None:
    if not is_pmi_nurse(user):
        raise PmiRefusedError(
            "Seul·e un·e infirmier·e puériculteur·rice de PMI peut enregistrer une "
            "consultation de PMI."
        )


def allowed_kinds(birth_date: dt.date, sex: str, on: dt.date) -> tuple[str, ...]:
    """ "child" under 6 years; "prenatal" for a woman (a girl from 10); else nothing."""
    if on < birth_date:
        return ()
    months = age_in_months(birth_date, on)
    if months < CHILD_MAX_AGE_MONTHS:
        return ("child",)
    if sex == "F" and months >= PRENATAL_MIN_AGE_YEARS * 12:
        return ("prenatal",)
    return ()


_KIND_REFUSED = "La PMI reçoit les enfants de moins de 6 ans et les femmes enceintes."


def _subject(person: PmiPerson) -> Beneficiary:
    """A transient identity to validate against (never added to a session)."""
    return Beneficiary(
        id=person.id,
        birth_name="-",
        first_names="-",
        birth_date=person.birth_date,
        sex=person.sex,
        author="",
        device="",
    )


def check_form(
    form: PmiForm, person: PmiPerson, ref: ReferenceData, today: dt.date, day: dt.date
) -> dict[str, str]:
    """The validation errors of ``form`` for a consultation on ``day`` (pure; for live checks)."""
    record = _apply(form, _new_record(form, day))
    errors = validate_pmi_consultation(record, _subject(person), ref, today)
    if form.kind not in allowed_kinds(person.birth_date, person.sex, day):
        errors.setdefault("kind", _KIND_REFUSED)
    return errors


def _new_record(form: PmiForm, day: dt.date) -> PmiConsultation:
    return PmiConsultation(
        beneficiary_id=form.beneficiary_id,
        consultation_date=day,
        kind=form.kind,
        author="",
        device="",
    )


def _apply(form: PmiForm, record: PmiConsultation) -> PmiConsultation:
    for name in _RECORD_FIELDS:
        value = getattr(form, name)
        setattr(record, name, list(value) if isinstance(value, list) else value)
    return record


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


# -- writing ---------------------------------------------------------------------------------


def _person(session: Session, person_id: str) -> Beneficiary:
    """The living record ``person_id`` stands for now (a merged duplicate's kept record)."""
    person = session.get(Beneficiary, resolve_person(session, person_id))
    if person is None or person.deleted:
        raise PmiRefusedError("Cette personne n'existe plus dans la base locale.")
    return person


def _editable_record(
    session: Session,
    user: CurrentUser,
    consultation_id: str,
    person_ids: Collection[str] | None = None,
) -> PmiConsultation:
    record = session.get(PmiConsultation, consultation_id)
    if record is None or record.deleted:
        raise PmiRefusedError("Cette consultation n'existe plus dans la base locale.")
    if person_ids is not None and record.beneficiary_id not in person_ids:
        raise PmiRefusedError("Cette consultation ne concerne pas cette personne.")
    if record.author != user.username:
        raise PmiRefusedError(
            f"Cette consultation a été rédigée par {_author_name(session, record.author)} : "
            "seul·e son auteur·rice peut la modifier ou la compléter."
        )
    return record


def _write(store: LocalStore, form: PmiForm, ref: ReferenceData, today: dt.date, sign: bool) -> str:
    user = store.user
    _require_nurse(user)
    with store.session() as session:
        person = _person(session, form.beneficiary_id)
        if form.consultation_id:
            group = merged_group(session, person.id)
            record = _editable_record(session, user, form.consultation_id, group)
            # A draft keeps the record it was written for, even one merged since.
            form = replace(form, beneficiary_id=record.beneficiary_id)
            if record.status != "draft":
                raise PmiRefusedError(
                    "Cette consultation est signée : elle ne peut plus être modifiée. "
                    "Ajoutez un complément (addendum)."
                )
            if form.kind != record.kind:
                raise ValidationError({"kind": "Le type de consultation ne peut pas changer."})
        else:
            form = replace(form, beneficiary_id=person.id)  # a new one is the kept record's
            stop = stop_of_day(session, user, today, ref)
            record = _new_record(form, today)
            record.stop_id = stop.stop_id if stop else None
            record.known_before = person.known_to_cms
        earlier = doses_recorded(
            session,
            user,
            person.id,
            until=record.consultation_date,
            exclude_consultation_id=record.id,
        )
        # Checked against the person as merged (the supervisor's chosen birth date).
        pmi_person = PmiPerson(record.beneficiary_id, "", person.birth_date, person.sex)
        errors = check_form(form, pmi_person, ref, today, record.consultation_date)
        again = [code for code in form.vaccinations if code in earlier]
        if again and "vaccinations" not in errors:
            errors["vaccinations"] = (
                f"« {ref.label('vaccines', again[0])} » est déjà enregistrée "
                f"(consultation du {earlier[again[0]]:%d/%m/%Y})."
            )
        raise_if_errors(errors)  # before any change to the record: nothing half-written
        _apply(form, record)
        if sign:
            record.status = "signed"
            record.signed_at = utcnow()
        raise_if_errors(
            validate_pmi_consultation(record, _subject(pmi_person), ref, today)
        )  # the stored record itself, status included
        session.add(store.stamp(record))
        return record.id


def save_pmi_draft(store: LocalStore, form: PmiForm, ref: ReferenceData, today: dt.date) -> str:
    """Create or update a draft; returns its id. Raises ValidationError or PmiRefusedError."""
    return _write(store, form, ref, today, sign=False)


def sign_pmi_consultation(
    store: LocalStore, form: PmiForm, ref: ReferenceData, today: dt.date
) -> str:
    """Write ``form`` and sign it in one transaction; afterwards only addenda are accepted."""
    return _write(store, form, ref, today, sign=True)


def add_pmi_addendum(store: LocalStore, consultation_id: str, note: str) -> str:
    """Add a correction or completion to a signed consultation of this user; returns its id."""
    user = store.user
    _require_nurse(user)
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": "Saisissez le complément à ajouter."})
    if problem := text_problem(text, multiline=True):
        raise ValidationError({"note": problem})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": "Le complément ne peut pas dépasser "
                f"{_thousands(NOTE_MAX_LENGTH)} caractères."
            }
        )
    with store.session() as session:
        record = _editable_record(session, user, consultation_id)
        if record.status != "signed":
            raise PmiRefusedError(
                "Un complément ne s'ajoute qu'à une consultation signée : modifiez "
                "directement le brouillon."
            )
        addendum = PmiAddendum(consultation_id=record.id, note=text, author="", device="")
        session.add(store.stamp(addendum))
        return addendum.id


# -- reading ---------------------------------------------------------------------------------


def _author_name(session: Session, username: str) -> str:
    account = session.exec(select(StaffAccount).where(StaffAccount.username == username)).first()
    return account.display_name if account and account.display_name else username


def _form_of(record: PmiConsultation) -> PmiForm:
    form = PmiForm(record.beneficiary_id, record.kind, consultation_id=record.id)
    for name in _RECORD_FIELDS:
        value = getattr(record, name)
        setattr(form, name, list(value) if isinstance(value, list) else value)
    return form


def _completion_request(session: Session, record: PmiConsultation) -> CompletionRequest | None:
    """The current review when it asks a completion, answered or not (the queue's own rule)."""
    review, status = review_state(session, "pmi", record)
    if review is None or status not in (COMPLETION_REQUESTED, COMPLETION_PROVIDED):
        return None
    return CompletionRequest(review.comment, review.updated_at, status == COMPLETION_PROVIDED)


def _consultation_data(session: Session, record: PmiConsultation) -> PmiConsultationData:
    addenda = tuple(
        PmiAddendumData(a.id, a.note, a.author, _author_name(session, a.author), a.created_at)
        for a in session.exec(
            select(PmiAddendum)
            .where(PmiAddendum.consultation_id == record.id)
            .where(col(PmiAddendum.deleted).is_(False))
            .order_by(col(PmiAddendum.created_at))
        ).all()
    )
    return PmiConsultationData(
        id=record.id,
        form=_form_of(record),
        consultation_date=record.consultation_date,
        status=record.status,
        signed_at=record.signed_at,
        author=record.author,
        author_name=_author_name(session, record.author),
        stop_id=record.stop_id,
        addenda=addenda,
        completion_request=_completion_request(session, record),
    )


def load_pmi_consultation(store: LocalStore, consultation_id: str) -> PmiConsultationData:
    """One consultation with its addenda and any completion request (PMI staff only)."""
    _require_reader(store.user)
    with store.session() as session:
        record = session.get(PmiConsultation, consultation_id)
        if record is None or record.deleted:
            raise PmiRefusedError("Cette consultation n'existe plus dans la base locale.")
        return _consultation_data(session, record)


def _stop_by_id(session: Session, stop_id: str | None, ref: ReferenceData) -> StopOfDay | None:
    return stop_view(session.get(TourStop, stop_id) if stop_id else None, ref)


def _development_recorded(
    session: Session, person_ids: tuple[str, ...], until: dt.date, exclude: str | None
) -> dict[str, dt.date]:
    """Milestone code → the day first recorded, in the consultations of all these records."""
    recorded: dict[str, dt.date] = {}
    for record in session.exec(
        select(PmiConsultation)
        .where(col(PmiConsultation.beneficiary_id).in_(person_ids))
        .where(PmiConsultation.consultation_date <= until)
        .where(col(PmiConsultation.deleted).is_(False))
        .order_by(col(PmiConsultation.consultation_date))
    ).all():
        if record.id != exclude:
            for code in record.development or []:
                recorded.setdefault(code, record.consultation_date)
    return recorded


def load_pmi_screen(
    store: LocalStore,
    person_id: str,
    consultation_id: str | None,
    ref: ReferenceData,
    today: dt.date,
) -> PmiScreenData:
    """The person, the consultation (None for a new one) and the child's history.

    ``person_id`` may be a merged duplicate: the kept person opens, with the history of every
    record merged into them, and any of their consultations.
    """
    user = store.user
    _require_reader(user)
    with store.session() as session:
        person = _person(session, person_id)
        group = merged_group(session, person.id)
        header = PmiPerson(person.id, display_name(person), person.birth_date, person.sex)
        consultation = None
        if consultation_id:
            record = session.get(PmiConsultation, consultation_id)
            if record is None or record.deleted or record.beneficiary_id not in group:
                raise PmiRefusedError("Cette consultation n'existe plus dans la base locale.")
            consultation = _consultation_data(session, record)
            day, kind = record.consultation_date, record.kind
            stop = _stop_by_id(session, record.stop_id, ref)
        else:
            kinds = allowed_kinds(person.birth_date, person.sex, today)
            if not kinds:
                raise PmiRefusedError(_KIND_REFUSED)
            day, kind = today, kinds[0]
            stop = stop_of_day(session, user, today, ref)
        own = consultation is None or consultation.author == user.username
        editable = (
            is_pmi_nurse(user) and own and (consultation is None or consultation.status == "draft")
        )
        signed = consultation is not None and consultation.status == "signed"
        reason = ""
        if not is_pmi_nurse(user):
            reason = "Lecture seule : seul·e un·e infirmier·e de PMI peut modifier."
        elif consultation is not None and not own:
            reason = f"Consultation rédigée par {consultation.author_name} : lecture seule."
        elif signed:
            reason = "Consultation signée : elle ne se modifie plus, elle se complète."
        growth: list[GrowthPoint] = []
        if kind == "child":
            growth = growth_history(
                session,
                user,
                person.id,
                person.birth_date,
                until=day,
                exclude_consultation_id=consultation_id,
            )
        doses = doses_recorded(
            session, user, person.id, until=day, exclude_consultation_id=consultation_id
        )
        development = _development_recorded(session, group, day, consultation_id)
    return PmiScreenData(
        person=header,
        kind=kind,
        day=day,
        stop=stop,
        consultation=consultation,
        editable=editable,
        can_add_addendum=is_pmi_nurse(user) and own and signed,
        read_only_reason=reason,
        growth=tuple(growth),
        doses_before=doses,
        development_before=development,
    )


def blank_form(data: PmiScreenData) -> PmiForm:
    """The form the screen starts from: the stored one, or an empty one of the right kind."""
    if data.consultation is not None:
        return replace(data.consultation.form)
    return PmiForm(beneficiary_id=data.person.id, kind=data.kind)
