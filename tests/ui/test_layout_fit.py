"""Everything fits the van's laptop (1366×768, a taskbar and a title bar): every dialog at
most 680 px tall with its longest content, the main window too, and a status bar line that is
shortened on a word boundary, never cut mid-word, with the whole text in its tooltip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QPushButton
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.factories import opened_as
from tests.ui.helpers import running_context
from van_app.core.demo import DEMO_PASSWORD, ensure_demo_data
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, SocialConsultation, TourPattern
from van_app.core.people_search import PersonHit
from van_app.ui.context import AppContext
from van_app.ui.widgets.screen_fit import AVAILABLE_HEIGHT, MAX_DIALOG_HEIGHT
from van_app.ui.widgets.word_elided_label import ELLIPSIS, words_that_fit

TODAY = dt.date(2026, 11, 19)
LONG = (
    "Madame explique sa situation en détail : loyer impayé depuis trois mois, "
    "dossier CAF incomplet, rendez-vous France Travail manqué. "
) * 12


@pytest.fixture
def demo_dir(data_dir: Path) -> Path:
    list(ensure_demo_data(data_dir, TODAY, kdf=FAST_KDF))
    return data_dir


@pytest.fixture
def supervisor(demo_dir: Path) -> Iterator[LocalStore]:
    with opened_as(demo_dir, "croux", DEMO_PASSWORD) as store:
        yield store


@pytest.fixture
def context(supervisor: LocalStore) -> Iterator[AppContext]:
    yield from running_context(supervisor, TODAY)


def settle(qtbot: QtBot, context: AppContext) -> None:
    for _ in range(3):  # loads in the background, then a refresh or two
        context.runner.wait_for_done()
        QApplication.processEvents()
        qtbot.wait(20)


def assert_fits(qtbot: QtBot, context: AppContext, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, context)
    name = type(dialog).__name__
    assert dialog.height() <= MAX_DIALOG_HEIGHT, (name, dialog.height())
    assert dialog.minimumSizeHint().height() <= MAX_DIALOG_HEIGHT, (name, "minimum")
    for button in dialog.findChildren(QPushButton):
        if button.isVisible():  # every button in sight, none pushed out below the dialog
            bottom = button.mapTo(dialog, button.rect().bottomLeft()).y()
            assert bottom <= dialog.height(), (name, button.text())


def _longest_consultation(store: LocalStore) -> str:
    """The signed consultation with the most demand types, its note made as long as allowed."""
    with store.session() as session:
        signed = session.exec(
            select(SocialConsultation).where(SocialConsultation.status == "signed")
        ).all()
        longest = max(signed, key=lambda c: (len(c.demand_types) + len(c.actions), len(c.note)))
        longest.note = LONG[:4000]
        session.add(longest)
        return longest.id


def _people(store: LocalStore, count: int) -> list[Beneficiary]:
    with store.read_session() as session:
        return list(session.exec(select(Beneficiary).limit(count)).all())


def test_register_dialog_fits_with_parents(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.register_person import RegisterPersonDialog

    people = _people(context.store, 3)
    parents = [(p.id, f"{p.birth_name.upper()} {p.first_names}", "mother") for p in people]
    assert_fits(qtbot, context, RegisterPersonDialog(context, "Dupré Hélène", parents))


def test_review_dialog_fits_the_longest_consultation(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.review_consultation import ReviewConsultationDialog

    dialog = ReviewConsultationDialog(context, "social", _longest_consultation(context.store))
    dialog.load()
    assert_fits(qtbot, context, dialog)


def test_announcement_dialog_fits(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.announcement import AnnouncementDialog

    with context.store.read_session() as session:
        commune = session.exec(select(TourPattern.commune_insee)).first()
    assert commune is not None
    assert_fits(qtbot, context, AnnouncementDialog(context, commune))


def test_person_dialogs_fit(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.access_export import AccessExportDialog
    from van_app.ui.dialogs.duplicates import DuplicatesDialog
    from van_app.ui.dialogs.link_person import LinkPersonDialog
    from van_app.ui.dialogs.merge_people import MergePeopleDialog

    first, second = _people(context.store, 2)
    assert_fits(qtbot, context, AccessExportDialog(context, first.id))
    assert_fits(qtbot, context, LinkPersonDialog(context, first.id, "ACHARD Lucie", "F"))
    assert_fits(qtbot, context, MergePeopleDialog(context, first.id, second.id))
    hits = [
        PersonHit(p.id, f"{p.birth_name.upper()} {p.first_names}", p.birth_date, "Die", "", p.sex)
        for p in _people(context.store, 40)
    ]
    assert_fits(qtbot, context, DuplicatesDialog(hits, typed="Achard"))


def test_tour_and_export_dialogs_fit(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.anonymised_export import AnonymisedExportDialog
    from van_app.ui.dialogs.end_pattern import EndPatternDialog
    from van_app.ui.dialogs.tour_pattern import TourPatternDialog
    from van_app.ui.dialogs.tour_stop import TourStopDialog

    with context.store.read_session() as session:
        pattern = session.exec(select(TourPattern)).first()
    assert pattern is not None
    assert_fits(qtbot, context, AnonymisedExportDialog(context))
    assert_fits(qtbot, context, TourStopDialog(context))
    assert_fits(qtbot, context, TourPatternDialog(context, pattern.id))
    description = "2e mardi de chaque mois à Luc-en-Diois, 9 h 30 – 12 h 00"
    assert_fits(qtbot, context, EndPatternDialog(context, pattern.id, description, TODAY))


def test_account_and_help_dialogs_fit(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.dialogs.account import (
        ChangePasswordDialog,
        LaptopProfessionalsDialog,
        ReenrolDialog,
    )
    from van_app.ui.dialogs.shortcuts import ShortcutsDialog

    assert_fits(qtbot, context, ShortcutsDialog())
    assert_fits(qtbot, context, ChangePasswordDialog(context))
    assert_fits(qtbot, context, LaptopProfessionalsDialog(context))
    assert_fits(qtbot, context, ReenrolDialog("Claire Roux", lambda *_: None))


def test_main_window_fits_above_a_taskbar(qtbot: QtBot, demo_dir: Path) -> None:
    from van_app.ui.main_window import MainWindow

    window = MainWindow(demo_dir)
    qtbot.addWidget(window)
    window.show()
    assert window.height() <= AVAILABLE_HEIGHT
    assert window.minimumSizeHint().height() <= AVAILABLE_HEIGHT
    window.runner.wait_for_done()


# -- the status bar ---------------------------------------------------------------------------


def _is_word_prefix(shown: str, full: str) -> bool:
    if shown == full:
        return True
    if not shown.endswith(ELLIPSIS):
        return False
    kept = shown.removesuffix(ELLIPSIS).rstrip()
    return full.startswith(kept) and (kept == "" or full[len(kept)] in " —–-:;,")


def test_words_that_fit_never_cuts_a_word() -> None:
    full = "Synchronisé — Dernière synchronisation vérifiée le 06/12/2026 à 11 h 22"
    for room in range(0, len(full) + 2):
        shown = words_that_fit(full, lambda text, room=room: len(text) <= room)
        assert _is_word_prefix(shown, full), shown
        assert len(shown) <= max(room, 1) or shown == ELLIPSIS


def test_status_bar_shortens_on_words_and_says_whose_changes_wait(
    qtbot: QtBot, context: AppContext
) -> None:
    from van_app.ui.sync_status import SyncController, SyncStatusWidget

    controller = SyncController(context, None)
    widget = SyncStatusWidget(controller)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.statusBar().addPermanentWidget(widget, 1)
    window.resize(1366, 698)
    window.show()
    qtbot.waitExposed(window)
    controller.waiting, controller.rejected = 3, 2
    controller.waiting_since = dt.datetime(2026, 11, 19, 8, 5, tzinfo=dt.UTC)
    controller.colleagues_waiting = (("Agnès Martin", 1), ("Binh Nguyen", 4))
    controller.last_success = dt.datetime(2026, 11, 18, 17, 40, tzinfo=dt.UTC)
    controller.reachable = False
    controller.error = LONG[:200]
    widget.update_text()
    full = widget.status_text()
    assert "1 modification d'Agnès Martin en attente : elle partira à sa prochaine connexion" in (
        full
    )
    assert "4 modifications de Binh Nguyen en attente : elles partiront" in full
    assert ":" not in full.split("depuis le ")[1][:16].replace(" : ", "")  # 8 h 05, not 08:05
    for width in (1366, 1100, 900, 700, 500):
        window.resize(width, 698)
        qtbot.wait(10)
        shown = widget.label.text()
        assert shown != full and _is_word_prefix(shown, full), (width, shown)
        assert widget.label.toolTip() == full
    controller.waiting, controller.rejected, controller.error = 0, 0, ""
    controller.colleagues_waiting, controller.reachable = (), True
    widget.update_text()
    window.resize(1366, 698)
    qtbot.wait(10)
    assert widget.label.text() == widget.status_text()
    context.runner.wait_for_done()


@pytest.mark.parametrize("username", ["amartin", "bnguyen", "croux"])
def test_every_screen_fits_the_window(qtbot: QtBot, demo_dir: Path, username: str) -> None:
    """Each role's screens, with the demo month loaded: none asks for more height than the
    window has above the status bar (a taller minimum would push the window off screen)."""
    from van_app.ui.session import SessionWidget

    status_bar = 34
    with opened_as(demo_dir, username, DEMO_PASSWORD) as store:
        for context in running_context(store, TODAY):
            session = SessionWidget(context)
            qtbot.addWidget(session)
            session.resize(1280, AVAILABLE_HEIGHT - status_bar)
            session.show()
            for row in range(session.stack.count()):
                session.stack.setCurrentIndex(row)
                settle(qtbot, context)
                screen = session.stack.currentWidget()
                hint = screen.minimumSizeHint().height()
                assert hint <= AVAILABLE_HEIGHT - status_bar, (type(screen).__name__, hint)
            assert session.minimumSizeHint().height() <= AVAILABLE_HEIGHT - status_bar
            session.close()


def _scrolled_to_bottom(scroll) -> int:  # type: ignore[no-untyped-def]
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    return bar.value()


@pytest.mark.parametrize(("username", "kind"), [("amartin", "social"), ("bnguyen", "pmi")])
def test_a_form_opens_at_its_top(qtbot: QtBot, demo_dir: Path, username: str, kind: str) -> None:
    """Scrolled to the bottom of one consultation, the next one (a child's, then a pregnant
    woman's for the nurse) opens at its top, not where the last one was left."""
    from van_app.core.models import PmiConsultation
    from van_app.ui.screens.pmi_consultation import PmiConsultationScreen
    from van_app.ui.screens.social_consultation import SocialConsultationScreen

    model = SocialConsultation if kind == "social" else PmiConsultation
    with opened_as(demo_dir, username, DEMO_PASSWORD) as store:
        with store.read_session() as session:
            rows = session.exec(select(model).where(model.author == username)).all()
        if kind == "pmi":  # a child's visit, then a prenatal one, then a child's again
            by_kind: dict[str, list] = {}
            for row in rows:
                by_kind.setdefault(row.kind, []).append(row)
            rows = [group[0] for group in by_kind.values()] * 2
        for context in running_context(store, TODAY):
            screen_type = SocialConsultationScreen if kind == "social" else PmiConsultationScreen
            screen = screen_type(context)
            qtbot.addWidget(screen)
            screen.resize(1000, 560)
            screen.show()
            for row in rows[:4]:
                _scrolled_to_bottom(screen.scroll)
                with qtbot.waitSignal(screen.loaded):
                    screen.load(row.beneficiary_id, row.id)
                settle(qtbot, context)
                bar = screen.scroll.verticalScrollBar()
                assert bar.maximum() > 0 and bar.value() == 0, row.id
            screen.close()


def test_the_person_file_opens_at_its_top(qtbot: QtBot, context: AppContext) -> None:
    from van_app.ui.screens.person_file import PersonFileScreen

    screen = PersonFileScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1000, 400)
    screen.show()
    first, second = _people(context.store, 2)
    screen.load(first.id)
    settle(qtbot, context)
    _scrolled_to_bottom(screen.left_scroll)
    screen.load(second.id)
    settle(qtbot, context)
    assert screen.left_scroll.verticalScrollBar().value() == 0
