"""Tour planning: rules, generated stops, exceptions, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, func, select

from tests import factories
from van_app.core.local_store import LocalStore
from van_app.core.models import SatisfactionAnswer, TourPattern, TourStop
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import ReferenceDataError, reference
from van_app.core.tour_calendar import (
    add_months,
    french_long_date,
    hours_range_text,
    next_occurrences,
    nth_weekday,
    occurrences,
    public_holiday,
    rule_text,
)
from van_app.core.tour_planning import (
    PatternInput,
    StopInput,
    TourAccessError,
    cancel_stop,
    cms_contact,
    count_stops_after,
    end_pattern,
    extend_horizon,
    list_planned_stops,
    load_cms_contacts,
    load_pattern,
    save_pattern,
    save_stop,
)
from van_app.core.validation import ValidationError

REF = reference()
TODAY = dt.date(2026, 11, 20)
PASSWORD = "Soleil-du-Diois-2026"
LUC = "26167"  # Luc-en-Diois
CHATILLON = "26086"  # Châtillon-en-Diois


@pytest.fixture
def store(data_dir: Path) -> Iterator[LocalStore]:
    """A supervisor's PC of the CMS of Die, unlocked."""
    s = factories.new_store(data_dir, "croux", PASSWORD, "Claire Roux", ["supervisor"])
    yield s
    s.close()


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStore]:
    """One supervisor device shared by the refusal tests, which must leave it empty."""
    s = factories.new_store(
        tmp_path_factory.mktemp("refusals") / "data",
        "croux",
        PASSWORD,
        "Claire Roux",
        ["supervisor"],
    )
    yield s
    s.close()


def second_tuesday(**changes: object) -> PatternInput:
    """Luc-en-Diois, 2nd Tuesday of every month from 01/12/2026, 9 h 30 – 12 h 00."""
    values: dict[str, object] = {
        "commune_insee": LUC,
        "weekday": 1,
        "week_of_month": 2,
        "first_date": dt.date(2026, 12, 1),
        "last_date": None,
        "start_time": dt.time(9, 30),
        "end_time": dt.time(12, 0),
        "place": "Parking de la salle des fêtes",
        "services": "both",
    }
    values.update(changes)
    return PatternInput(**values)  # type: ignore[arg-type]


def one_off(**changes: object) -> StopInput:
    values: dict[str, object] = {
        "commune_insee": CHATILLON,
        "stop_date": dt.date(2026, 12, 3),
        "start_time": dt.time(14, 0),
        "end_time": dt.time(16, 30),
        "place": "Place du Reviron",
        "services": "social",
    }
    values.update(changes)
    return StopInput(**values)  # type: ignore[arg-type]


def live_stops(store: LocalStore, pattern_id: str | None = None) -> list[TourStop]:
    with store.session() as session:
        query = select(TourStop).where(col(TourStop.deleted).is_(False))
        if pattern_id:
            query = query.where(TourStop.pattern_id == pattern_id)
        return list(session.exec(query.order_by(TourStop.stop_date)).all())


def counts(store: LocalStore) -> tuple[int, int, int]:
    with store.session() as session:
        return (
            session.exec(select(func.count()).select_from(TourPattern)).one(),
            session.exec(select(func.count()).select_from(TourStop)).one(),
            session.exec(select(func.count()).select_from(OutboxEntry)).one(),
        )


def pattern(store: LocalStore, pattern_id: str) -> TourPattern:
    with store.session() as session:
        found = session.get(TourPattern, pattern_id)
        assert found is not None
        return found


def receive_someone(store: LocalStore, stop: TourStop) -> None:
    """A person seen at ``stop``: the stop becomes history."""
    person = factories.add_person(store)
    factories.add_social_consultation(store, person, stop.id, stop.stop_date)


# -- the calendar --------------------------------------------------------------------------------


def test_hand_checked_occurrences() -> None:
    rule = second_tuesday()
    assert occurrences(rule, dt.date(2026, 12, 1), dt.date(2027, 2, 28)) == [  # type: ignore[arg-type]
        dt.date(2026, 12, 8),
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
    ]
    assert nth_weekday(2027, 2, 4, -1) == dt.date(2027, 2, 26)  # last Friday of February 2027
    assert nth_weekday(2026, 12, 1, 1) == dt.date(2026, 12, 1)  # the 1st is a Tuesday
    assert nth_weekday(2027, 3, 2, -1) == dt.date(2027, 3, 31)  # last Wednesday on the 31st


