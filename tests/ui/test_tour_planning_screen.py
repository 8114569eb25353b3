"""The supervisor's Tournée screen and its dialogs, driven with the keyboard and the mouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from tests import factories
from tests.core.test_tour_planning import LUC, PASSWORD, TODAY, second_tuesday
from tests.ui.helpers import LEFT, accept_message_box, choose, count_rows, running_context, save_as
from van_app.core.local_store import LocalStore
from van_app.core.models import TourPattern, TourStop
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.core.tour_planning import PlannedStop, save_pattern
from van_app.ui.context import AppContext
from van_app.ui.models.tour_stops import SORT_ROLE, TourStopsTableModel, tour_text
from van_app.ui.screens.tour_planning import TourPlanningScreen

REF = reference()


@pytest.fixture
def supervisor_store(data_dir: Path) -> Iterator[LocalStore]:
    store = factories.new_store(data_dir, "croux", PASSWORD, "Claire Roux", ["supervisor"])
    yield store
    store.close()


@pytest.fixture
def context(supervisor_store: LocalStore) -> Iterator[AppContext]:
    yield from running_context(supervisor_store, TODAY)


def open_screen(qtbot: QtBot, context: AppContext) -> TourPlanningScreen:
    screen = TourPlanningScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    with qtbot.waitSignal(screen.loaded):
        screen.show()
    return screen


def shown_dates(screen: TourPlanningScreen) -> list[str]:
    model = screen.proxy
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def click_row(qtbot: QtBot, screen: TourPlanningScreen, row: int) -> None:
    rect = screen.table.visualRect(screen.proxy.index(row, 1))
    qtbot.mouseClick(screen.table.viewport(), LEFT, pos=rect.center())


def pick_commune(qtbot: QtBot, edit: QWidget, typed: str) -> None:
    """Type the start of a commune's name and take the first suggestion, as a person would."""
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit.completer_.popup(), Qt.Key.Key_Down)  # type: ignore[attr-defined]
    qtbot.keyClick(edit.completer_.popup(), Qt.Key.Key_Return)  # type: ignore[attr-defined]


def test_plan_a_tour_cancel_a_stop_and_announce_it(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = open_screen(qtbot, context)
    assert shown_dates(screen) == []
    assert screen.summary_label.text() == "Aucun arrêt prévu du 20/11/2026 au 20/02/2027."

    qtbot.mouseClick(screen.new_pattern_button, LEFT)
    dialog = screen.pattern_dialog
    assert dialog is not None and dialog.isVisible()
    pick_commune(qtbot, dialog.commune_picker.edit, "luc-en")
    assert dialog.commune_picker.recognised() == LUC
    town_hall = dialog.commune_picker.town_hall_text()
    assert "Mairie de Luc-en-Diois" in town_hall
    assert REF.communes[LUC].town_hall_email in town_hall and "Horaires : " in town_hall

    dialog.first_date_edit.setDate(dt.date(2026, 12, 1))
    choose(qtbot, dialog.week_combo, -1)
    choose(qtbot, dialog.weekday_combo, 4)
    assert dialog.preview_label.text().startswith(
        "vendredi 25 décembre 2026 — jour férié (Noël) : pas de passage\nvendredi 29 janvier 2027"
    )
    choose(qtbot, dialog.week_combo, 2)
    choose(qtbot, dialog.weekday_combo, 1)
    assert dialog.preview_label.text().splitlines()[:3] == [
        "mardi 8 décembre 2026",
        "mardi 12 janvier 2027",
        "mardi 9 février 2027",
    ]
    qtbot.keyClicks(dialog.place_edit, "Parking de la salle des fetes")
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert screen.pattern_dialog is None  # closed once saved
    assert screen.message_label.text() == "Tournée régulière enregistrée : 12 arrêts créés."
    assert shown_dates(screen) == ["mardi 08/12/2026", "mardi 12/01/2027", "mardi 09/02/2027"]
    assert screen.proxy.index(0, TourStopsTableModel.COL_TOUR).data() == (
        "Régulier : 2e mardi de chaque mois"
    )
    assert count_rows(supervisor_store, TourStop) == 12

    # Cancel January's stop: asked first, then gone from the list and from the vans' plan.
    click_row(qtbot, screen, 1)
    assert screen.cancel_stop_button.isEnabled()
    accept_message_box(qtbot, "Annuler l'arrêt")
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(screen.cancel_stop_button, LEFT)
    assert shown_dates(screen) == ["mardi 08/12/2026", "mardi 09/02/2027"]
    assert screen.message_label.text() == "Arrêt du mardi 12 janvier 2027 à Luc-en-Diois annulé."
    with supervisor_store.session() as session:
        [tour] = session.exec(select(TourPattern)).all()
        assert tour.skipped_dates == ["2027-01-12"]
        cancelled = session.exec(select(TourStop).where(col(TourStop.deleted).is_(True))).all()
        assert [s.stop_date for s in cancelled] == [dt.date(2027, 1, 12)]

    # The town hall's announcement: the dates left, the e-mail to copy, the poster to save.
    click_row(qtbot, screen, 0)
    qtbot.mouseClick(screen.announcement_button, LEFT)
    announcement = screen.announcement_dialog
    assert announcement is not None
    qtbot.waitUntil(lambda: announcement.email_text() != "", timeout=10_000)
    body = announcement.email_text()
    assert "mardi 8 décembre 2026, de 9 h 30 à 12 h 00" in body
    assert "mardi 9 février 2027" in body and "12 janvier 2027" not in body
    assert announcement.recipient_edit.text() == REF.communes[LUC].town_hall_email
    assert "Luc-en-Diois" in announcement.subject_edit.text()
    qtbot.mouseClick(announcement.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == body

    target = tmp_path / "affiche-luc"
    save_as(monkeypatch, target)
    with qtbot.waitSignal(announcement.pdf_saved, timeout=10_000) as saved:
        qtbot.mouseClick(announcement.pdf_button, LEFT)
    assert saved.args == [f"{target}.pdf"]
    assert Path(f"{target}.pdf").read_bytes().startswith(b"%PDF")
    announcement.accept()


def test_wrong_input_shows_french_errors_and_saves_nothing(
    qtbot: QtBot, context: AppContext, supervisor_store: LocalStore
) -> None:
    screen = open_screen(qtbot, context)
    qtbot.mouseClick(screen.new_stop_button, LEFT)
    dialog = screen.stop_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.commune_picker.edit, "Lyon")
    dialog.commune_picker.edit.completer_.popup().hide()
    dialog.date_edit.setDate(dt.date(2026, 12, 3))
    dialog.end_edit.setFocus()
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Home)  # the hours
    for _ in range(4):
        qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Down)  # 12:00 -> 08:00, before 9 h 30
    assert dialog.end_edit.text() == "8 h 00"
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_text("place") != "")
    assert dialog.error_text("place") == "Indiquez le lieu de stationnement du camion."
    assert "« Lyon » n'est pas une commune de la Drôme" in dialog.error_text("commune_insee")
    assert dialog.error_text("end_time") == (
        "L'heure de fin doit être postérieure à l'heure de début."
    )
    assert "Rien n'a été enregistré" in dialog.message_label.text()
    assert dialog.isVisible()
    assert count_rows(supervisor_store, TourStop) == 0
    assert count_rows(supervisor_store, OutboxEntry) == 0

    # Corrected, it saves and the stop is listed.
    dialog.commune_picker.edit.clear()
    pick_commune(qtbot, dialog.commune_picker.edit, "chatillon-en")
    qtbot.keyClicks(dialog.place_edit, "Place du Reviron")
    dialog.end_edit.setFocus()
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Home)
    for _ in range(4):
        qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Up)
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert shown_dates(screen) == ["jeudi 03/12/2026"]
    assert screen.proxy.index(0, TourStopsTableModel.COL_COMMUNE).data() == "Châtillon-en-Diois"
    assert screen.proxy.index(0, TourStopsTableModel.COL_TOUR).data() == "Ponctuel"


