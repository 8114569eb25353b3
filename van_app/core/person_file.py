"""A person's file: identity, household, past visits and follow-ups, as this user may read them.

Every record is first cut down to the fields the user's roles may read
(``confidentiality.readable_fields``); everything shown is built from that cut only. So a
social worker sees a PMI visit as a date, "Consultation PMI" and a place, never a weight, a
note or whether it was a pregnancy follow-up, and a field added tomorrow as M is hidden
without anyone touching this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, Role, fields_by_class, readable_fields
from van_app.core.local_store import CurrentUser
from van_app.core.measures import format_date, format_length, format_weight
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiAddendum,
    PmiConsultation,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    StaffAccount,
    SupervisorReview,
    SyncedRecord,
    TourStop,
)
from van_app.core.people import HouseholdMember, age_or_blank, display_name, household
from van_app.core.reference import ReferenceData
from van_app.core.validation import SEXES

SERVICE_OWNER = {"social": Role.SOCIAL_WORKER.value, "pmi": Role.PMI_NURSE.value}
_STATUS_LABELS = {"draft": "Brouillon", "signed": "Signée"}
_REVIEW_LABELS = {"validated": "Validée", "completion_requested": "Complément demandé"}
_PMI_KINDS = {"child": "suivi de l'enfant", "prenatal": "suivi de grossesse"}


class PersonNotFoundError(LookupError):
    """The person does not exist on this device, or was deleted."""


@dataclass(frozen=True)
class Entry:
    label: str
    value: str


@dataclass(frozen=True)
class NoteView:
    """An addendum or a supervisor's review, under the visit it completes."""

    author: str
    written_on: dt.date
    text: str
    title: str = ""  # "Complément", "Revue : validée"


@dataclass(frozen=True)
class VisitView:
    id: str
    service: str  # "social" or "pmi"
    date: dt.date
    title: str
    place: str
    professional: str
    status: str
    details: tuple[Entry, ...] = ()
    notes: tuple[NoteView, ...] = ()
    can_open: bool = False  # the user's role owns this service: open it in its form
    person_id: str = ""  # the record it was written for: a merged one's visits keep theirs


@dataclass(frozen=True)
class FollowUpView:
    id: str
    details: tuple[Entry, ...]
    is_open: bool


KNOWN_TO_CMS_LABEL = "Connu·e du CMS avant son premier contact"


@dataclass(frozen=True)
class PersonFile:
    person_id: str
    name: str
    sex: str
    birth_date: dt.date
    age: str
    identity: tuple[Entry, ...]
    household: tuple[HouseholdMember, ...]
    visits: tuple[VisitView, ...]
    follow_ups: tuple[FollowUpView, ...]
    can_start: tuple[str, ...]  # services whose new consultation this user may open
    known_to_cms: bool = False  # "known to the CMS before her first contact" (correctable)


# -- projection onto readable fields ---------------------------------------------------------


def readable_values(record: SyncedRecord, roles: tuple[str, ...]) -> dict[str, Any]:
    """The record as this user may see it: readable columns only, nothing else."""
    return {name: getattr(record, name) for name in readable_fields(type(record), roles)}


def _has_content(model: type[SyncedRecord], values: dict[str, Any]) -> bool:
    """Whether a cut record still holds more than class S metadata."""
    classes = fields_by_class(model)
    return any(classes[name] is not Conf.SERVICE for name in values)


Formatter = Callable[[Any, ReferenceData], str]


def _text(value: Any, ref: ReferenceData) -> str:
    return str(value).strip()


def _date(value: Any, ref: ReferenceData) -> str:
    return format_date(value)


def _yes_no(value: Any, ref: ReferenceData) -> str:
    return "Oui" if value else "Non"


def _codes(list_name: str) -> Formatter:
    def labels(value: Any, ref: ReferenceData) -> str:
        codes = value if isinstance(value, list | tuple) else [value]
        return ", ".join(ref.label(list_name, code) for code in codes)

    return labels


