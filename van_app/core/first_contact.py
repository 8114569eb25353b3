"""The "known to the CMS before" answer: a fact about a person at her first contact with the van.

It is asked once, at registration (``Beneficiary.known_to_cms``), and corrected in her file
by a professional of either service or the supervisor. The correction is an ordinary change
of a person field: it syncs like any identity field (merged field by field), and the server
stamps the field with who changed it, when and from which device, and logs the push.

The consultations' own ``known_before`` column is kept for old records (a copy of the flag at
that visit) but no figure reads it: the indicator counts the person's flag, once, in the
period of her first signed consultation (``indicators.counted``).
"""

from __future__ import annotations

from van_app.core.local_store import LocalStore
from van_app.core.merge_people import resolve_person
from van_app.core.models import Beneficiary
from van_app.core.person_file import PersonNotFoundError

CORRECTORS = frozenset({"social_worker", "pmi_nurse", "supervisor"})
"""The roles that may correct the flag: those who write people (the wire schema's writers)."""


class CorrectionRefusedError(PermissionError):
    """The user's roles may not correct the flag; ``str()`` is French."""


def can_correct_known_to_cms(roles: tuple[str, ...]) -> bool:
    return bool(CORRECTORS.intersection(roles))


def correct_known_to_cms(store: LocalStore, person_id: str, known: bool) -> bool:
    """Set the person's (as merged) "known to the CMS before" to ``known``.

    Returns whether anything changed: the same answer again writes nothing and queues
    nothing for the server.
    """
    if not can_correct_known_to_cms(store.user.roles):
        raise CorrectionRefusedError(
            "Seuls les professionnels et le·la responsable du CMS corrigent cette réponse."
        )
    with store.session() as session:
        person = session.get(Beneficiary, resolve_person(session, person_id))
        if person is None or person.deleted:
            raise PersonNotFoundError("Cette personne n'existe pas ou a été supprimée.")
        if person.known_to_cms == known:
            return False
        person.known_to_cms = known
        session.add(store.stamp(person))
    return True
