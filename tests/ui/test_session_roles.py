"""Each role's navigation, and every screen fitting a 1280-pixel laptop."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests import factories
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.session import SessionWidget

PASSWORD = "Soleil-du-Diois-2026"
NAVIGATION = {
    "social_worker": ["Aujourd'hui", "Personnes", "Mes suivis", "Avis des usagers"],
    "pmi_nurse": ["Aujourd'hui", "Personnes", "Avis des usagers"],
    "supervisor": [
        "Aujourd'hui",
        "Personnes",
        "Tournée",
        "Relecture",
        "Conflits et doublons",
        "Activité",
    ],
}


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_each_role_sees_its_screens_and_they_fit_a_laptop(
    qtbot: QtBot, data_dir: Path, role: str
) -> None:
    store = factories.new_store(data_dir, "claire", PASSWORD, "Claire Roux", [role])
    runner = TaskRunner()
    try:
        session = SessionWidget(AppContext(store=store, runner=runner, reference=reference()))
        qtbot.addWidget(session)
        nav = session.navigation
        assert [nav.item(row).text() for row in range(nav.count())] == NAVIGATION[role]
        assert session.minimumSizeHint().width() <= 1280, "cut off on a 1280-px screen"
        session.resize(1280, 760)
        session.show()
        session.confirm_visitor_mode = lambda _parent: True
        for row in range(nav.count()):
            session.choose_row(row)  # as Entrée or a click does
            screen = session.stack.currentWidget()
            assert screen.minimumSizeHint().width() <= session.stack.width(), nav.item(row).text()
    finally:
        runner.wait_for_done()
        store.close()