def _unit(unit: str) -> Formatter:
    return lambda value, ref: f"{value} {unit}"


_SOCIAL_FIELDS: tuple[tuple[str, str, Formatter], ...] = (
    ("duration_minutes", "Durée", _unit("min")),
    ("arrival_mode", "Venue", _codes("arrival_modes")),
    ("demand_types", "Demandes", _codes("demand_types")),
    ("actions", "Actions", _codes("actions")),
    ("outcome", "Issue", _codes("outcomes")),
    ("note", "Note", _text),
)
_PMI_FIELDS: tuple[tuple[str, str, Formatter], ...] = (
    ("duration_minutes", "Durée", _unit("min")),
    ("weight_g", "Poids", lambda v, r: format_weight(v)),
    ("length_mm", "Taille", lambda v, r: format_length(v)),
    ("head_circumference_mm", "Périmètre crânien", lambda v, r: format_length(v)),
    ("feeding_mode", "Alimentation", _codes("feeding_modes")),
    ("vaccinations", "Vaccinations", _codes("vaccines")),
    ("development", "Développement", _codes("development_milestones")),
    ("gestational_age_weeks", "Terme", lambda v, r: f"{v} SA"),
    ("expected_term_date", "Date prévue d'accouchement", _date),
    ("maternal_weight_g", "Poids de la mère", lambda v, r: format_weight(v)),
    ("blood_pressure_systolic", "Tension systolique", _unit("mmHg")),
    ("blood_pressure_diastolic", "Tension diastolique", _unit("mmHg")),
    ("early_prenatal_interview_done", "Entretien prénatal précoce", _yes_no),
    ("advice_topics", "Conseils", _codes("pmi_advice_topics")),
    ("orientation_partner", "Orientation", _codes("partners")),
    ("orientation_date", "Date d'orientation", _date),
    ("next_appointment", "Prochain rendez-vous", _date),
    ("note", "Note", _text),
)
_FOLLOW_UP_FIELDS: tuple[tuple[str, str, Formatter], ...] = (
    ("demand_type", "Demande suivie", _codes("demand_types")),
    ("opened_on", "Ouvert le", _date),
    ("due_on", "Échéance", _date),
    ("closed_on", "Clos le", _date),
    ("outcome", "Issue", _codes("follow_up_outcomes")),
    ("note", "Note", _text),
)


def _entries(
    values: dict[str, Any], spec: tuple[tuple[str, str, Formatter], ...], ref: ReferenceData
) -> tuple[Entry, ...]:
    """Labelled values of the readable, non-empty fields, in the order of ``spec``."""
    entries = []
    for name, label, formatter in spec:
        value = values.get(name)
        if value is None or value == "" or value == [] or value == ():
            continue
        entries.append(Entry(label, formatter(value, ref)))
    return tuple(entries)


# -- identity and household ------------------------------------------------------------------


def _identity(person: Beneficiary, roles: tuple[str, ...], ref: ReferenceData, today: dt.date):
    values = readable_values(person, roles)
    unknown = "non renseigné"
    spec: list[tuple[str, str, Callable[[Any], str]]] = [
        ("birth_name", "Nom de naissance", lambda v: str(v).upper()),
        ("usual_name", "Nom d'usage", lambda v: str(v).upper()),
        ("first_names", "Prénoms", str),
        (
            "birth_date",
            "Date de naissance",
            lambda v: f"{format_date(v)} ({age_or_blank(v, today)})",
        ),
        ("sex", "Sexe", lambda v: SEXES.get(v, v).capitalize()),
        ("birthplace", "Lieu de naissance", str),
        ("commune_insee", "Commune", lambda v: ref.label("communes", v)),
        ("phone", "Téléphone", str),
        ("known_to_cms", KNOWN_TO_CMS_LABEL, lambda v: "Oui" if v else "Non"),
        ("information_date", "Date d'information", format_date),
    ]
    return tuple(
        Entry(label, unknown if values[name] in (None, "") else show(values[name]))
        for name, label, show in spec
        if name in values
    )