def test_occurrences_respect_first_last_and_skipped_dates() -> None:
    rule = second_tuesday(first_date=dt.date(2026, 12, 9), last_date=dt.date(2027, 3, 9))
    skipped = ["2027-02-09"]
    assert occurrences(rule, dt.date(2026, 1, 1), dt.date(2030, 1, 1), skipped) == [  # type: ignore[arg-type]
        dt.date(2027, 1, 12),
        dt.date(2027, 3, 9),
    ]
    assert next_occurrences(rule, dt.date(2027, 1, 13), 5, skipped) == [dt.date(2027, 3, 9)]  # type: ignore[arg-type]


@given(
    year=st.integers(2000, 2100),
    month=st.integers(1, 12),
    weekday=st.integers(0, 6),
    week=st.sampled_from([1, 2, 3, 4, -1]),
)
def test_nth_weekday_is_that_weekday_of_that_week(
    year: int, month: int, weekday: int, week: int
) -> None:
    day = nth_weekday(year, month, weekday, week)
    assert (day.year, day.month, day.weekday()) == (year, month, weekday)
    if week == -1:
        assert (day + dt.timedelta(days=7)).month != month
    else:
        assert (day.day - 1) // 7 + 1 == week


def test_french_wording() -> None:
    assert french_long_date(dt.date(2026, 12, 8)) == "mardi 8 décembre 2026"
    assert french_long_date(dt.date(2027, 6, 1)) == "mardi 1er juin 2027"
    assert hours_range_text(dt.time(9, 30), dt.time(12)) == "9 h 30 – 12 h 00"
    assert rule_text(1, 2) == "2e mardi de chaque mois"
    assert rule_text(4, -1) == "dernier vendredi de chaque mois"
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert public_holiday(dt.date(2026, 12, 25)) == "Noël"
    assert public_holiday(dt.date(2027, 3, 29)) == "lundi de Pâques"  # Easter 2027: 28 March
    assert public_holiday(dt.date(2027, 3, 30)) is None


# -- patterns ------------------------------------------------------------------------------------


