"""Anonymised statistics: counts by month only, small cells hidden, nothing that names anyone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from van_app.core.confidentiality import Conf
from van_app.core.db import add_in_dependency_order
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    SocialOrientation,
    SyncedRecord,
    TourStop,
)
from van_app.core.reference import reference
from van_app.core.reports.anonymised import (
    AnonymisedMeta,
    StatTable,
    anonymised_tables,
    write_anonymised_csv,
    write_anonymised_xlsx,
)
from van_app.core.reports.statistical_secret import (
    ALL,
    PRIMARY_MARK,
    SECONDARY_MARK,
    protect,
    protect_grid,
)

START, END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
VISIT_DAY = dt.date(2026, 10, 15)
SOCIAL_AND_SERVICE = frozenset({Conf.SERVICE, Conf.SOCIAL})
# (age band label, birth date that falls in it on VISIT_DAY, women, men): counts 0, 5, 10, 11, 12
AGE_GRID = (
    ("18–29 ans", dt.date(2000, 3, 3), 5, 10),
    ("30–44 ans", dt.date(1990, 4, 4), 7, 3),
    ("45–59 ans", dt.date(1970, 5, 5), 11, 12),
)
FREE_TEXT = "Loyer impayé depuis mars, propriétaire menaçant"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FRENCH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MONTH = re.compile(r"^\d{4}-\d{2}$")


def _add_all(store: LocalStore, records: list[SyncedRecord]) -> None:
    with store.session() as session:
        add_in_dependency_order(session, [store.stamp(record) for record in records])


def _person(name: str, first: str, born: dt.date, sex: str, **fields) -> Beneficiary:  # type: ignore[no-untyped-def]
    return Beneficiary(
        birth_name=name, first_names=first, birth_date=born, sex=sex, author="", device="",
        **fields,
    )  # fmt: skip


def _visit(person: Beneficiary, stop: TourStop | None, day: dt.date, **fields):  # type: ignore[no-untyped-def]
    return SocialConsultation(
        beneficiary_id=person.id, stop_id=stop.id if stop else None, consultation_date=day,
        status="signed", author="", device="", **fields,
    )  # fmt: skip


@pytest.fixture
def data_set(social_store: LocalStore) -> dict[str, object]:
    """48 people seen once in October at Luc-en-Diois, a merged duplicate, and extras."""
    stop = TourStop(
        commune_insee="26167", stop_date=VISIT_DAY, start_time=dt.time(9, 30),
        end_time=dt.time(12, 30), place="Parking de la salle des fêtes", services="both",
        cms_code="CMS-DIE", author="", device="",
    )  # fmt: skip
    die = TourStop(
        commune_insee="26113", stop_date=VISIT_DAY, start_time=dt.time(14, 0),
        end_time=dt.time(17, 0), place="Place de l'Évêché", services="pmi",
        cms_code="CMS-DIE", author="", device="",
    )  # fmt: skip
    records: list[SyncedRecord] = [stop, die]
    people: list[Beneficiary] = []
    for band, born, women, men in AGE_GRID:
        for sex, count in (("F", women), ("M", men)):
            for n in range(count):
                # Known to the CMS before her first contact: her own flag (asked once).
                person = _person(
                    f"Achard{band[:2]}{sex}{n}", "Josiane", born, sex, known_to_cms=n % 2 == 0
                )
                people.append(person)
                records += [person, _visit(person, stop, VISIT_DAY)]
    kept = next(p for p in people if p.birth_date.year == 1970 and p.sex == "F")
    # A duplicate of a 45–59 woman, registered as a child by mistake, then merged: it must
    # count as her (same band, same person), never as a 0–2 year-old.
    duplicate = _person("Achardd", "Josianne", dt.date(2025, 5, 5), "F", merged_into_id=kept.id)
    records += [duplicate, _visit(duplicate, stop, VISIT_DAY, demand_types=["housing"])]
    noted = _visit(people[0], None, dt.date(2026, 11, 3), demand_types=["rsa"], note=FREE_TEXT)
    records += [
        noted,
        _visit(people[1], stop, dt.date(2026, 9, 30)),  # before the period: not counted
        PmiConsultation(  # in November, beside the other small cell of that month
            beneficiary_id=people[2].id, stop_id=die.id, consultation_date=dt.date(2026, 11, 3),
            kind="prenatal", orientation_partner="pmi_doctor", orientation_date=VISIT_DAY,
            status="signed",
            note="Tension à surveiller", author="", device="",
        ),
        FollowUp(
            beneficiary_id=people[0].id, demand_type="rsa", opened_on=dt.date(2026, 11, 3),
            due_on=dt.date(2026, 11, 17), closed_on=dt.date(2026, 11, 6), outcome="resolved",
            note="Droits ouverts", author="", device="",
        ),
        SatisfactionAnswer(
            stop_id=stop.id, answered_on=VISIT_DAY, service="social", service_rendered=4,
            reception=3, waiting_time=1, author="", device="",
        ),
    ]  # fmt: skip
    _add_all(social_store, records)
    _add_all(
        social_store,
        [
            SocialOrientation(
                consultation_id=noted.id, partner_code="caf",
                orientation_date=noted.consultation_date, author="", device="",
            )
        ],
    )  # fmt: skip
    return {"people": [*people, duplicate], "stop": stop}


def tables_for(store: LocalStore, classes=SOCIAL_AND_SERVICE) -> dict[str, StatTable]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        tables = anonymised_tables(session, START, END, reference(), classes)
    return {table.key: table for table in tables}


def shown(value: object) -> str:
    return str(value)


# -- the suppression rule --------------------------------------------------------------------


def test_counts_0_5_10_11_12_are_shown_0_hidden_hidden_11_12(
    social_store: LocalStore, data_set: dict[str, object]
) -> None:
    ages = tables_for(social_store)["age_sexe"]
    assert ages.headers == ("Mois", "Tranche d'âge", "Femmes", "Hommes", "Sexe indéterminé")
    rows = {row[1]: tuple(shown(v) for v in row[2:]) for row in ages.rows if row[0] == "2026-10"}
    assert rows["18–29 ans"] == (PRIMARY_MARK, PRIMARY_MARK, "0")  # 5, 10, 0
    assert rows["30–44 ans"] == (PRIMARY_MARK, PRIMARY_MARK, "0")  # 7, 3, 0
    assert rows["45–59 ans"] == ("11", "12", "0"), "the merged duplicate counts as her, once"
    assert "0–2 ans" not in rows, "the duplicate's own birth date is not used (a row of 0s)"
    # Every total of the month assumed known (18–29: 15, F: 23, M: 25…), the four hidden
    # cells still move together (+1 −1 −1 +1): no complement is needed. November has one
    # person (a fifth primary cell) whose totals are all 1, hidden too.
    assert (ages.primary, ages.secondary) == (5, 0)
    assert [row[:2] for row in ages.rows if row[0] == "2026-11"] == [("2026-11", "18–29 ans")]


def test_merged_people_count_once_and_the_period_bounds_the_counts(
    social_store: LocalStore, data_set: dict[str, object]
) -> None:
    attendance = tables_for(social_store)["frequentation"]
    rows = {row[:3]: row[3:] for row in attendance.rows}
    # 48 people + the duplicate's visit: 49 consultations, 48 people; September is out.
    assert rows[("2026-10", "Luc-en-Diois", "Accueil social")] == (49, 48)
    assert ("2026-09", "Luc-en-Diois", "Accueil social") not in rows
    assert all(MONTH.match(str(row[0])) for row in attendance.rows)


def test_a_lone_hidden_cell_takes_a_neighbour_with_it_at_the_least_cost() -> None:
    cells = {
        ("Die", "social"): 5, ("Die", "pmi"): 40,
        ("Luc", "social"): 25, ("Luc", "pmi"): 50,
        ("Crest", "social"): 60, ("Crest", "pmi"): 12,
    }  # fmt: skip
    values, primary, secondary = protect(cells)
    # Die's 5 is alone in its commune and in its service: with every total known, it needs
    # a rectangle of hidden cells (+1 −1 −1 +1): Die's PMI and another commune's two cells.
    assert values[("Die", "social")] == PRIMARY_MARK
    assert values[("Die", "pmi")] == SECONDARY_MARK
    hidden = {commune for (commune, _), v in values.items() if v == SECONDARY_MARK}
    assert hidden in ({"Die", "Luc"}, {"Die", "Crest"})
    assert (primary, secondary) == (1, 3)
    assert not recoverable(cells, values)


def test_a_hidden_cell_among_zeros_hides_its_line_total_not_a_zero() -> None:
    # The line's total is the cell itself: it is 1 to 10, so it is hidden like the cell.
    values, primary, secondary = protect({("a",): 4, ("b",): 0})
    assert values == {("a",): PRIMARY_MARK, ("b",): 0}
    assert (primary, secondary) == (1, 0)
    # With a 20 beside it, the total 24 is published: the 20 goes, never the 0.
    values, _, _ = protect({("a",): 4, ("b",): 0, ("c",): 20})
    assert values == {("a",): PRIMARY_MARK, ("b",): 0, ("c",): SECONDARY_MARK}


def test_zero_neighbours_do_not_isolate_a_hidden_cell() -> None:
    # Die's PMI 3 has zeros all around: its commune total (3) is hidden, and its service
    # column gets a second hidden cell, so neither total gives it away.
    cells = {
        ("Die", "social"): 0, ("Die", "pmi"): 3,
        ("Luc", "social"): 0, ("Luc", "pmi"): 14,
        ("Crest", "social"): 30, ("Crest", "pmi"): 0,
    }  # fmt: skip
    values, _, _ = protect(cells)
    assert values[("Die", "pmi")] == PRIMARY_MARK
    assert values[("Luc", "pmi")] == SECONDARY_MARK, "the column's other non-zero cell"
    assert not recoverable(cells, values)


def test_a_zero_taken_as_a_complement_reads_fewer_than_11() -> None:
    # Only zeros can pair the 6 in its column: the 0 taken reads "< 11", never apart.
    cells = {("a", "x"): 6, ("a", "y"): 0, ("b", "x"): 0, ("b", "y"): 0}
    values, _, _ = protect(cells)
    assert values[("a", "x")] == PRIMARY_MARK
    assert all(v in (0, PRIMARY_MARK) for v in values.values())
    assert not recoverable(cells, values)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xy")),
        st.sampled_from([0, 0, 1, 2, 3, 5, 8, 10, 11, 12, 14, 20]),
        min_size=1,
    )
)
def test_no_hidden_cell_of_a_small_table_has_a_single_possible_value(cells: dict) -> None:  # type: ignore[type-arg]
    """Brute force: every table agreeing with what is published and with every total."""
    values, primary, secondary = protect(cells)
    marks = (PRIMARY_MARK, SECONDARY_MARK)
    for key in values:
        value = cells.get(key, 0)
        if 1 <= value <= 10:
            assert values[key] == PRIMARY_MARK
        elif values[key] in marks:
            assert values[key] == (PRIMARY_MARK if value == 0 else SECONDARY_MARK)
        else:
            assert values[key] == value
    assert primary + secondary == sum(v in marks for v in values.values())
    assert not recoverable(cells, values)


def recoverable(cells: dict, values: dict) -> list:  # type: ignore[type-arg]
    """The hidden cells that take one value in every completion of the table (brute force).

    Known: the shown cells, the marks ("< 11": 0 to 10; "s": 11 or more) and every total
    (per row, per column, grand) as the protection publishes it for every document: its
    value, or only its mark when it is 1 to 10 or had to be hidden too. Cells missing from
    ``cells`` are 0 and known.
    """
    published = protect_grid(cells).shown
    rows = sorted({k[0] for k in cells})
    columns = sorted({k[1] for k in cells})
    grid = {(r, c): cells.get((r, c), 0) for r in rows for c in columns}
    shown = {k: published[k] for k in grid}
    assert all(values[k] == shown[k] for k in grid)
    totals = [[k for k in grid if k[0] == r] for r in rows]
    totals += [[k for k in grid if k[1] == c] for c in columns]
    totals.append(list(grid))
    names = [(r, ALL) for r in rows] + [(ALL, c) for c in columns] + [(ALL, ALL)]
    known = [(t, published[name]) for t, name in zip(totals, names, strict=True)]

    def fits(keys: list, mark: object, guess: dict) -> bool:  # type: ignore[type-arg]
        value = sum(guess[k] for k in keys)
        if mark == PRIMARY_MARK:
            return value <= 10
        return value >= 11 if mark == SECONDARY_MARK else value == mark

    def ceiling(key: tuple) -> int:  # type: ignore[type-arg]
        bounds = [10 if mark == PRIMARY_MARK else mark for t, mark in known if key in t]
        return min(b for b in bounds if isinstance(b, int))

    def choices(key: tuple) -> range:  # type: ignore[type-arg]
        if isinstance(shown[key], int):
            return range(shown[key], shown[key] + 1)
        if shown[key] == PRIMARY_MARK:
            return range(0, min(10, ceiling(key)) + 1)
        return range(11, ceiling(key) + 1)

    row_options = []
    for r, (t, mark) in zip(rows, known, strict=False):
        keys = [k for k in grid if k[0] == r]
        options = [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(choices(k) for k in keys))
        ]
        row_options.append([o for o in options if fits(t, mark, o)])
    seen: dict = {k: set() for k in grid if not isinstance(shown[k], int)}  # type: ignore[type-arg]
    for parts in itertools.product(*row_options):
        guess = {k: v for part in parts for k, v in part.items()}
        if all(fits(t, mark, guess) for t, mark in known):
            for k in seen:
                seen[k].add(guess[k])
    assert all(seen[k] for k in seen), "the true table is always a completion"
    return [k for k in seen if len(seen[k]) == 1]


# -- what each role may build ----------------------------------------------------------------


def test_each_role_exports_only_the_classes_it_reads(
    social_store: LocalStore, data_set: dict[str, object]
) -> None:
    social = tables_for(social_store)
    assert {"types_demande", "delais_resolution"} <= set(social)
    assert all(row[2] == "Accueil social" for row in social["orientations"].rows)
    assert "PMI" in social["orientations"].definition

    nurse = tables_for(social_store, frozenset({Conf.SERVICE, Conf.MEDICAL}))
    assert "types_demande" not in nurse and "delais_resolution" not in nurse
    assert [row[2] for row in nurse["orientations"].rows] == ["PMI"]
    assert nurse["orientations"].rows[0][3] == PRIMARY_MARK


# -- the files -------------------------------------------------------------------------------


@pytest.fixture
def workbook(
    social_store: LocalStore, data_set: dict[str, object], tmp_path: Path
) -> Iterator[tuple[Path, list[StatTable]]]:
    tables = list(tables_for(social_store).values())
    path = tmp_path / "statistiques.xlsx"
    write_anonymised_xlsx(
        path, tables, AnonymisedMeta(START, END, dt.date(2027, 1, 5), "CMS-DIE", SOCIAL_AND_SERVICE)
    )
    yield path, tables


def test_no_cell_of_the_workbook_names_dates_or_identifies_anyone(
    workbook: tuple[Path, list[StatTable]], data_set: dict[str, object]
) -> None:
    path, tables = workbook
    people: list[Beneficiary] = data_set["people"]  # type: ignore[assignment]
    forbidden = {FREE_TEXT, "Tension à surveiller", "Droits ouverts", "Josiane", "Josianne"}
    for person in people:
        forbidden |= {person.birth_name, person.id, person.birth_date.isoformat()}
        forbidden.add(person.birth_date.strftime("%d/%m/%Y"))
    forbidden.add(data_set["stop"].id)  # type: ignore[attr-defined]
    book = load_workbook(path)
    assert book.sheetnames[0] == "Méthode" and len(book.sheetnames) == len(tables) + 1
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert not isinstance(cell.value, dt.date), f"a date in {sheet.title}"
                texts.append(str(cell.value))
    for text in texts:
        assert not ISO_DATE.search(text), text
        assert not FRENCH_DATE.search(text), text
        assert not UUID.search(text), text
        for word in forbidden:
            assert word not in text
    everything = "\n".join(texts)
    assert "< 11" in everything and "Secret statistique" in everything
    attendance = book["Fréquentation"]
    months = [row[0] for row in attendance.iter_rows(min_row=5, values_only=True)]
    assert months and all(MONTH.match(str(month)) for month in months)
    luc = next(
        r for r in attendance.iter_rows(min_row=5, values_only=True) if r[1] == "Luc-en-Diois"
    )
    assert luc[3:] == (49, 48), "counts stay numbers the reader can sum"


def test_the_csv_archive_holds_one_file_per_table(
    social_store: LocalStore, data_set: dict[str, object], tmp_path: Path
) -> None:
    tables = list(tables_for(social_store).values())
    path = tmp_path / "statistiques.zip"
    write_anonymised_csv(path, tables, AnonymisedMeta(START, END, dt.date(2027, 1, 5)))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == "00_methode.csv" and len(names) == len(tables) + 1
        text = archive.read("03_connues_nouvelles.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Mois", "Nouvelles pour le CMS", "Déjà connues du CMS"]
    # 48 people seen in October, known when their number is even; first met there: all but
    # people[1] (number 1, not known), first seen on 30/09. Nobody is first met later.
    known = sum((count + 1) // 2 for _, _, *counts in AGE_GRID for count in counts)
    assert rows[1] == ["2026-10", str(48 - known - 1), str(known)]
    assert rows[2] == ["2026-11", "0", "0"]
    assert not list(tmp_path.glob(".*partiel")), "no partial file left behind"
