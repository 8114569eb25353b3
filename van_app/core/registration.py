"""Registering a person, and the parent–child links of a household.

The form hands over what was typed (``PersonForm``: texts, not parsed values); everything is
parsed and validated as a whole, then the person and their links are written in one
transaction. Before writing, people born the same day with close names are looked for: a
second file for the same person would split their history between two records, so the UI
asks (``DuplicatesFoundError``) and writes only when told to create anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlmodel import Session, col, or_, select

from van_app.core import text
from van_app.core.local_store import LocalStore
from van_app.core.measures import parse_date
from van_app.core.models import Beneficiary, HouseholdLink
from van_app.core.people import RELATIONS, display_name
from van_app.core.people_search import PersonHit, person_hits
from van_app.core.reference import Commune, ReferenceData
from van_app.core.validation import (
    ValidationError,
    normalize_phone,
    raise_if_errors,
    validate_beneficiary,
)

SIMILAR_NAMES = 0.8  # difflib ratio from which two folded names are "close"


@dataclass(frozen=True)
class ParentChoice:
    """A parent picked in the form: an existing person, and how they relate to the child."""

    parent_id: str
    relation: str


@dataclass
class PersonForm:
    """What was typed in the registration form, as typed."""

    birth_name: str = ""
    usual_name: str = ""
    first_names: str = ""
    birth_date: str = ""  # jj/mm/aaaa
    sex: str = ""  # "F", "M", "I" or "" when not chosen
    birthplace: str = ""
    commune: str = ""  # a name, "Die (26150)", a postal code or an INSEE code
    phone: str = ""
    known_to_cms: bool = False
    information_date: str = ""
    parents: list[ParentChoice] = field(default_factory=list)


@dataclass(frozen=True)
class RegisteredPerson:
    id: str
    name: str


class DuplicatesFoundError(Exception):
    """Nothing was written: these people may be the same person (``hits``)."""

    def __init__(self, hits: list[PersonHit]) -> None:
        super().__init__("Cette personne est peut-être déjà enregistrée.")
        self.hits = tuple(hits)


# -- communes --------------------------------------------------------------------------------


def commune_choice_text(commune: Commune) -> str:
    """ "Die (26150)": how a commune is offered and shown in the form."""
    codes = ", ".join(commune.postal_codes)
    return f"{commune.name} ({codes})" if codes else commune.name


def resolve_commune(ref: ReferenceData, typed: str) -> str | None:
    """The INSEE code of the commune typed, or None when it is not exactly one commune."""
    typed = typed.strip()
    if not typed:
        return None
    for commune in ref.communes.values():
        if commune_choice_text(commune) == typed:
            return commune.insee
    folded = text.fold(typed)
    by_name = [c for c in ref.communes.values() if text.fold(c.name) == folded]
    if len(by_name) == 1:
        return by_name[0].insee
    by_postal_code = ref.communes_by_postal_code(typed)
    if by_postal_code:  # someone typing 26150 means the postal code, even if an INSEE code too
        return by_postal_code[0].insee if len(by_postal_code) == 1 else None
    return typed if typed in ref.communes else None


# -- building and checking -------------------------------------------------------------------


def _clean(value: str) -> str:
    return " ".join((value or "").split())


def _date(errors: dict[str, str], key: str, typed: str) -> dt.date | None:
    if not typed.strip():
        return None
    try:
        return parse_date(typed)
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def build_person(
    form: PersonForm, ref: ReferenceData, today: dt.date
) -> tuple[Beneficiary, dict[str, str]]:
    """The person the form describes (not stamped, not added) and every error, per field."""
    errors: dict[str, str] = {}
    birth_date = _date(errors, "birth_date", form.birth_date)
    information_date = _date(errors, "information_date", form.information_date)
    commune_insee = resolve_commune(ref, form.commune)
    if form.commune.strip() and commune_insee is None:
        errors["commune_insee"] = (
            f"Commune « {form.commune.strip()} » introuvable dans la Drôme : choisissez-la "
            "dans la liste proposée (nom ou code postal)."
        )
    phone = _clean(form.phone)
    person = Beneficiary(
        birth_name=_clean(form.birth_name),
        usual_name=_clean(form.usual_name) or None,
        first_names=_clean(form.first_names),
        birth_date=birth_date,  # type: ignore[arg-type]
        sex=form.sex,
        birthplace=_clean(form.birthplace) or None,
        commune_insee=commune_insee,
        phone=normalize_phone(phone) or phone or None,
        known_to_cms=bool(form.known_to_cms),
        information_date=information_date,
        author="",
        device="",
    )
    found = validate_beneficiary(person, ref, today)
    if not form.sex:
        found["sex"] = "Indiquez le sexe."
    if birth_date is None and "birth_date" in errors:
        found.pop("birth_date", None)  # the parse message says more than "obligatoire"
    return person, {**found, **errors}


def _living(session: Session, person_id: str) -> Beneficiary | None:
    person = session.get(Beneficiary, person_id)
    return None if person is None or person.deleted else person


def _link_errors(parent: Beneficiary | None, child: Beneficiary | None, relation: str) -> str:
    """Why a parent–child link cannot be made, or "" when it can."""
    if parent is None or child is None:
        return "Cette personne n'existe pas ou a été supprimée."
    if parent.id == child.id:
        return "Une personne ne peut pas être son propre parent."
    if relation not in RELATIONS:
        return "Choisissez le lien : mère, père ou responsable légal·e."
    if isinstance(child.birth_date, dt.date) and parent.birth_date >= child.birth_date:
        born = {"F": "née", "M": "né"}.get(parent.sex, "né·e")
        return f"{display_name(parent)} est {born} après l'enfant : ce ne peut pas être son parent."
    return ""


def _parent_errors(session: Session, child: Beneficiary, parents: list[ParentChoice]) -> str:
    seen: set[str] = set()
    for choice in parents:
        if choice.parent_id in seen:
            return "Le même parent est indiqué deux fois."
        seen.add(choice.parent_id)
        problem = _link_errors(_living(session, choice.parent_id), child, choice.relation)
        if problem:
            return problem
    return ""


# -- duplicates ------------------------------------------------------------------------------


def _close(a: str, b: str) -> bool:
    return bool(a and b) and SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAMES


def _first_first_name(first_names: str | None) -> str:
    words = text.fold(first_names).split()
    return words[0] if words else ""


def same_person_likely(a: Beneficiary, b: Beneficiary) -> bool:
    """Close family name and close first first-name, or the two swapped (a common slip)."""
    names_a = {n for n in (text.fold(a.birth_name), text.fold(a.usual_name)) if n}
    names_b = {n for n in (text.fold(b.birth_name), text.fold(b.usual_name)) if n}
    first_a, first_b = _first_first_name(a.first_names), _first_first_name(b.first_names)
    if _close(first_a, first_b) and any(_close(x, y) for x in names_a for y in names_b):
        return True
    return _close(text.fold(a.birth_name), first_b) and _close(first_a, text.fold(b.birth_name))


def _candidate_dates(birth: dt.date) -> list[dt.date]:
    """The birth date, and day and month swapped (12/03 typed for 03/12)."""
    dates = [birth]
    try:
        swapped = dt.date(birth.year, birth.day, birth.month)
    except ValueError:
        return dates
    return dates + ([swapped] if swapped != birth else [])


def find_duplicates(
    session: Session,
    person: Beneficiary,
    ref: ReferenceData,
    today: dt.date,
    exclude_ids: tuple[str, ...] = (),
) -> list[PersonHit]:
    """Living people born the same day (or day and month swapped) with close names."""
    if not isinstance(person.birth_date, dt.date):
        return []
    candidates = session.exec(
        select(Beneficiary)
        .where(col(Beneficiary.birth_date).in_(_candidate_dates(person.birth_date)))
        .where(col(Beneficiary.deleted).is_(False))
    ).all()
    ids = [
        c.id
        for c in candidates
        if c.id != person.id and c.id not in exclude_ids and same_person_likely(person, c)
    ]
    return person_hits(session, ids, ref, today)


# -- writing ---------------------------------------------------------------------------------


def register_person(
    store: LocalStore,
    form: PersonForm,
    ref: ReferenceData,
    today: dt.date,
    *,
    allow_duplicates: bool = False,
) -> RegisteredPerson:
    """Create the person and their links to parents, all or nothing.

    Raises ValidationError (errors keyed by field, ``"parents"`` for the household part) or,
    unless ``allow_duplicates``, DuplicatesFoundError; in both cases nothing is written.
    """
    person, errors = build_person(form, ref, today)
    with store.session() as session:
        problem = _parent_errors(session, person, form.parents)
        if problem:
            errors["parents"] = problem
        raise_if_errors(errors)
        if not allow_duplicates:
            duplicates = find_duplicates(session, person, ref, today)
            if duplicates:
                raise DuplicatesFoundError(duplicates)
        session.add(store.stamp(person))
        session.flush()
        for choice in form.parents:
            link = HouseholdLink(
                parent_id=choice.parent_id,
                child_id=person.id,
                relation=choice.relation,
                author="",
                device="",
            )
            session.add(store.stamp(link))
        return RegisteredPerson(person.id, display_name(person))


def link_people(store: LocalStore, parent_id: str, child_id: str, relation: str) -> str:
    """Link two people already registered; the id of the link. ValidationError on ``link``."""
    with store.session() as session:
        parent, child = _living(session, parent_id), _living(session, child_id)
        problem = _link_errors(parent, child, relation)
        if not problem:
            existing = session.exec(
                select(HouseholdLink)
                .where(col(HouseholdLink.deleted).is_(False))
                .where(
                    or_(
                        (HouseholdLink.parent_id == parent_id)
                        & (HouseholdLink.child_id == child_id),
                        (HouseholdLink.parent_id == child_id)
                        & (HouseholdLink.child_id == parent_id),
                    )
                )
            ).first()
            if existing is not None:
                problem = "Ces deux personnes sont déjà liées."
        if problem:
            raise ValidationError({"link": problem})
        link = HouseholdLink(
            parent_id=parent_id, child_id=child_id, relation=relation, author="", device=""
        )
        session.add(store.stamp(link))
        return link.id


def unlink_people(store: LocalStore, link_id: str) -> None:
    """Remove a parent–child link: a tombstone, so that sync sees it go."""
    with store.session() as session:
        link = session.get(HouseholdLink, link_id)
        if link is None or link.deleted:
            raise ValidationError({"link": "Ce lien n'existe pas ou a déjà été retiré."})
        link.deleted = True
        session.add(store.stamp(link))
