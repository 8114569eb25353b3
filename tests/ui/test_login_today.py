"""A professional logs in offline and sees the stop of the day and who they received."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation, TourStop
from van_app.ui.main_window import MainWindow

PASSWORD = "Soleil-du-Diois-2026"


def _plan_today(store: LocalStore) -> None:
    today = dt.date.today()
    with store.session() as session:
        stop = store.stamp(
            TourStop(
                commune_insee="26167",
                stop_date=today,
                start_time=dt.time(9, 30),
                end_time=dt.time(12, 30),
                place="Parking de la salle des fêtes",
                services="both",
                cms_code="CMS-DIE",
                author="",
                device="",
            )
        )
        person = store.stamp(
            Beneficiary(
                birth_name="Achard",
                first_names="Josiane",
                birth_date=dt.date(1950, 6, 1),
                sex="F",
                author="",
                device="",
            )
        )
        session.add_all([stop, person])
        session.flush()
        session.add(
            store.stamp(
                SocialConsultation(
                    beneficiary_id=person.id,
                    stop_id=stop.id,
                    consultation_date=today,
                    demand_types=["apa_autonomy"],
                    author="",
                    device="",
                )
            )
        )


def _open_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.login_screen.user_combo.count() == 1)
    return window


def test_wrong_password_is_refused_in_french(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    login = window.login_screen
    qtbot.keyClicks(login.password_edit, "mauvais")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(login.error_label.isVisible)
    assert "mot de passe incorrect" in login.error_label.text()
    assert window.store is None
    assert window.pages.currentWidget() is login


def test_login_shows_stop_of_the_day_and_people_seen(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    _plan_today(social_store)
    social_store.close()
    window = _open_window(qtbot, data_dir)
    assert window.login_screen.user_combo.currentText() == "amartin"
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.mouseClick(window.login_screen.login_button, Qt.MouseButton.LeftButton)
    today = window.session_widget.today_screen
    qtbot.waitUntil(lambda: today.seen_model.rowCount() == 1)
    assert today.stop_title.text() == "Arrêt du jour : Luc-en-Diois"
    assert "de 9 h 30 à 12 h 30" in today.stop_details.text()
    assert today.seen_model.row_at(0).name == "ACHARD Josiane"
    assert "Agnès Martin" in window.session_widget.user_label.text()

    window.logout()
    assert window.store is None
    assert window.pages.currentWidget() is window.login_screen
    assert window.login_screen.password_edit.text() == ""


def test_no_stop_today_says_hors_tournee(
    qtbot: QtBot, social_store: LocalStore, data_dir: Path
) -> None:
    social_store.close()
    window = _open_window(qtbot, data_dir)
    with qtbot.waitSignal(window.session_opened):
        qtbot.keyClicks(window.login_screen.password_edit, PASSWORD)
        qtbot.keyClick(window.login_screen.password_edit, Qt.Key.Key_Return)
    today = window.session_widget.today_screen
    qtbot.waitUntil(lambda: today.stop_title.text() != "")
    assert today.stop_title.text() == "Hors tournée"
    assert today.empty_label.isVisible()
