"""One user's bad values never stop anyone else's sync (sync invariant 11), end to end.

A hostile client holding the social worker's token pushes strings no one may store, in every
position, and ids of other tables; a record written by an older server with such a string is
met by a pull; through all of it every laptop of the CMS keeps syncing and verifying, and a
tour stop planned afterwards reaches every van.
"""

from __future__ import annotations

import datetime as dt
import json

import requests
from sqlmodel import Session, select

from sync_server.core.db import make_engine
from sync_server.models import ServerMeta, SyncRecord
from tests.sync.conftest import SyncServer, add_person
from tests.sync.helpers import record_pmi, rows
from tests.sync.test_contract import record_consultation
from van_app.core.ids import new_id
from van_app.core.models import Beneficiary, TourStop
from van_app.core.reference import reference
from van_app.core.tour_checks import StopInput
from van_app.core.tour_planning import save_stop

BAD = ["\ud800", "\udfff", "\x00", "\x01", "\x1b[0m"]


def hostile_push(server: SyncServer, token: str, changes: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    response = requests.post(
        f"{server.url}/api/v1/sync/push",
        data=json.dumps({"changes": changes}).encode("ascii"),
        headers={
            "Authorization": f"Bearer {token}",
            "X-Protocol-Version": "2",
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def change(table: str, record_id: str, fields: dict) -> dict:  # type: ignore[type-arg]
    return {"change_id": new_id(), "table": table, "id": record_id, "fields": fields}


def test_bad_values_from_one_user_never_stop_the_cms(enrol, sync_server: SyncServer) -> None:  # type: ignore[no-untyped-def]
    social, nurse, supervisor = enrol("amartin"), enrol("bnguyen"), enrol("croux")
    person = add_person(social)
    visit = record_consultation(social, person)
    baby = add_person(nurse, "Bonnet", "Léo", birth_date=dt.date.today() - dt.timedelta(days=90))
    pmi_visit = record_pmi(nurse, baby)
    for van in (social, nurse, supervisor, social):
        assert van.sync().verified

    stamp = "2026-12-01T09:00:00.000000Z"
    hostile: list[dict] = []  # type: ignore[type-arg]
    for bad in BAD:
        hostile += [
            change("social_addendum", new_id(), {"consultation_id": visit, "note": f"x{bad}",
                                                 "created_at": stamp, "updated_at": stamp}),
            change("beneficiary", person, {"phone": f"04{bad}"}),
            change("beneficiary", new_id(), {"birth_name": "X", bad: 1}),
            change(f"beneficiary{bad}", new_id(), {}),
            {**change("beneficiary", person, {"usual_name": "Y"}), "change_id": f"c{bad}"},
        ]  # fmt: skip
    hostile.append(change("social_consultation", pmi_visit, {"note": "same id, other table"}))
    results = hostile_push(sync_server, social.client.token or "", hostile)
    assert all(r["status"] == "rejected" for r in results), results

    # A record an older server stored without checking: the next pull meets it.
    legacy = new_id()
    engine = make_engine(sync_server.database_url)
    with Session(engine) as session:
        meta = session.get(ServerMeta, 1)
        assert meta is not None
        meta.max_version += 1
        fields = {
            "created_at": stamp, "updated_at": stamp, "author": social.username,
            "device": "dev", "deleted": False, "birth_name": "ANCIEN", "first_names": "A",
            "usual_name": "\ud800", "birth_date": "1950-01-01", "sex": "F",
            "known_to_cms": False,
        }  # fmt: skip
        session.add(
            SyncRecord(
                table_name="beneficiary", id=legacy, cms_code=social.store.user.cms_code,
                author=social.username, device="dev", version=meta.max_version, fields=fields,
                field_versions=dict.fromkeys(fields, meta.max_version),
            )
        )  # fmt: skip
        session.add(meta)
        session.commit()

    for van in (social, nurse, supervisor):
        assert van.sync().verified  # the rest flows; the bad record is set aside
    assert "ANCIEN" not in {p.birth_name for p in rows(supervisor, Beneficiary)}
    listed = sync_server.admin("quarantine")
    assert legacy in listed and "beneficiary" in listed

    # The upgrade path: an older database is checked at start and its strings repaired.
    with Session(engine) as session:
        meta = session.get(ServerMeta, 1)
        assert meta is not None
        meta.strings_checked_at = None
        session.add(meta)
        record = session.exec(select(SyncRecord).where(SyncRecord.id == legacy)).one()
        record.quarantined = None
        session.add(record)
        session.commit()
    engine.dispose()
    sync_server.kill()
    sync_server.start()
    for van in (social, nurse, supervisor):
        assert van.sync().verified
    [repaired] = [p for p in rows(supervisor, Beneficiary) if p.birth_name == "ANCIEN"]
    assert repaired.usual_name == "\ufffd"
    assert "Aucune fiche" in sync_server.admin("quarantine")

    # Later work still reaches everyone: a stop planned at the CMS.
    day = dt.date.today() + dt.timedelta(days=10)
    while day.weekday() >= 5:  # the van does not go out at weekends
        day += dt.timedelta(days=1)
    save_stop(
        supervisor.store,
        StopInput(
            commune_insee="26113", stop_date=day, start_time=dt.time(9, 30),
            end_time=dt.time(12, 0), place="Place de la mairie", services="both",
        ),
        reference(),
        dt.date.today(),
    )  # fmt: skip
    for van in (supervisor, social, nurse):
        assert van.sync().verified
        assert day in {s.stop_date for s in rows(van, TourStop)}
