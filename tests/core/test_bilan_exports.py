"""The bilan as PDF and XLSX, on the data set of test_indicators (figures worked out there)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.core.activity_data import (
    AFTER_Q4,
    NURSE,
    Q4_END,
    Q4_START,
    SUPERVISOR,
    ActivityData,
    build_activity_data,
)
from tests.pdf import pdf_text
from van_app.core.indicators import ActivityFilter, ActivityReport, activity_report
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.core.reports.bilan_pdf import bilan_title, write_bilan_pdf
from van_app.core.reports.bilan_xlsx import write_bilan_xlsx

TITLE = (
    "Bilan d'activité du service itinérant — Centre médico-social de Die — "
    "du 01/10/2026 au 31/12/2026"
)
PEOPLE_NAMES = ("NomP1", "PrénomP1", "NomP3", "NomP7", "PrénomP14")  # none may appear


def _report(store: LocalStore, roles: tuple[str, ...] = SUPERVISOR) -> ActivityReport:
    with store.session() as session:
        return activity_report(
            session, roles, ActivityFilter(Q4_START, Q4_END), reference(), AFTER_Q4, compare=True
        )


@pytest.fixture
def data(social_store: LocalStore) -> ActivityData:
    return build_activity_data(social_store)


def _pdf_text(path: Path) -> str:
    out = pdf_text(path, layout=False)
    return " ".join(out.replace("\u00a0", " ").split())


def test_the_title_names_the_cms_and_the_period(social_store: LocalStore, data: ActivityData):
    report = _report(social_store)
    assert bilan_title(report, "CMS-DIE") == TITLE
    assert bilan_title(report, "Die").startswith("Bilan d'activité du service itinérant — CMS Die")


def test_pdf_holds_the_figures_and_no_names(
    social_store: LocalStore, data: ActivityData, tmp_path: Path
):
    path = tmp_path / "bilan.pdf"
    write_bilan_pdf(path, _report(social_store), reference(), "CMS-DIE")
    assert path.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".*partiel"))  # written whole, no leftover
    text = _pdf_text(path)
    assert TITLE in text
    for expected in (
        "Chiffres clés",
        "Personnes reçues 8",  # P1 P2 P3 P6 P7 P8 P10 P14
        "Personnes non connues du CMS auparavant 71 % — 5 personnes sur 7 rencontrées",
        "Objectif : 4 jours (15 à 21 jours avant le guichet unique) — atteint",
        "Objectif : 70 % de « bien » ou « excellent » — non atteint",
        "Un an avant (du 01/10/2025 au 31/12/2025).",
        "Indicateurs du Département par commune",
        "Luc-en-Diois 60 % (3/5) 100 % (2/2) 33 % (2/6) 2 5",
        "Activité mois par mois",
        "octobre 2026 6 7 5 3 2 40 % (2/5)",
        "Service rendu jugé « bien » ou « excellent » 50 %",  # 2 of 4
        "Résolution immédiate (sur place) 25 %",  # C1, C3 of 8
        "Objectif : 45 %",
        "Délai médian de résolution d'une demande",
        # C1, C3 on the spot, F2 0, F1 3, F11 35 (test_indicators); F3 partial; F5 other.
        "Délai médian : 0 jour (5 demandes résolues, dont 2 sur place (0 jour) ; suivis seuls "
        ": 3 jours (3 suivis résolus, sur 3 cas seulement) ; 1 suivi partiellement résolu à "
        "part ; 1 autre clôturé)",
        "Suivis en cours au 31/12/2026 4 0 dont 3 en retard",  # 0 a year before
        "réservé aux professionnels de PMI",  # late vaccinations, for a supervisor
        "Fréquentation par commune et par arrêt",
        "Châtillon-en-Diois 2 1 1 0,5",  # stops, people, consultations, mean
        "Luc-en-Diois 2 7 11 5",
        "Hors tournée 0 1 1 —",
        "Résolu sur place 2 25 %",
        "Orientations par partenaire",
        "Types de demande",
        "Définitions",
        "Résolution immédiate : consultations sociales dont l'issue est « Résolu sur place »",
    ):
        assert expected in text, expected
    for name in PEOPLE_NAMES:
        assert name not in text


def _rows(sheet) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def _row_of(sheet, first: str):  # type: ignore[no-untyped-def]
    """The cells of the row whose first cell is ``first``."""
    for row in sheet.iter_rows():
        if row[0].value == first:
            return row
    raise AssertionError(f"no row {first!r} in {sheet.title}")


def test_xlsx_holds_the_numbers(social_store: LocalStore, data: ActivityData, tmp_path: Path):
    path = tmp_path / "bilan.xlsx"
    write_bilan_xlsx(path, _report(social_store), reference(), "CMS-DIE")
    book = load_workbook(path)
    assert book.sheetnames == [
        "Synthèse",
        "Arrêts",
        "Communes",
        "Par mois",
        "Communes par mois",
        "Satisfaction",
        "Accueil social",
        "Types de demande",
        "Orientations",
        "PMI",
        "Définitions",
    ]
    summary = book["Synthèse"]
    assert summary["A1"].value == TITLE
    assert _row_of(summary, "Personnes reçues")[1].value == 8
    unknown = _row_of(summary, "Personnes non connues du CMS auparavant")
    assert (unknown[1].value, unknown[1].number_format) == (5 / 7, "0%")
    assert (unknown[3].value, unknown[3].number_format) == (0.5, "0%")  # the pilot's half
    assert unknown[6].value == "atteint"
    assert summary.cell(_row_of(summary, "Indicateur")[0].row, 6).value == (
        "Un an avant (du 01/10/2025 au 31/12/2025)"
    )
    assert _row_of(summary, "Personnes reçues")[5].value == 0  # nothing in 2025
    immediate = _row_of(summary, "Résolution immédiate (sur place)")
    assert (immediate[1].value, immediate[3].value) == (0.25, 0.45)
    median = _row_of(summary, "Délai médian de résolution d'une demande")
    assert (median[1].value, median[1].number_format, median[3].value) == (0.0, "0.0", 4)
    late = _row_of(summary, "Vaccinations trouvées en retard")
    assert late[1].value == "réservé aux professionnels de PMI"

    stops = book["Arrêts"]
    first = _row_of(stops, "Date")[0].row + 1
    assert stops.cell(first, 1).value == dt.datetime(2026, 10, 6)  # S1, a real date
    assert stops.cell(first, 1).number_format == "dd/mm/yyyy"
    assert [stops.cell(first + i, 6).value for i in range(4)] == [4, 1, 6, 0]  # S1 S3 S2 S4
    luc = _row_of(book["Communes"], "Luc-en-Diois")
    assert [c.value for c in luc[1:6]] == ["26167", 2, 7, 11, 5.0]
    # Planned 0, first met 5, not known 3 (60 %), social 6, on the spot 2, answers 2, good 2.
    assert [c.value for c in luc[6:16]] == [0, 5, 3, 0.6, 6, 2, 2 / 6, 2, 2, 1.0]
    october = _row_of(book["Par mois"], dt.datetime(2026, 10, 1))
    assert [c.value for c in october[1:8]] == [6, 7, 5, 3, 2, 5, 2]
    monthly = [r for r in _rows(book["Communes par mois"]) if r[0] == "Luc-en-Diois"]
    assert [(r[1], r[2], r[3]) for r in monthly] == [
        (dt.datetime(2026, 10, 1), 1, 4),
        (dt.datetime(2026, 11, 1), 1, 6),
        (dt.datetime(2026, 12, 1), 0, 0),
    ]
    rendered = _row_of(book["Satisfaction"], "Le service rendu")
    assert [c.value for c in rendered[1:7]] == [4, 1, 1, 1, 1, 0.5]
    assert _row_of(book["Accueil social"], "Résolu sur place")[2].value == 2
    social = book["Accueil social"]
    assert _row_of(social, "Délai médian de toutes les demandes résolues (jours)")[1].value == 0
    assert _row_of(social, "Délai médian des seuls suivis (jours)")[1].value == 3.0
    assert _row_of(social, "Suivis partiellement résolus (à part)")[1].value == 1
    assert _row_of(social, "1 à 4 jours")[2].value == 1
    rsa = _row_of(book["Types de demande"], "RSA (revenu de solidarité active)")
    assert (rsa[2].value, rsa[3].value) == (3, 3 / 8)
    caf = _row_of(book["Orientations"], "CAF (caisse d'allocations familiales)")
    assert (caf[2].value, caf[3].value) == (2, 2 / 5)
    assert _row_of(book["PMI"], "Enfants de moins de 6 ans vus")[1].value == 2
    assert _row_of(book["Définitions"], "Résolution immédiate")[1].value.startswith(
        "Résolution immédiate : consultations sociales dont l'issue est « Résolu sur place »"
    )
    for sheet in book:
        for row in _rows(sheet):
            for value in row:
                assert not any(name in str(value) for name in PEOPLE_NAMES)


def test_xlsx_for_a_nurse_has_vaccinations_and_no_social_figures(
    social_store: LocalStore, data: ActivityData, tmp_path: Path
):
    path = tmp_path / "bilan.xlsx"
    write_bilan_xlsx(path, _report(social_store, NURSE), reference(), "CMS-DIE")
    book = load_workbook(path)
    assert "Types de demande" not in book.sheetnames
    assert "réservé au service social" in str(book["Accueil social"]["A4"].value)
    pmi = book["PMI"]
    # menb_2 and menacwy_1 of P7; menb_2 recorded at M2 (see test_indicators).
    assert _row_of(pmi, "Doses trouvées en retard")[1].value == 2
    assert _row_of(pmi, "Doses en retard rattrapées")[1].value == 1


def test_a_failed_write_leaves_nothing(social_store: LocalStore, data: ActivityData, tmp_path):
    missing = tmp_path / "absent" / "bilan.pdf"
    with pytest.raises(OSError):
        write_bilan_pdf(missing, _report(social_store), reference(), "CMS-DIE")
    assert not missing.exists()
