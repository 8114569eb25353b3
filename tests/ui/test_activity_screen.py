"""The supervisor's dashboard, driven like a person would: periods, filters, exports.

Data: the fixed data set of tests/core/test_indicators.py, seen by a supervisor on 15/11/2026.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.core.activity_data import CHATILLON, LUC, ActivityData, build_activity_data, d
from tests.factories import new_store
from tests.ui.helpers import LEFT, save_as
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.screens import activity as activity_module
from van_app.ui.screens.activity import ActivityScreen

TODAY = d(15, 11)


@pytest.fixture
def supervisor_store(data_dir: Path) -> Iterator[LocalStore]:
    store = new_store(data_dir, "croux", "Vercors-et-Diois-2026", "Claire Roux", ["supervisor"])
    yield store
    store.close()


@pytest.fixture
def data(supervisor_store: LocalStore) -> ActivityData:
    return build_activity_data(supervisor_store)


def _open(qtbot: QtBot, store: LocalStore, today) -> tuple[ActivityScreen, AppContext]:  # type: ignore[no-untyped-def]
    context = AppContext(
        store=store, runner=TaskRunner(), reference=reference(), today=lambda: today
    )
    screen = ActivityScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.report is not None)
    return screen, context


def test_a_stop_still_to_come_is_planned_not_an_empty_one(
    qtbot: QtBot, supervisor_store: LocalStore, data: ActivityData
):
    # Seen on 05/11, November: S2 (03/11) has been held, S4 (Châtillon, 10/11) is to come.
    screen, context = _open(qtbot, supervisor_store, d(5, 11))
    try:
        stops = screen.stop_model
        texts = [
            [stops.index(r, c).data() for c in (stops.COL_DATE, stops.COL_PEOPLE)]
            for r in range(stops.rowCount())
        ]
        assert texts == [["03/11/2026", "6"], ["10/11/2026 (prévu)", "—"]]
        communes = screen.commune_model
        chatillon = next(
            r for r in range(communes.rowCount()) if communes.row_at(r).commune_insee == CHATILLON
        )
        held = communes.index(chatillon, communes.COL_STOPS).data()
        planned = communes.index(chatillon, communes.COL_PLANNED).data()
        mean = communes.index(chatillon, communes.COL_MEAN).data()
        assert (held, planned, mean) == ("0", "1", "—")  # not "1 stop, 0 people"
        indicators = screen.indicators_model
        luc = next(
            r for r in range(indicators.rowCount()) if indicators.row_at(r).commune_insee == LUC
        )
        # November at Luc: first met P14 and P8 (both not known); C6 C7 C8, none on the spot.
        assert indicators.index(luc, indicators.COL_UNKNOWN).data() == "100\u00a0% (2/2)"
        assert indicators.index(luc, indicators.COL_IMMEDIATE).data() == "0\u00a0% (0/3)"
        # The chart draws the planned stop as a ring on the axis, not as a point of a line.
        chart = screen.charts.attendance.view.chart()
        names = {series.name(): series for series in chart.series()}
        assert names["Arrêt prévu (à venir)"].count() == 1
        assert [p.y() for p in names["Luc-en-Diois"].points()] == [6]
        assert "1 arrêt prévu après le 05/11/2026" in screen.charts.attendance.note_label.text()
    finally:
        context.runner.wait_for_done()


@pytest.fixture
def opened(
    qtbot: QtBot, supervisor_store: LocalStore, data: ActivityData
) -> Iterator[ActivityScreen]:
    context = AppContext(
        store=supervisor_store, runner=TaskRunner(), reference=reference(), today=lambda: TODAY
    )
    screen = ActivityScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.report is not None)
    yield screen
    context.runner.wait_for_done()


def _wait_for(qtbot: QtBot, screen: ActivityScreen, start, end) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: (
            screen.report is not None
            and (screen.report.filter.start, screen.report.filter.end) == (start, end)
            and screen.pdf_button.isEnabled()
        )
    )


def test_the_tiles_follow_the_period(qtbot: QtBot, opened: ActivityScreen):
    screen = opened
    # "Ce mois-ci" by default: November 2026. C6 P1, C7 P3 (via P3b), C8 P14, M2 P7, M3 P8,
    # M5 P10 → 6 people. C6 and C8 opened a follow-up, C7 oriented: none resolved on the
    # spot → 0 %.
    assert screen.start_edit.date().toString("dd/MM/yyyy") == "01/11/2026"
    assert screen.end_edit.date().toString("dd/MM/yyyy") == "30/11/2026"
    assert screen.tiles.text("people") == "6"
    assert screen.tiles.text("immediate_resolution") == "0\u00a0%"

    qtbot.mouseClick(screen.quarter_button, LEFT)
    _wait_for(qtbot, screen, d(1, 10), d(31, 12))
    # The quarter: 8 people (see test_indicators), 2 of 8 social resolved on the spot.
    assert screen.tiles.text("people") == "8"
    assert screen.tiles.text("immediate_resolution") == "25\u00a0%"
    qtbot.waitUntil(lambda: screen.report is not None and screen.report.previous is not None)
    # 5 not known of the 7 first met in the quarter (test_indicators), beside the 50 % mark.
    assert screen.tiles.text("unknown_before") == "71\u00a0%"
    unknown = screen.tiles.tiles["unknown_before"]
    assert unknown.target_label.text().endswith("— <b>atteint</b>")
    assert unknown.toolTip().startswith("Non connues du CMS : parmi les personnes rencontrées")
    assert screen.tiles.previous_text("people") == "Un an avant\u00a0: 0"  # nothing in Q4 2025
    assert screen.tiles.previous_text("unknown_before") == "Un an avant\u00a0: —"
    assert screen.tiles.target_text("immediate_resolution").endswith("— <b>non atteint</b>")
    assert screen.tiles.text("late_vaccinations") == "réservé aux professionnels de PMI"
    target = screen.tiles.tiles["immediate_resolution"].target_label.text()
    assert "Objectif : 45" in target.replace("\u00a0", " ")  # no-break spaces: one line

    qtbot.mouseClick(screen.year_button, LEFT)
    _wait_for(qtbot, screen, d(1, 1), d(31, 12))
    # The year adds P13 (C13 of 28/09); P7b's M0 of 10/07 counts as P7, already there → 9.
    assert screen.tiles.text("people") == "9"


def test_a_period_ending_before_it_starts_is_refused_next_to_the_dates(
    qtbot: QtBot, opened: ActivityScreen
):
    screen = opened
    screen.end_edit.setDate(screen.start_edit.date().addDays(-1))
    assert screen.period_error.isVisibleTo(screen)
    assert screen.period_error.text() == "La fin de la période est avant son début."
    assert not screen.pdf_button.isEnabled()
    qtbot.mouseClick(screen.month_button, LEFT)
    _wait_for(qtbot, screen, d(1, 11), d(30, 11))
    assert not screen.period_error.isVisibleTo(screen)


def test_commune_and_stop_filters(qtbot: QtBot, opened: ActivityScreen, data: ActivityData):
    screen = opened
    qtbot.mouseClick(screen.quarter_button, LEFT)
    _wait_for(qtbot, screen, d(1, 10), d(31, 12))
    communes = [screen.commune_combo.itemData(i) for i in range(screen.commune_combo.count())]
    assert communes == [None, CHATILLON, LUC]  # "Toutes les communes", then by name
    screen.commune_combo.setCurrentIndex(screen.commune_combo.findData(LUC))
    qtbot.waitUntil(lambda: screen.report is not None and screen.report.filter.commune_insee == LUC)
    assert screen.tiles.text("people") == "7"  # see test_indicators.test_one_commune
    stops = [screen.stop_combo.itemText(i) for i in range(screen.stop_combo.count())]
    assert stops == ["Tous les arrêts", "06/10/2026 — Luc-en-Diois", "03/11/2026 — Luc-en-Diois"]
    screen.stop_combo.setCurrentIndex(2)
    qtbot.waitUntil(
        lambda: screen.report is not None and screen.report.filter.stop_id == data["S2"]
    )
    assert screen.tiles.text("people") == "6"  # S2: P1 P3 P14 P7 P8 P10
    assert screen.stop_model.rowCount() == 1


def test_computation_runs_off_the_ui_thread(
    qtbot: QtBot, opened: ActivityScreen, monkeypatch: pytest.MonkeyPatch
):
    threads: list[threading.Thread] = []
    real = activity_module.activity_report

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(activity_module, "activity_report", spy)
    qtbot.mouseClick(opened.quarter_button, LEFT)
    _wait_for(qtbot, opened, d(1, 10), d(31, 12))
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_export_both_files_through_the_buttons(
    qtbot: QtBot, opened: ActivityScreen, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    screen = opened
    qtbot.mouseClick(screen.quarter_button, LEFT)
    _wait_for(qtbot, screen, d(1, 10), d(31, 12))
    # The PDF: typed without its extension, which is added.
    asked = save_as(monkeypatch, tmp_path / "bilan T4")
    with qtbot.waitSignal(screen.exported, timeout=20_000) as pdf_done:
        qtbot.mouseClick(screen.pdf_button, LEFT)
    pdf = tmp_path / "bilan T4.pdf"
    assert pdf_done.args == [str(pdf)]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert asked == ["bilan_activite_2026-10-01_2026-12-31.pdf"]
    assert screen.message_label.text() == f"Bilan enregistré : {pdf}"

    save_as(monkeypatch, tmp_path / "bilan.xlsx")
    with qtbot.waitSignal(screen.exported, timeout=20_000):
        qtbot.mouseClick(screen.xlsx_button, LEFT)
    summary = load_workbook(tmp_path / "bilan.xlsx")["Synthèse"]
    people = next(row for row in summary.iter_rows() if row[0].value == "Personnes reçues")
    assert people[1].value == 8
    assert screen.message_label.text() == f"Bilan enregistré : {tmp_path / 'bilan.xlsx'}"


def test_an_export_that_cannot_be_written_says_why(
    qtbot: QtBot, opened: ActivityScreen, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    screen = opened
    target = tmp_path / "dossier absent" / "bilan.pdf"
    save_as(monkeypatch, target)
    qtbot.mouseClick(screen.pdf_button, LEFT)
    qtbot.waitUntil(lambda: "n'a pas pu être enregistré" in screen.message_label.text())
    assert "dossier introuvable" in screen.message_label.text()
    assert not target.exists()
    qtbot.waitUntil(screen.pdf_button.isEnabled)


def test_a_cancelled_dialog_writes_nothing(
    qtbot: QtBot, opened: ActivityScreen, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    qtbot.mouseClick(opened.pdf_button, LEFT)
    assert opened.message_label.text() == ""
    assert list(tmp_path.glob("*.pdf")) == []


def test_the_anonymised_export_offers_the_dashboards_period(qtbot: QtBot, opened: ActivityScreen):
    screen = opened
    qtbot.mouseClick(screen.quarter_button, LEFT)
    _wait_for(qtbot, screen, d(1, 10), d(31, 12))
    qtbot.mouseClick(screen.anonymised_button, LEFT)
    dialog = screen.anonymised_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    # The dashboard's quarter is not over (statistics cover finished periods only, see
    # docs/statistics.md): the dialog offers the last finished quarter.
    assert dialog.kind_combo.currentData() == "quarter"
    assert dialog.period() == (d(1, 7), d(30, 9))
    dialog.close()
