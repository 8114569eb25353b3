"""Deleting a person's record, and putting back one deleted by mistake. No Qt.

A deletion is a tombstone that syncs everywhere (DESIGN.md, "Data"); only the record's author
or the CMS supervisor may make it (the server refuses anyone else's), and only the supervisor
may put a person back: a new change, never a stale one, so invariant 7 holds.
"""

from __future__ import annotations

from sqlmodel import col, or_, select

from van_app.core.conflicts import require_supervisor
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, HouseholdLink


class PersonRemovalError(LookupError):
    """The person is not on this device (``str()`` is French)."""


def restore_person(store: LocalStore, person_id: str) -> None:
    """Put back a person deleted by mistake (supervisor); syncs as an ordinary change."""
    require_supervisor(store.user, "rétablir une fiche supprimée")
    with store.session() as session:
        person = session.get(Beneficiary, person_id)
        if person is None:
            raise PersonRemovalError("Cette personne n'est pas sur ce poste.")
        if not person.deleted:
            return
        person.deleted = False
        session.add(store.stamp(person))


def delete_person_on_request(store: LocalStore, person_id: str) -> None:
    """Erase a person at her request (supervisor): her record becomes a tombstone.

    It syncs like any deletion; the server logs it (``person_deleted``) and its next purge
    removes what hangs on her everywhere and erases the fields (``sync_server.services.
    lifecycle``). Her links to others go with her here at once, so no household shows her.
    """
    require_supervisor(store.user, "supprimer une fiche à la demande de la personne")
    with store.session() as session:
        person = session.get(Beneficiary, person_id)
        if person is None or person.deleted:
            raise PersonRemovalError("Cette personne n'est pas sur ce poste.")
        person.deleted = True
        session.add(store.stamp(person))
        for link in session.exec(
            select(HouseholdLink).where(
                col(HouseholdLink.deleted).is_(False),
                or_(HouseholdLink.parent_id == person_id, HouseholdLink.child_id == person_id),
            )
        ).all():
            link.deleted = True
            session.add(store.stamp(link))