def test_save_pattern_generates_twelve_months_of_stops(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    stops = live_stops(store, saved.pattern_id)
    expected = occurrences(second_tuesday(), TODAY, add_months(TODAY, 12))  # type: ignore[arg-type]
    assert [s.stop_date for s in stops] == expected
    assert saved.created == len(expected) == 12
    assert {(s.commune_insee, s.start_time, s.place, s.cms_code) for s in stops} == {
        (LUC, dt.time(9, 30), "Parking de la salle des fêtes", "CMS-DIE")
    }
    with store.session() as session:  # every stop and the pattern are queued for the vans
        queued = set(session.exec(select(OutboxEntry.record_id)).all())
    assert {s.id for s in stops} | {saved.pattern_id} <= queued


def test_public_holidays_are_left_out_and_said(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(weekday=4, week_of_month=-1), REF, TODAY)
    dates = [s.stop_date for s in live_stops(store, saved.pattern_id)]
    assert dt.date(2026, 12, 25) not in dates  # last Friday of December 2026 is Christmas
    assert dt.date(2027, 1, 29) in dates
    assert saved.holidays == (dt.date(2026, 12, 25),)


def test_only_the_supervisor_plans(social_store: LocalStore) -> None:
    before = counts(social_store)
    with pytest.raises(TourAccessError, match="responsable du CMS"):
        save_pattern(social_store, second_tuesday(), REF, TODAY)
    with pytest.raises(TourAccessError):
        save_stop(social_store, one_off(), REF, TODAY)
    assert counts(social_store) == before


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"commune_insee": "69123"}, "commune_insee", "n'est pas une commune de la Drôme"),
        ({"commune_insee": ""}, "commune_insee", "Choisissez la commune"),
        ({"end_time": dt.time(9, 0)}, "end_time", "postérieure à l'heure de début"),
        ({"place": "  "}, "place", "lieu de stationnement"),
        ({"services": "dentist"}, "services", "social, PMI ou les deux"),
        ({"first_date": dt.date(2026, 11, 1)}, "first_date", "dans le passé"),
        ({"last_date": dt.date(2026, 11, 30)}, "last_date", "postérieure à la date de début"),
        ({"last_date": dt.date(2026, 12, 5)}, "last_date", "Aucun passage"),
        ({"week_of_month": 5}, "week_of_month", "semaine du mois"),
        ({"weekday": None}, "weekday", "jour de la semaine"),
    ],
)
def test_a_wrong_pattern_is_refused_whole(
    empty_store: LocalStore, changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        save_pattern(empty_store, second_tuesday(**changes), REF, TODAY)
    assert words in caught.value.errors[field]
    assert counts(empty_store) == (0, 0, 0)


def test_changing_the_rule_spares_history_and_exceptions(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    december, january, february, march = live_stops(store, saved.pattern_id)[:4]
    receive_someone(store, january)
    moved = save_stop(
        store,
        StopInput(
            commune_insee=LUC,
            stop_date=dt.date(2027, 3, 11),
            start_time=dt.time(9, 30),
            end_time=dt.time(12),
            place="Parking de la salle des fêtes",
            services="both",
            stop_id=march.id,
        ),
        REF,
        TODAY,
    )
    later = dt.date(2027, 1, 20)  # December is past by then
    change = second_tuesday(
        start_time=dt.time(10), end_time=dt.time(12, 30), pattern_id=saved.pattern_id
    )
    result = save_pattern(store, change, REF, later)

    by_id = {s.id: s for s in live_stops(store, saved.pattern_id)}
    assert by_id[december.id].start_time == dt.time(9, 30)  # past: untouched
    assert by_id[january.id].start_time == dt.time(9, 30)  # people received: untouched
    assert by_id[moved].stop_date == dt.date(2027, 3, 11)  # moved on its own: kept as it is
    assert by_id[moved].start_time == dt.time(9, 30)
    assert by_id[february.id].start_time == dt.time(10)  # plain future stop: follows the rule
    assert dt.date(2027, 3, 9) not in {s.stop_date for s in by_id.values()}  # moved away
    assert result.updated >= 1
    assert "2027-03-09" in pattern(store, saved.pattern_id).skipped_dates


def test_changing_the_weekday_moves_plain_stops(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    save_pattern(store, second_tuesday(weekday=3, pattern_id=saved.pattern_id), REF, TODAY)
    dates = [s.stop_date for s in live_stops(store, saved.pattern_id)]
    assert dates[:2] == [dt.date(2026, 12, 10), dt.date(2027, 1, 14)]
    assert all(d.weekday() == 3 for d in dates)


def test_cancel_one_occurrence_and_it_stays_cancelled(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    january = live_stops(store, saved.pattern_id)[1]
    cancel_stop(store, january.id, TODAY)
    assert pattern(store, saved.pattern_id).skipped_dates == ["2027-01-12"]
    with store.session() as session:
        assert session.get(TourStop, january.id).deleted  # type: ignore[union-attr]
    save_pattern(
        store, second_tuesday(place="Place de la mairie", pattern_id=saved.pattern_id), REF, TODAY
    )
    assert extend_horizon(store, TODAY) == 0
    dates = {s.stop_date for s in live_stops(store, saved.pattern_id)}
    assert dt.date(2027, 1, 12) not in dates and dt.date(2027, 2, 9) in dates
    with store.session() as session:
        assert load_pattern(session, store.user, saved.pattern_id).skipped_dates == ("2027-01-12",)


def test_history_cannot_be_cancelled_or_changed(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    december = live_stops(store, saved.pattern_id)[0]
    receive_someone(store, december)
    with pytest.raises(TourAccessError, match="reçues"):
        cancel_stop(store, december.id, december.stop_date)
    with pytest.raises(TourAccessError, match="passé"):
        cancel_stop(store, december.id, december.stop_date + dt.timedelta(days=1))
    assert december.id in {s.id for s in live_stops(store)}


def test_end_pattern_removes_later_stops_but_not_history(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    stops = live_stops(store, saved.pattern_id)
    with store.session() as session:  # a satisfaction answer is history too
        session.add(
            store.stamp(
                SatisfactionAnswer(
                    stop_id=stops[3].id,
                    answered_on=stops[3].stop_date,
                    service="social",
                    service_rendered=4,
                    reception=4,
                    waiting_time=3,
                    author="",
                    device="",
                )
            )
        )
    with store.session() as session:
        assert count_stops_after(session, saved.pattern_id, dt.date(2027, 1, 31), TODAY) == 9
    result = end_pattern(store, saved.pattern_id, dt.date(2027, 1, 31), TODAY)
    assert result.removed == 9
    left = [s.stop_date for s in live_stops(store, saved.pattern_id)]
    assert left == [dt.date(2026, 12, 8), dt.date(2027, 1, 12), stops[3].stop_date]
    assert pattern(store, saved.pattern_id).last_date == dt.date(2027, 1, 31)
    assert extend_horizon(store, TODAY) == 0  # ended: nothing comes back


def test_end_before_the_start_removes_the_whole_tour(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    end_pattern(store, saved.pattern_id, TODAY - dt.timedelta(days=1), TODAY)
    assert pattern(store, saved.pattern_id).deleted
    assert live_stops(store, saved.pattern_id) == []


def test_horizon_slides_and_two_devices_generate_the_same_ids(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    first_ids = {s.stop_date: s.id for s in live_stops(store, saved.pattern_id)}
    later = dt.date(2027, 3, 1)
    added = extend_horizon(store, later)
    assert added == 3  # 14/12/2027, 11/01/2028 and 08/02/2028 came within twelve months
    assert extend_horizon(store, later) == 0
    stops = live_stops(store, saved.pattern_id)
    assert stops[-1].stop_date == occurrences(second_tuesday(), later, add_months(later, 12))[-1]  # type: ignore[arg-type]
    # The same occurrence gets the same id wherever it is generated.
    assert all(first_ids[s.stop_date] == s.id for s in stops if s.stop_date in first_ids)


# -- one-off stops -------------------------------------------------------------------------------


def test_one_off_stop_saved_moved_and_deleted(store: LocalStore) -> None:
    stop_id = save_stop(store, one_off(), REF, TODAY)
    moved = one_off(stop_date=dt.date(2026, 12, 4), stop_id=stop_id)
    assert save_stop(store, moved, REF, TODAY) == stop_id
    (stop,) = live_stops(store)
    assert (stop.stop_date, stop.pattern_id) == (dt.date(2026, 12, 4), None)
    cancel_stop(store, stop_id, TODAY)
    assert live_stops(store) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"stop_date": dt.date(2026, 11, 19)}, "stop_date", "passée"),
        ({"stop_date": dt.date(2026, 12, 25)}, "stop_date", "jour férié (Noël)"),
        ({"stop_date": dt.date(2030, 1, 8)}, "stop_date", "trop lointaine"),
        ({"start_time": None}, "start_time", "obligatoire"),
        ({"commune_insee": "Lyon"}, "commune_insee", "« Lyon » n'est pas une commune"),
    ],
)
def test_a_wrong_stop_is_refused_whole(
    empty_store: LocalStore, changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        save_stop(empty_store, one_off(**changes), REF, TODAY)
    assert words in caught.value.errors[field]
    assert counts(empty_store) == (0, 0, 0)


def test_the_van_is_not_in_two_places_at_once(store: LocalStore) -> None:
    save_pattern(store, second_tuesday(), REF, TODAY)
    before = counts(store)
    with pytest.raises(ValidationError) as caught:
        save_stop(
            store, one_off(stop_date=dt.date(2026, 12, 8), start_time=dt.time(11)), REF, TODAY
        )
    assert "Luc-en-Diois, 9 h 30 – 12 h 00" in caught.value.errors["stop_date"]
    with pytest.raises(ValidationError) as caught:
        save_pattern(store, second_tuesday(commune_insee=CHATILLON), REF, TODAY)
    assert "mardi 8 décembre 2026" in caught.value.errors["weekday"]
    assert counts(store) == before
    # The afternoon of the same day is free.
    save_stop(store, one_off(stop_date=dt.date(2026, 12, 8)), REF, TODAY)


def test_listing_by_period_and_commune(store: LocalStore) -> None:
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    save_stop(store, one_off(), REF, TODAY)
    january = live_stops(store, saved.pattern_id)[1]
    save_stop(
        store,
        StopInput(
            LUC, january.stop_date, dt.time(10), dt.time(12), january.place, "pmi", january.id
        ),
        REF,
        TODAY,
    )
    with store.session() as session:
        rows = list_planned_stops(session, store.user, REF, TODAY, dt.date(2027, 2, 28), TODAY)
        luc = list_planned_stops(
            session, store.user, REF, TODAY, dt.date(2027, 2, 28), TODAY, commune_insee=LUC
        )
    assert [(r.stop_date, r.commune_name) for r in rows] == [
        (dt.date(2026, 12, 3), "Châtillon-en-Diois"),
        (dt.date(2026, 12, 8), "Luc-en-Diois"),
        (dt.date(2027, 1, 12), "Luc-en-Diois"),
        (dt.date(2027, 2, 9), "Luc-en-Diois"),
    ]
    assert rows[0].rule is None and rows[1].rule == "2e mardi de chaque mois"
    assert [r.exception for r in rows] == [False, False, True, False]
    assert rows[2].services_label == "PMI"
    assert [r.stop_date for r in luc] == [
        dt.date(2026, 12, 8),
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
    ]


# -- the CMS's contact ---------------------------------------------------------------------------


def test_cms_contact_and_fallback(tmp_path: Path) -> None:
    die = cms_contact("CMS-DIE")
    assert die.name == "Centre médico-social de Die" and "26150 Die" in (die.address or "")
    assert die.phone and die.email and die.opening_hours
    unknown = cms_contact("CMS-NULLE-PART")
    assert (unknown.name, unknown.phone, unknown.email) == ("Centre médico-social", None, None)
    (tmp_path / "cms.json").write_text(json.dumps({"items": [{"code": "X"}]}), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"cms\.json"):
        load_cms_contacts(tmp_path)
