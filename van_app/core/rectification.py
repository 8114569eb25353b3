"""Rectifying a person's identity (right of rectification, DESIGN.md "Data lifecycle"). No Qt.

The identity fields are checked as at registration (``registration.build_person``), then the
changed ones are written as an ordinary change of the person: it syncs and merges field by
field like any edit, and the server stamps each field with who changed it, when and from which
device (its ``field_stamps``) and logs the push, which is the correction's audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from van_app.core.first_contact import CORRECTORS
from van_app.core.local_store import LocalStore
from van_app.core.measures import format_date
from van_app.core.merge_people import resolve_person
from van_app.core.models import Beneficiary
from van_app.core.person_file import PersonNotFoundError
from van_app.core.reference import ReferenceData
from van_app.core.registration import PersonForm, build_person, commune_choice_text
from van_app.core.validation import raise_if_errors

IDENTITY_FIELDS = (
    "birth_name",
    "usual_name",
    "first_names",
    "birth_date",
    "sex",
    "birthplace",
    "commune_insee",
    "phone",
)


class RectificationRefusedError(PermissionError):
    """The user's roles may not correct a person's identity; ``str()`` is French."""


@dataclass
class IdentityForm:
    """The identity fields as typed (texts), like the registration form's."""

    birth_name: str = ""
    usual_name: str = ""
    first_names: str = ""
    birth_date: str = ""  # jj/mm/aaaa
    sex: str = ""
    birthplace: str = ""
    commune: str = ""  # a name, "Die (26150)", a postal code or an INSEE code
    phone: str = ""


def can_rectify(roles: tuple[str, ...]) -> bool:
    """Those who write people (the wire schema's writers of ``beneficiary``)."""
    return bool(CORRECTORS.intersection(roles))


def identity_form(store: LocalStore, person_id: str, ref: ReferenceData) -> IdentityForm:
    """The person's identity as the correction form shows it first."""
    with store.read_session() as session:
        person = session.get(Beneficiary, resolve_person(session, person_id))
        if person is None or person.deleted:
            raise PersonNotFoundError("Cette personne n'existe pas ou a été supprimée.")
        commune = ref.communes.get(person.commune_insee or "")
        return IdentityForm(
            birth_name=person.birth_name,
            usual_name=person.usual_name or "",
            first_names=person.first_names,
            birth_date=format_date(person.birth_date),
            sex=person.sex,
            birthplace=person.birthplace or "",
            commune=commune_choice_text(commune) if commune else (person.commune_insee or ""),
            phone=person.phone or "",
        )


def correct_identity(
    store: LocalStore, person_id: str, form: IdentityForm, ref: ReferenceData, today: dt.date
) -> list[str]:
    """Write the corrected identity; the names of the fields that changed (none: nothing
    written, nothing queued). Raises ValidationError (French messages by field) and writes
    nothing when a field is wrong."""
    if not can_rectify(store.user.roles):
        raise RectificationRefusedError(
            "Seuls les professionnels et le·la responsable du CMS corrigent une identité."
        )
    with store.session() as session:
        person = session.get(Beneficiary, resolve_person(session, person_id))
        if person is None or person.deleted:
            raise PersonNotFoundError("Cette personne n'existe pas ou a été supprimée.")
        typed = PersonForm(
            birth_name=form.birth_name,
            usual_name=form.usual_name,
            first_names=form.first_names,
            birth_date=form.birth_date,
            sex=form.sex,
            birthplace=form.birthplace,
            commune=form.commune,
            phone=form.phone,
            known_to_cms=person.known_to_cms,
        )
        corrected, errors = build_person(typed, ref, today)
        raise_if_errors({k: v for k, v in errors.items() if k in IDENTITY_FIELDS})
        changed = [
            name for name in IDENTITY_FIELDS if getattr(corrected, name) != getattr(person, name)
        ]
        for name in changed:
            setattr(person, name, getattr(corrected, name))
        if changed:
            session.add(store.stamp(person))
        return changed