# -- visits and follow-ups -------------------------------------------------------------------


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    accounts = session.exec(
        select(StaffAccount).where(col(StaffAccount.username).in_(sorted(usernames)))
    ).all()
    return {a.username: a.display_name for a in accounts}


def _places(session: Session, stop_ids: set[str], ref: ReferenceData) -> dict[str, str]:
    if not stop_ids:
        return {}
    stops = session.exec(select(TourStop).where(col(TourStop.id).in_(sorted(stop_ids)))).all()
    return {s.id: f"{ref.label('communes', s.commune_insee)} — {s.place}" for s in stops}


def _by_consultation(session: Session, model: Any, ids: list[str]) -> dict[str, list[Any]]:
    """Live sub-records (orientations, addenda, reviews) of these consultations, oldest first."""
    grouped: dict[str, list[Any]] = {}
    if not ids:
        return grouped
    rows = session.exec(
        select(model)
        .where(col(model.consultation_id).in_(ids))
        .where(col(model.deleted).is_(False))
        .order_by(model.created_at)
    ).all()
    for row in rows:
        grouped.setdefault(row.consultation_id, []).append(row)
    return grouped


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone().date()


def _visits(
    session: Session, user: CurrentUser, person_ids: tuple[str, ...], ref: ReferenceData
) -> list[VisitView]:
    roles = user.roles
    services = (
        ("social", SocialConsultation, _SOCIAL_FIELDS),
        ("pmi", PmiConsultation, _PMI_FIELDS),
    )
    cut: list[tuple[str, type[SyncedRecord], Any, dict[str, Any]]] = []
    for service, model, spec in services:
        rows = session.exec(
            select(model)
            .where(col(model.beneficiary_id).in_(person_ids))
            .where(col(model.deleted).is_(False))
        ).all()
        cut += [(service, model, spec, readable_values(r, roles)) for r in rows]
    names = _display_names(session, {values["author"] for *_, values in cut})
    places = _places(session, {v["stop_id"] for *_, v in cut if v.get("stop_id")}, ref)
    social_ids = [v["id"] for service, *_, v in cut if service == "social"]
    pmi_ids = [v["id"] for service, *_, v in cut if service == "pmi"]
    orientations = _by_consultation(session, SocialOrientation, social_ids)
    addenda = {
        **_by_consultation(session, SocialAddendum, social_ids),
        **_by_consultation(session, PmiAddendum, pmi_ids),
    }
    reviews = _by_consultation(session, SupervisorReview, social_ids + pmi_ids)
    names |= _display_names(
        session,
        {r.author for rows in (*addenda.values(), *reviews.values()) for r in rows} - set(names),
    )

    visits: list[tuple[dt.datetime, VisitView]] = []
    for service, model, spec, values in cut:
        content = _has_content(model, values)
        details = list(_entries(values, spec, ref))
        for orientation in orientations.get(values["id"], []):
            seen = readable_values(orientation, roles)
            if "partner_code" in seen:
                when = seen.get("orientation_date")
                label = ref.label("partners", seen["partner_code"])
                details.append(
                    Entry("Orientation", f"{label} ({format_date(when)})" if when else label)
                )
        notes = []
        for addendum in addenda.get(values["id"], []):
            seen = readable_values(addendum, roles)
            if "note" in seen:
                who = names.get(addendum.author, addendum.author)
                notes.append(
                    NoteView(who, _local_day(addendum.created_at), seen["note"], "Complément")
                )
        for review in reviews.get(values["id"], []):
            seen = readable_values(review, roles)
            # Class S, but a comment on a visit speaks of its content: shown to those who may
            # read that content, and to the reviewer who wrote it.
            if review.consultation_kind != service or not (
                content or review.author == user.username
            ):
                continue
            status = _REVIEW_LABELS.get(seen.get("status", ""), seen.get("status", ""))
            who = names.get(review.author, review.author)
            title = f"Revue : {status.lower()}" if status else "Revue"
            notes.append(
                NoteView(who, _local_day(review.created_at), seen.get("comment", ""), title)
            )
        title = "Consultation sociale" if service == "social" else "Consultation PMI"
        if service == "pmi" and values.get("kind") in _PMI_KINDS:
            title += f" — {_PMI_KINDS[values['kind']]}"
        view = VisitView(
            id=values["id"],
            service=service,
            date=values["consultation_date"],
            title=title,
            place=places.get(values.get("stop_id") or "", "Hors tournée"),
            professional=names.get(values["author"], values["author"]),
            status=_STATUS_LABELS.get(values["status"], values["status"]),
            details=tuple(details),
            notes=tuple(notes),
            can_open=SERVICE_OWNER[service] in roles,
            person_id=values["beneficiary_id"],
        )
        visits.append((values["created_at"], view))
    visits.sort(key=lambda pair: (pair[1].date, pair[0]), reverse=True)
    return [view for _, view in visits]


