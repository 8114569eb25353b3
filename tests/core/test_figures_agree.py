"""The dashboard, the bilan (PDF and XLSX) and the anonymised statistics agree to the unit.

Each document is produced through its own code path for the same period (the last quarter of
2026, a whole quarter as the anonymised export requires) on the data set of
``tests.core.activity_data``; the anonymised tables are built with the statistical secret
switched off (its suppression is tested apart) so their raw counts can be compared.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.core.activity_data import (
    AFTER_Q4,
    Q4_END,
    Q4_START,
    SUPERVISOR,
    ActivityData,
    build_activity_data,
)
from tests.pdf import pdf_text
from van_app.core.confidentiality import readable_classes
from van_app.core.indicators import ActivityFilter, ActivityReport, activity_report
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.core.reports import anonymised, statistical_secret
from van_app.core.reports.bilan_pdf import write_bilan_pdf
from van_app.core.reports.bilan_xlsx import write_bilan_xlsx
from van_app.core.reports.statistical_secret import Protection, StatTable

MONTHS = ("2026-10", "2026-11", "2026-12")


@pytest.fixture
def data(social_store: LocalStore) -> ActivityData:
    return build_activity_data(social_store)


@pytest.fixture
def report(social_store: LocalStore, data: ActivityData) -> ActivityReport:
    with social_store.session() as session:
        return activity_report(
            session, SUPERVISOR, ActivityFilter(Q4_START, Q4_END), reference(), AFTER_Q4
        )


@pytest.fixture
def raw_tables(
    social_store: LocalStore, data: ActivityData, monkeypatch: pytest.MonkeyPatch
) -> dict[str, StatTable]:
    """The anonymised tables with every count shown (no suppression)."""

    def show_all(
        figures: Any, values: Any, distinct: bool = False, *_: Any, **__: Any
    ) -> Protection:
        return Protection(dict(values), frozenset(), frozenset())

    monkeypatch.setattr(statistical_secret, "protect_figures", show_all)
    try:
        from van_app.core.reports import attendance_secret
    except ImportError:  # pragma: no cover - the attendance protection not split out
        pass
    else:
        monkeypatch.setattr(attendance_secret, "protect_figures", show_all, raising=False)
    with social_store.session() as session:
        tables = anonymised.anonymised_tables(
            session, Q4_START, Q4_END, reference(), readable_classes(SUPERVISOR)
        )
    return {table.key: table for table in tables}


def _sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in load_workbook(path)[sheet].iter_rows(values_only=True)]


def _value(rows: list[tuple[Any, ...]], first: Any, column: int) -> Any:
    return next(row[column] for row in rows if row and row[0] == first)


def _by(rows, key_columns: tuple[int, ...], value_column: int) -> Counter[Any]:  # type: ignore[no-untyped-def]
    totals: Counter[Any] = Counter()
    for row in rows:
        key = tuple(row[i] for i in key_columns)
        totals[key[0] if len(key) == 1 else key] += row[value_column]
    return totals


def test_consultations_people_and_new_people_agree(
    report: ActivityReport, raw_tables: dict[str, StatTable], tmp_path: Path
):
    xlsx = tmp_path / "bilan.xlsx"
    write_bilan_xlsx(xlsx, report, reference(), "CMS-DIE")
    summary = _sheet_rows(xlsx, "Synthèse")
    by_month = _sheet_rows(xlsx, "Par mois")

    # Consultations (signed only, drafts out): 13 everywhere.
    attendance = raw_tables["frequentation"].rows
    assert report.key.consultations == 13
    assert _value(summary, "Consultations signées", 1) == 13
    assert sum(row[3] for row in attendance) == 13

    # People per month (each person once a month, duplicates merged): October 6, November 6.
    dashboard_people = [m.people for m in report.monthly]
    assert dashboard_people == [6, 6, 0]
    assert [_value(by_month, dt.datetime(2026, 10 + i, 1), 1) for i in range(3)] == (
        dashboard_people
    )
    ages = _by(raw_tables["age_sexe"].rows, (0,), 2)  # women
    ages += _by(raw_tables["age_sexe"].rows, (0,), 3)  # men
    ages += _by(raw_tables["age_sexe"].rows, (0,), 4)  # undetermined
    assert [ages[m] for m in MONTHS] == dashboard_people

    # New people (first met in the month) and those not known before: Oct 5 (3), Nov 2 (2).
    first_met = [(m.first_met, m.unknown_before) for m in report.monthly]
    assert first_met == [(5, 3), (2, 2), (0, 0)]
    month_rows = [_value_row(by_month, dt.datetime(2026, 10 + i, 1)) for i in range(3)]
    assert [(row[3], row[4]) for row in month_rows] == first_met
    new_known = {row[0]: (row[1], row[2]) for row in raw_tables["connues_nouvelles"].rows}
    assert [(new + known, new) for new, known in (new_known[m] for m in MONTHS)] == first_met
    assert report.key.first_met == sum(n for n, _ in first_met)


def test_orientations_demands_delays_and_satisfaction_agree(
    report: ActivityReport, raw_tables: dict[str, StatTable], tmp_path: Path
):
    xlsx = tmp_path / "bilan.xlsx"
    write_bilan_xlsx(xlsx, report, reference(), "CMS-DIE")
    assert report.social is not None and report.resolution is not None

    # Orientations by partner (deleted and drafts' out): caf 2, cpam 1, france_travail 1, adil 1.
    dashboard = {i.label: i.count for i in report.social.orientations}
    assert sum(dashboard.values()) == report.social.orientations_total == 5
    sheet = _sheet_rows(xlsx, "Orientations")
    assert {label: _value(sheet, label, 2) for label in dashboard} == dashboard
    assert dict(_by(raw_tables["orientations"].rows, (1,), 3)) == dashboard

    # Demand types, counted once per signed social consultation.
    demands = {i.label: i.count for i in report.social.demand_types}
    sheet = _sheet_rows(xlsx, "Types de demande")
    assert {label: _value(sheet, label, 2) for label in demands} == demands
    assert dict(_by(raw_tables["types_demande"].rows, (1,), 2)) == demands

    # Time to resolve: every resolved demand in the Département's buckets.
    buckets = {b.label: b.count for b in report.resolution.delay_buckets}
    assert list(buckets.values()) == [3, 1, 0, 0, 1]
    sheet = _sheet_rows(xlsx, "Accueil social")
    assert {label: _value(sheet, label, 2) for label in buckets} == buckets
    delays = raw_tables["delais_resolution"]
    anonymised_buckets = {
        label: sum(row[1 + i] for row in delays.rows) for i, label in enumerate(delays.headers[1:])
    }
    assert anonymised_buckets == buckets

    # Satisfaction per question: answers and "bien ou excellent".
    satisfaction = {
        q.label: (q.answers, q.good_or_excellent) for q in report.satisfaction.questions
    }
    sheet = _sheet_rows(xlsx, "Satisfaction")
    in_xlsx = {label: _value_row(sheet, label) for label in satisfaction}
    assert {label: (row[1], row[4] + row[5]) for label, row in in_xlsx.items()} == satisfaction
    answers = _by(raw_tables["satisfaction"].rows, (2,), 3)
    good = _by(raw_tables["satisfaction"].rows, (2,), 4)
    assert {label: (answers[label], good[label]) for label in satisfaction} == satisfaction


def _value_row(rows: list[tuple[Any, ...]], first: Any) -> tuple[Any, ...]:
    return next(row for row in rows if row and row[0] == first)


def test_the_pdf_prints_the_same_key_figures(report: ActivityReport, tmp_path: Path):
    path = tmp_path / "bilan.pdf"
    write_bilan_pdf(path, report, reference(), "CMS-DIE")
    text = " ".join(pdf_text(path, layout=False).replace("\u00a0", " ").split())
    assert f"Personnes reçues {report.key.people} " in text
    assert f"Consultations signées {report.key.consultations} " in text
    assert f"Orientations vers un partenaire {report.social.orientations_total} " in text  # type: ignore[union-attr]
    for month in report.monthly[:2]:
        assert f"{month.people} {month.consultations} {month.first_met} {month.unknown_before}" in (
            text
        )
