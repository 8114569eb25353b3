"""The merge confirmation names the person as she will be written once merged."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.core.test_conflicts import (  # noqa: F401  (supervisor_store is a fixture)
    pulled_person,
    supervisor_store,
)
from tests.ui.test_conflicts_screen import LEFT, click_radio, context
from van_app.core.local_store import LocalStore
from van_app.core.merge_names import merged_name
from van_app.core.merge_people import KEEP, OTHER, PersonSummary
from van_app.ui.context import AppContext
from van_app.ui.dialogs.merge_people import MergePeopleDialog

__all__ = ["context"]  # the fixture, shared


def summary(birth: str, usual: str | None, first: str, sex: str = "F") -> PersonSummary:
    return PersonSummary("id", "", "", "", "", "", 0, 0, 0, (birth, usual, first, sex))


def test_the_merged_name_takes_the_values_chosen() -> None:
    kept, other = summary("Roux", None, "Camile"), summary("Roux", "Dupré", "Camille")
    assert merged_name(kept, other, {}) == "ROUX Camile"
    assert merged_name(kept, other, {"first_names": OTHER}) == "ROUX Camille"
    assert (
        merged_name(kept, other, {"first_names": OTHER, "usual_name": OTHER})
        == "DUPRÉ Camille (née ROUX)"
    )
    assert merged_name(kept, other, {"first_names": KEEP}) == "ROUX Camile"


def test_the_confirmation_names_the_kept_person_by_the_first_name_chosen(
    qtbot: QtBot,
    context: AppContext,
    supervisor_store: LocalStore,  # noqa: F811
) -> None:
    camille = pulled_person(supervisor_store, "amartin")
    camile = pulled_person(supervisor_store, "bnguyen", first_names="Camile")
    dialog = MergePeopleDialog(context, camile, camille)  # the record with the typo is kept…
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled())
    assert dialog.keep_side() == "a"
    click_radio(qtbot, dialog.value_radios["first_names"]["b"])  # …with the right first name
    qtbot.mouseClick(dialog.merge_button, LEFT)
    text = dialog.confirm_label.text()
    assert "dans celle de ROUX Camille" in text, text
    assert "ROUX Camile" not in text.split("dans celle")[1], "not the first name just replaced"
    assert "dossier de ROUX Camille" in text
