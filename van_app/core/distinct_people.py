"""Pairs the supervisor declared two different people (twins, namesakes born the same day).

``likely_duplicates`` pairs them on birth date and names, so without this a pair of twins
would stay in "Doublons probables" forever. The answer is kept on this device only, in the
local meta table (never synced, no schema change): a CMS has one supervisor PC, where the
duplicates are looked for. Another device (a second supervisor's laptop, a new PC) would
propose the pair again.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from van_app.core.conflicts import require_supervisor
from van_app.core.french import de_name
from van_app.core.local_meta import get_meta, set_meta
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.people import display_name

DISTINCT_KEY = "duplicates.distinct"  # JSON list of [smaller id, larger id]


class DistinctRefusedError(ValueError):
    """The pair cannot be declared distinct (same record, missing one); ``str()`` is French."""


def pair_key(a_id: str, b_id: str) -> tuple[str, str]:
    """The pair in one order whatever the order given."""
    return (a_id, b_id) if a_id <= b_id else (b_id, a_id)


def distinct_pairs(session: Session) -> set[tuple[str, str]]:
    """The pairs declared distinct on this device, each as ``pair_key`` gives it."""
    stored = get_meta(session, DISTINCT_KEY)
    if not stored:
        return set()
    try:
        rows = json.loads(stored)
    except ValueError:
        return set()  # unreadable: the pairs are simply proposed again
    return {
        pair_key(row[0], row[1])
        for row in rows
        if isinstance(row, list) and len(row) == 2 and all(isinstance(i, str) for i in row)
    }


def dismiss_pair(store: LocalStore, a_id: str, b_id: str) -> bool:
    """Record that ``a_id`` and ``b_id`` are two people; True if it was not known yet.

    Supervisors only (ConflictAccessError, in French, for anyone else). Idempotent: a pair
    already dismissed is left as it is. Per device, see the module docstring.
    """
    require_supervisor(store.user, "déclarer que deux fiches sont des personnes différentes")
    if a_id == b_id:
        raise DistinctRefusedError("Une fiche ne peut pas être séparée d'elle-même.")
    key = pair_key(a_id, b_id)
    with store.session() as session:
        for person_id in key:
            person = session.get(Beneficiary, person_id)
            if person is None or person.deleted:
                raise DistinctRefusedError("Cette fiche n'existe pas ou a été supprimée.")
            if person.merged_into_id:
                raise DistinctRefusedError(
                    f"La fiche {de_name(display_name(person))} a déjà été fusionnée dans une autre."
                )
        pairs = distinct_pairs(session)
        if key in pairs:
            return False
        pairs.add(key)
        set_meta(session, DISTINCT_KEY, json.dumps(sorted(map(list, pairs))))
        return True
