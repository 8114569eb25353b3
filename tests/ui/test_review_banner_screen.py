"""On both consultation forms the supervisor's request leaves once its author has answered it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.core.test_review import Opener
from tests.ui.helpers import LEFT, type_text
from tests.ui.test_review_screen import context_for, opener, runner, visits
from van_app.core.review import request_completion
from van_app.tasks import TaskRunner
from van_app.ui.screens.pmi_consultation import PmiConsultationScreen
from van_app.ui.screens.social_consultation import SocialConsultationScreen

__all__ = ["opener", "runner", "visits"]  # the fixtures, shared

SCREENS = {
    "social": ("amartin", "josiane", SocialConsultationScreen),
    "pmi": ("bnguyen", "baby", PmiConsultationScreen),
}


@pytest.mark.parametrize("kind", ["social", "pmi"])
def test_the_banner_leaves_once_the_author_adds_a_complement(
    qtbot: QtBot,
    opener: Opener,
    visits: dict[str, str],
    runner: TaskRunner,
    kind: str,
) -> None:
    reviewer = "croux" if kind == "social" else "eblanc"  # a PMI visit: a supervisor-nurse
    request_completion(opener(reviewer), kind, visits[kind], "Préciser le montant de l'impayé.")
    author, person, screen_class = SCREENS[kind]
    screen = screen_class(context_for(opener(author), runner))
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(visits[person], visits[kind])
    assert screen.header.review_banner.isVisibleTo(screen)
    assert "Préciser le montant de l'impayé." in screen.header.review_label.text()

    type_text(qtbot, screen.addenda.edit, "Impayé de 412,50 €.")
    with qtbot.waitSignal(screen.addendum_added):
        qtbot.mouseClick(screen.addenda.button, LEFT)
    assert "Impayé de 412,50 €." in "\n".join(
        label.text() for label in screen.addenda.findChildren(type(screen.header.review_label))
    )
    assert not screen.header.review_banner.isVisibleTo(screen)

    with qtbot.waitSignal(screen.loaded):  # opened again later: still answered
        screen.load(visits[person], visits[kind])
    assert not screen.header.review_banner.isVisibleTo(screen)
