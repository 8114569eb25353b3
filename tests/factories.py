"""Rows and accounts the tests set up again and again, as plain functions.

Rows go through ``store.stamp`` as the app's own writes do (ids, author, device, outbox).
The defaults are the fictitious people and the stop of the Diois that most tests share: Josiane
Achard, born 01/06/1950; the stop at Luc-en-Diois (26167), 9 h 30 to 12 h 30.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import FAST_KDF
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation, SyncedRecord, TourStop

NURSE_USERNAME = "bnguyen"


def _add(store: LocalStore, row: SyncedRecord) -> str:
    """Write one row as the app does (stamped, with its outbox entry); its id."""
    with store.session() as session:
        stamped = store.stamp(row)
        session.add(stamped)
        return stamped.id


def add_person(
    store: LocalStore,
    *,
    birth_name: str = "Achard",
    first_names: str = "Josiane",
    birth_date: dt.date = dt.date(1950, 6, 1),
    sex: str = "F",
    **fields: Any,
) -> str:
    """A person in the register (other ``Beneficiary`` fields as keywords); their id."""
    return _add(
        store,
        Beneficiary(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth_date,
            sex=sex,
            author="",
            device="",
            **fields,
        ),
    )


def add_stop(store: LocalStore, day: dt.date, *, cms_code: str = "CMS-DIE") -> str:
    """The van's morning stop at Luc-en-Diois on ``day``, for both services; its id."""
    return _add(
        store,
        TourStop(
            commune_insee="26167",
            stop_date=day,
            start_time=dt.time(9, 30),
            end_time=dt.time(12, 30),
            place="Parking de la salle des fêtes",
            services="both",
            cms_code=cms_code,
            author="",
            device="",
        ),
    )


def add_social_consultation(
    store: LocalStore, person_id: str, stop_id: str, day: dt.date, **fields: Any
) -> str:
    """A draft social consultation written straight to the store (no validation); its id."""
    return _add(
        store,
        SocialConsultation(
            beneficiary_id=person_id,
            stop_id=stop_id,
            consultation_date=day,
            author="",
            device="",
            **fields,
        ),
    )


def new_store(
    data_dir: Path,
    username: str,
    password: str,
    display_name: str,
    roles: Sequence[str],
    *,
    cms_code: str = "CMS-DIE",
) -> LocalStore:
    """A device set up for its first professional, unlocked (at the tests' KDF cost)."""
    return LocalStore.initialize(
        data_dir,
        username=username,
        password=password,
        display_name=display_name,
        roles=list(roles),
        cms_code=cms_code,
        kdf=FAST_KDF,
    )


def add_professional(
    store: LocalStore,
    username: str,
    password: str,
    display_name: str,
    roles: Sequence[str],
    *,
    cms_code: str = "CMS-DIE",
) -> None:
    """Another professional on the same device."""
    store.add_user(
        username=username,
        password=password,
        display_name=display_name,
        roles=list(roles),
        cms_code=cms_code,
        kdf=FAST_KDF,
    )


def add_nurse(store: LocalStore, password: str) -> None:
    """Binh Nguyen, PMI nurse of the same CMS, on the same device."""
    add_professional(store, NURSE_USERNAME, password, "Binh Nguyen", ["pmi_nurse"])


@contextmanager
def opened_as(data_dir: Path, username: str, password: str) -> Iterator[LocalStore]:
    """The device's store unlocked by ``username``, closed afterwards."""
    store = LocalStore.open(data_dir, username, password)
    try:
        yield store
    finally:
        store.close()