def _follow_ups(
    session: Session, user: CurrentUser, person_ids: tuple[str, ...], ref: ReferenceData
) -> list[FollowUpView]:
    """Follow-ups whose content the user may read (all of it is the social secret)."""
    rows = session.exec(
        select(FollowUp)
        .where(col(FollowUp.beneficiary_id).in_(person_ids))
        .where(col(FollowUp.deleted).is_(False))
    ).all()
    views = []
    for row in rows:
        values = readable_values(row, user.roles)
        if not _has_content(FollowUp, values):
            continue
        views.append(
            (
                values.get("opened_on") or dt.date.min,
                FollowUpView(
                    values["id"],
                    _entries(values, _FOLLOW_UP_FIELDS, ref),
                    not values.get("closed_on"),
                ),
            )
        )
    views.sort(key=lambda pair: pair[0], reverse=True)
    return [view for _, view in views]


def _household(
    session: Session, group: tuple[str, ...], today: dt.date
) -> tuple[HouseholdMember, ...]:
    """The household of every record of the group, each relative shown once, as merged."""
    if len(group) == 1:
        members = household(session, group[0], today)
        if not any(m.person_id != resolve_person(session, m.person_id) for m in members):
            return members
    listed = set(group)
    found: list[HouseholdMember] = []
    for person_id in group:
        for member in household(session, person_id, today):
            final = resolve_person(session, member.person_id)
            if final in listed:
                continue
            listed.add(final)
            if final != member.person_id:
                other = session.get(Beneficiary, final)
                if other is None:
                    continue
                member = replace(
                    member,
                    person_id=final,
                    name=display_name(other),
                    birth_date=other.birth_date,
                    age=age_or_blank(other.birth_date, today),
                )
            found.append(member)
    return tuple(found)


def person_file(
    session: Session,
    user: CurrentUser,
    person_id: str,
    ref: ReferenceData,
    today: dt.date | None = None,
) -> PersonFile:
    """Everything about a person that ``user`` may read. PersonNotFoundError if none.

    A record merged into another opens as that one, whose file gathers the visits, follow-ups
    and household of every record merged into it.
    """
    today = today or dt.date.today()
    person = session.get(Beneficiary, resolve_person(session, person_id))
    if person is None or person.deleted:
        raise PersonNotFoundError("Cette personne n'existe pas ou a été supprimée.")
    can_start = tuple(service for service, role in SERVICE_OWNER.items() if role in user.roles)
    group = merged_group(session, person.id)
    return PersonFile(
        person_id=person.id,
        name=display_name(person),
        sex=person.sex,
        birth_date=person.birth_date,
        age=age_or_blank(person.birth_date, today),
        identity=_identity(person, user.roles, ref, today),
        household=_household(session, group, today),
        visits=tuple(_visits(session, user, group, ref)),
        follow_ups=tuple(_follow_ups(session, user, group, ref)),
        can_start=can_start,
        known_to_cms=person.known_to_cms,
    )
