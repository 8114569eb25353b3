"""The laptop's log: a rotating file in the data folder, copied for the support from
"Mon compte", without anything personal."""

from __future__ import annotations

import faulthandler
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests import factories
from van_app.core import app_log
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.session import SessionWidget


@pytest.fixture
def log_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's log installed as at start, taken off again after the test."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    path = app_log.install_log_file(data_dir)
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_rotates_in_the_data_folder(
    log_file: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert log_file == data_dir / "van-app.log"
    handler = next(
        h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_file)
    )
    monkeypatch.setattr(handler, "maxBytes", 2000)
    for number in range(200):
        logging.getLogger("van_app.sync.engine").info("sync step %s", number)
    assert (data_dir / "van-app.log.1").exists()
    assert not (data_dir / "van-app.log.4").exists()  # three older files at most
    excerpt = app_log.support_excerpt(data_dir, lines=20)
    assert excerpt.splitlines()[0].startswith("Drôme Proximité ")
    assert len(excerpt.splitlines()) == 21 and "sync step 199" in excerpt


def test_the_windowed_builds_stderr_goes_to_the_log(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    monkeypatch.setattr(sys, "stderr", None)  # what a windowed PyInstaller build has
    monkeypatch.setattr(sys, "stdout", None)
    try:
        app_log.install_log_file(data_dir)
        print("Qt: une bibliothèque se plaint", file=sys.stderr)
        sys.stderr.flush()
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        faulthandler.enable(sys.__stderr__)  # back to the test session's own
        monkeypatch.setattr(app_log, "_fault_stream", None)
    assert "une bibliothèque se plaint" in (data_dir / "van-app.log").read_text("utf-8")
    assert (data_dir / app_log.CRASH_FILE).exists()


def test_personal_looking_lines_never_leave_in_the_excerpt(log_file: Path, data_dir: Path) -> None:
    logging.getLogger("somelib").warning("value 12/04/1988 refused")
    logging.getLogger("somelib").warning("phone 04 75 00 00 00 refused")
    logging.getLogger("somelib").warning("born 1988-04-12")
    logging.getLogger("van_app").info("sync verified")
    excerpt = app_log.support_excerpt(data_dir)
    assert "1988" not in excerpt and "04 75" not in excerpt
    assert "sync verified" in excerpt and excerpt.count("[ligne retirée]") == 3


def test_copy_the_log_for_the_support_from_my_account_menu(
    qtbot: QtBot, social_store: LocalStore, log_file: Path
) -> None:
    factories.add_person(social_store, birth_name="MOREL", first_names="Lucie")
    logging.getLogger("van_app.sync.engine").info("sync verified in 1 request")
    runner = TaskRunner()
    session = SessionWidget(AppContext(store=social_store, runner=runner, reference=reference()))
    qtbot.addWidget(session)
    QGuiApplication.clipboard().clear()
    action = session.copy_log_action
    assert action.text() == "Copier le journal pour le support"
    assert action in session.account_button.menu().actions()
    action.trigger()
    qtbot.waitUntil(lambda: "Journal copié" in session.kept_notice.text())
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Drôme Proximité ")
    assert "sync verified in 1 request" in copied
    assert "MOREL" not in copied and "Lucie" not in copied