def test_change_one_date_of_a_tour_only(
    qtbot: QtBot, context: AppContext, supervisor_store: LocalStore
) -> None:
    save_pattern(supervisor_store, second_tuesday(), REF, TODAY)
    screen = open_screen(qtbot, context)
    click_row(qtbot, screen, 0)
    accept_message_box(qtbot, "Cet arrêt seulement")
    qtbot.mouseClick(screen.edit_button, LEFT)
    dialog = screen.stop_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.place_edit.text() != "")
    assert "2e mardi de chaque mois" in dialog.rule_label.text()
    dialog.date_edit.setDate(dt.date(2026, 12, 10))
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert shown_dates(screen)[0] == "jeudi 10/12/2026"
    assert screen.proxy.index(0, TourStopsTableModel.COL_TOUR).data() == (
        "Régulier : 2e mardi de chaque mois (modifié pour cette date)"
    )
    with supervisor_store.session() as session:
        assert session.exec(select(TourPattern)).one().skipped_dates == ["2026-12-08"]


def test_other_roles_only_read_the_plan(qtbot: QtBot, social_store: LocalStore) -> None:
    contexts = running_context(social_store, TODAY)
    context = next(contexts)
    screen = open_screen(qtbot, context)
    assert screen.role_label.isVisibleTo(screen)
    for button in (screen.new_stop_button, screen.new_pattern_button, screen.edit_button):
        assert not button.isEnabled()
    contexts.close()


def test_table_model_words_and_sorting() -> None:
    def row(day: dt.date, hour: int, **extra: object) -> PlannedStop:
        values: dict[str, object] = {
            "stop_id": f"{day}-{hour}",
            "stop_date": day,
            "start_time": dt.time(hour),
            "end_time": dt.time(hour + 2),
            "commune_insee": LUC,
            "commune_name": "Luc-en-Diois",
            "place": "Parking",
            "services": "both",
            "services_label": "Accueil social et PMI",
        }
        values.update(extra)
        return PlannedStop(**values)  # type: ignore[arg-type]

    model = TourStopsTableModel()
    rows = [
        row(dt.date(2027, 1, 12), 14, past=True),
        row(dt.date(2026, 12, 8), 9, rule="2e mardi de chaque mois", has_activity=True),
        row(dt.date(2027, 1, 12), 9, rule="2e mardi de chaque mois", exception=True),
    ]
    model.set_rows(rows)
    assert model.index(1, model.COL_HOURS).data() == "9 h 00 – 11 h 00"
    assert [tour_text(r) for r in rows] == [
        "Ponctuel — passé",
        "Régulier : 2e mardi de chaque mois — personnes reçues",
        "Régulier : 2e mardi de chaque mois (modifié pour cette date)",
    ]
    keys = [model.index(r, model.COL_DATE).data(SORT_ROLE) for r in range(3)]
    assert sorted(range(3), key=keys.__getitem__) == [1, 2, 0]  # by date, then hour
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # history greyed
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is None
