"""Anonymised statistics: counts by month only, small cells hidden, nothing that names anyone."""

from __future__ import annotations

import csv
import datetime as dt
import io
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
from van_app.core.reports.statistical_secret import PRIMARY_MARK, SECONDARY_MARK, protect

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
                person = _person(f"Achard{band[:2]}{sex}{n}", "Josiane", born, sex)
                people.append(person)
                records += [person, _visit(person, stop, VISIT_DAY, known_before=n % 2 == 0)]
    kept = next(p for p in people if p.birth_date.year == 1970 and p.sex == "F")
    # A duplicate of a 45–59 woman, registered as a child by mistake, then merged: it must
    # count as her (same band, same person), never as a 0–2 year-old.
    duplicate = _person("Achardd", "Josianne", dt.date(2025, 5, 5), "F", merged_into_id=kept.id)
    records += [duplicate, _visit(duplicate, stop, VISIT_DAY, demand_types=["housing"])]
    noted = _visit(people[0], None, dt.date(2026, 11, 3), demand_types=["rsa"], note=FREE_TEXT)
    records += [
        noted,
        _visit(people[1], stop, dt.date(2026, 9, 30)),  # before the period: not counted
        PmiConsultation(
            beneficiary_id=people[2].id, stop_id=die.id, consultation_date=VISIT_DAY,
            kind="prenatal", orientation_partner="pmi_doctor", orientation_date=VISIT_DAY,
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
    assert ages.headers == ("Tranche d'âge", "Femmes", "Hommes", "Sexe indéterminé")
    rows = {row[0]: tuple(shown(v) for v in row[1:]) for row in ages.rows}
    assert rows["18–29 ans"] == (PRIMARY_MARK, PRIMARY_MARK, "0")  # 5, 10, 0
    assert rows["30–44 ans"] == (PRIMARY_MARK, PRIMARY_MARK, "0")  # 7, 3, 0
    assert rows["45–59 ans"] == ("11", "12", "0"), "the merged duplicate counts as her, once"
    assert rows["0–2 ans"] == ("0", "0", "0"), "the duplicate's own birth date is not used"
    assert (ages.primary, ages.secondary) == (4, 0)


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
        ("2026-10", "Die"): 5, ("2026-10", "Luc"): 40, ("2026-10", "Crest"): 25,
        ("2026-11", "Die"): 30, ("2026-11", "Luc"): 50, ("2026-11", "Crest"): 60,
    }  # fmt: skip
    values, primary, secondary = protect(cells)
    # Die's 5 is alone in its column and its month: November's Die and October's Crest go
    # too; then November's Crest pairs both November and the Crest column at once, so the
    # Luc column stays readable.
    assert values == {
        ("2026-10", "Die"): PRIMARY_MARK, ("2026-10", "Luc"): 40,
        ("2026-10", "Crest"): SECONDARY_MARK, ("2026-11", "Die"): SECONDARY_MARK,
        ("2026-11", "Luc"): 50, ("2026-11", "Crest"): SECONDARY_MARK,
    }  # fmt: skip
    assert (primary, secondary) == (1, 3)


def test_a_zero_is_hidden_only_when_nothing_else_can_be_and_then_reads_fewer_than_11() -> None:
    values, _, _ = protect({("a",): 4, ("b",): 0, ("c",): 20})
    assert values == {("a",): PRIMARY_MARK, ("b",): 0, ("c",): SECONDARY_MARK}
    values, primary, secondary = protect({("a",): 4, ("b",): 0})
    # "s" beside a lone "< 11" would say the total is all in the "< 11" cell.
    assert values == {("a",): PRIMARY_MARK, ("b",): PRIMARY_MARK}
    assert (primary, secondary) == (1, 1)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")),
        st.integers(min_value=0, max_value=40),
        min_size=1,
    )
)
def test_no_line_is_ever_left_with_a_single_hidden_cell(cells: dict) -> None:  # type: ignore[type-arg]
    values, primary, secondary = protect(cells)
    marks = (PRIMARY_MARK, SECONDARY_MARK)
    for key, value in cells.items():
        if 1 <= value <= 10:
            assert values[key] == PRIMARY_MARK
        elif values[key] in marks:
            assert values[key] == (PRIMARY_MARK if value == 0 else SECONDARY_MARK)
        else:
            assert values[key] == value
    assert primary + secondary == sum(v in marks for v in values.values())
    for axis in (0, 1):
        lines: dict[str, list[object]] = {}
        for key in cells:
            lines.setdefault(key[1 - axis], []).append(values[key])
        for line in lines.values():
            assert sum(v in marks for v in line) != 1 or len(line) == 1


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
    # 48 people first seen in October, known when their number is even; none later.
    known = sum((count + 1) // 2 for _, _, *counts in AGE_GRID for count in counts)
    assert rows[1] == ["2026-10", str(48 - known), str(known)]
    assert rows[2] == ["2026-11", "0", "0"]
    assert not list(tmp_path.glob(".*partiel")), "no partial file left behind"
