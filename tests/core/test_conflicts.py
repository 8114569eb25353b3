"""The supervisor settles same-field sync conflicts: readable views, and choices that sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.conftest import FAST_KDF
from van_app.core.conflicts import (
    ConflictAccessError,
    ConflictNotFoundError,
    local_time,
    open_conflict_count,
    open_conflicts,
    settle_conflict,
)
from van_app.core.ids import new_id
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, StaffAccount, SyncConflict, SyncedRecord, TourStop
from van_app.core.outbox import FROM_SERVER, OutboxEntry
from van_app.core.reference import reference
from van_app.sync.wire import decode_fields, new_local_record

KEPT_AT = "2026-11-12T13:05:00.000000Z"
OTHER_AT = "2026-11-12T09:40:00.000000Z"
_versions = iter(range(100, 100_000))


@pytest.fixture
def supervisor_store(data_dir: Path) -> Iterator[LocalStore]:
    """Claire Roux's device (supervisor), with her colleagues' accounts pulled."""
    store = LocalStore.initialize(
        data_dir,
        username="croux",
        password="Tilleul-de-Buis-2026",
        display_name="Claire Roux",
        roles=["supervisor"],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    pulled(
        store,
        StaffAccount(username="amartin", display_name="Agnès Martin", roles=["social_worker"],
                     cms_code="CMS-DIE", author="admin", device="server"),
        StaffAccount(username="bnguyen", display_name="Binh Nguyen", roles=["pmi_nurse"],
                     cms_code="CMS-DIE", author="admin", device="server"),
    )  # fmt: skip
    yield store
    store.close()


def pulled(store: LocalStore, *records: SyncedRecord) -> None:
    """Store records as a sync pull does: with a server version, and no outbox entry."""
    with store.session() as session:
        session.info[FROM_SERVER] = True
        for record in records:
            record.server_version = next(_versions)
            session.add(record)
            session.flush()


def pulled_person(store: LocalStore, author: str = "amartin", **fields: Any) -> str:
    values: dict[str, Any] = {
        "birth_name": "Roux",
        "first_names": "Camille",
        "birth_date": dt.date(1995, 5, 5),
        "sex": "F",
        "commune_insee": "26113",
        "phone": "06 11 22 33 44",
    }
    values.update(fields)
    person = Beneficiary(author=author, device="dev-a", **values)
    pulled(store, person)
    return person.id


def pulled_conflict(
    store: LocalStore,
    table: str,
    record_id: str,
    field: str,
    kept: Any,
    other: Any,
    *,
    kept_author: str = "amartin",
    other_author: str = "bnguyen",
) -> str:
    """A conflict as the server writes it (wire values) and the sync engine stores it."""
    conflict_id = new_id()
    fields = {
        "created_at": KEPT_AT,
        "updated_at": KEPT_AT,
        "author": "server",
        "device": "server",
        "deleted": False,
        "table": table,
        "record_id": record_id,
        "field": field,
        "value_class": "S",
        "kept_value": kept,
        "other_value": other,
        "kept_updated_at": KEPT_AT,
        "kept_device": "dev-a",
        "kept_author": kept_author,
        "other_updated_at": OTHER_AT,
        "other_device": "dev-b",
        "other_author": other_author,
    }
    record = new_local_record("sync_conflict", conflict_id, decode_fields("sync_conflict", fields))
    pulled(store, record)
    return conflict_id


def views(store: LocalStore) -> list[Any]:
    with store.session() as session:
        return open_conflicts(session, reference(), store.user)


def outbox(store: LocalStore) -> dict[str, list[str]]:
    """record id → fields queued for sync."""
    with store.session() as session:
        return {e.record_id: e.changed_fields for e in session.exec(select(OutboxEntry)).all()}


def get(store: LocalStore, model: type[SyncedRecord], record_id: str) -> Any:
    with store.session() as session:
        return session.get(model, record_id)


# -- reading ---------------------------------------------------------------------------------


def test_a_conflict_reads_as_names_labels_and_french_values(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store)
    pulled_conflict(
        supervisor_store, "beneficiary", person, "phone", "06 11 22 33 44", "04 75 22 10 10"
    )

    (view,) = views(supervisor_store)

    assert view.record_label == "ROUX Camille, née le 05/05/1995"
    assert view.person_id == person
    assert view.field_label == "Téléphone"
    assert (view.kept.value, view.other.value) == ("06 11 22 33 44", "04 75 22 10 10")
    assert (view.kept.who, view.other.who) == ("Agnès Martin", "Binh Nguyen")
    kept_when = local_time(dt.datetime(2026, 11, 12, 13, 5, tzinfo=dt.UTC))
    assert view.kept.when == kept_when
    assert view.kept.written == f"Agnès Martin, le {kept_when}"
    assert kept_when.startswith("12/11/2026 à ") and kept_when.endswith(" h 05")
    assert not view.changed_since and not view.record_missing


@pytest.mark.parametrize(
    ("field", "kept", "other", "label", "shown"),
    [
        (
            "birth_date",
            "1995-05-05",
            "1995-05-06",
            "Date de naissance",
            ("05/05/1995", "06/05/1995"),
        ),
        ("sex", "F", "M", "Sexe", ("Femme", "Homme")),
        ("commune_insee", "26113", "26167", "Commune", ("Die", "Luc-en-Diois")),
        ("known_to_cms", True, False, "Connu·e du CMS avant", ("Oui", "Non")),
        ("usual_name", None, "Dupré", "Nom d'usage", ("non renseigné", "Dupré")),
    ],
)
def test_each_kind_of_value_is_shown_the_french_way(
    supervisor_store: LocalStore, field: str, kept: Any, other: Any, label: str, shown: tuple
) -> None:
    person = pulled_person(supervisor_store)
    pulled_conflict(supervisor_store, "beneficiary", person, field, kept, other)

    (view,) = views(supervisor_store)

    assert view.field_label == label
    assert (view.kept.value, view.other.value) == shown


def test_a_stop_conflict_names_the_stop_and_shows_hours(supervisor_store: LocalStore) -> None:
    stop = TourStop(
        commune_insee="26167",
        stop_date=dt.date(2026, 12, 8),
        start_time=dt.time(9, 30),
        end_time=dt.time(12, 30),
        place="Parking",
        services="both",
        cms_code="CMS-DIE",
        author="croux",
        device="dev-c",
    )
    pulled(supervisor_store, stop)
    pulled_conflict(supervisor_store, "tour_stop", stop.id, "start_time", "09:30:00", "10:00:00")

    (view,) = views(supervisor_store)

    assert view.record_label == "Arrêt du 08/12/2026 à Luc-en-Diois"
    assert view.person_id is None
    assert (view.field_label, view.kept.value, view.other.value) == (
        "Heure d'arrivée",
        "9 h 30",
        "10 h 00",
    )


def test_a_record_changed_since_says_so(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store, phone="07 00 00 00 00")
    pulled_conflict(
        supervisor_store, "beneficiary", person, "phone", "06 11 22 33 44", "04 75 22 10 10"
    )

    (view,) = views(supervisor_store)

    assert view.changed_since and view.current == "07 00 00 00 00"


def test_settled_conflicts_are_not_listed(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store)
    first = pulled_conflict(supervisor_store, "beneficiary", person, "phone", "06 11 22 33 44", "x")
    pulled_conflict(supervisor_store, "beneficiary", person, "birthplace", "Die", "Valence")

    settle_conflict(supervisor_store, first, "kept")

    assert [v.field for v in views(supervisor_store)] == ["birthplace"]
    with supervisor_store.session() as session:
        assert open_conflict_count(session) == 1


# -- settling --------------------------------------------------------------------------------


def test_choosing_the_other_value_writes_it_and_both_changes_are_queued(
    supervisor_store: LocalStore,
) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(
        supervisor_store, "beneficiary", person, "birth_date", "1995-05-05", "1995-05-06"
    )

    settle_conflict(supervisor_store, conflict, "other")

    assert get(supervisor_store, Beneficiary, person).birth_date == dt.date(1995, 5, 6)
    assert get(supervisor_store, SyncConflict, conflict).deleted is True
    queued = outbox(supervisor_store)
    assert "birth_date" in queued[person]
    assert "deleted" in queued[conflict]
    assert views(supervisor_store) == []


def test_a_renamed_person_is_found_by_the_chosen_name(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(
        supervisor_store, "beneficiary", person, "birth_name", "Roux", "Rousset"
    )

    settle_conflict(supervisor_store, conflict, "other")

    record = get(supervisor_store, Beneficiary, person)
    assert record.birth_name == "Rousset" and record.search_key.startswith("rousset")


def test_keeping_the_retained_value_only_closes_the_conflict(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(
        supervisor_store, "beneficiary", person, "phone", "06 11 22 33 44", "04 75 22 10 10"
    )

    settle_conflict(supervisor_store, conflict, "kept")

    assert get(supervisor_store, Beneficiary, person).phone == "06 11 22 33 44"
    assert get(supervisor_store, SyncConflict, conflict).author == "server"  # never rewritten
    assert set(outbox(supervisor_store)) == {conflict}


def test_a_conflict_is_settled_once(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store)
    conflict = pulled_conflict(supervisor_store, "beneficiary", person, "phone", "a", "b")
    settle_conflict(supervisor_store, conflict, "kept")

    with pytest.raises(ConflictNotFoundError, match="déjà été réglé"):
        settle_conflict(supervisor_store, conflict, "other")
    assert get(supervisor_store, Beneficiary, person).phone == "06 11 22 33 44"


def test_the_other_value_of_a_deleted_record_is_refused(supervisor_store: LocalStore) -> None:
    person = pulled_person(supervisor_store, deleted=True)
    conflict = pulled_conflict(supervisor_store, "beneficiary", person, "phone", "a", "b")

    with pytest.raises(ConflictAccessError, match="supprimée"):
        settle_conflict(supervisor_store, conflict, "other")
    assert get(supervisor_store, SyncConflict, conflict).deleted is False
    assert outbox(supervisor_store) == {}
    settle_conflict(supervisor_store, conflict, "kept")  # still settled the other way


def test_only_a_supervisor_reads_or_settles_conflicts(social_store: LocalStore) -> None:
    person = pulled_person(social_store)
    conflict = pulled_conflict(social_store, "beneficiary", person, "phone", "a", "b")

    with pytest.raises(ConflictAccessError, match="responsable du CMS"):
        views(social_store)
    with pytest.raises(ConflictAccessError, match="responsable du CMS"):
        settle_conflict(social_store, conflict, "other")
    assert get(social_store, Beneficiary, person).phone == "06 11 22 33 44"
    assert get(social_store, SyncConflict, conflict).deleted is False
