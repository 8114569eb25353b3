"""The two export dialogs, driven through real widgets; only the machine's file chooser is faked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from tests.core.test_access_export import Mother, mother  # noqa: F401  (mother is a fixture)
from tests.pdf import has_pdftotext, pdf_text
from tests.ui.helpers import LEFT, running_context, save_as
from van_app.core.local_store import LocalStore
from van_app.ui.context import AppContext
from van_app.ui.dialogs.access_export import AccessExportDialog
from van_app.ui.dialogs.anonymised_export import AnonymisedExportDialog, previous_quarter
from van_app.ui.screens.person_file import PersonFileScreen

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def context(social_store: LocalStore) -> Iterator[AppContext]:
    yield from running_context(social_store, TODAY)


def squeezed_text(path: Path) -> str:
    """The PDF's words, or "" where pdftotext is missing (the export is checked anyway)."""
    return " ".join(pdf_text(path, layout=False).split()) if has_pdftotext() else ""


def test_the_person_file_button_exports_the_whole_file(
    qtbot: QtBot,
    context: AppContext,
    mother: Mother,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = PersonFileScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1100, 720)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(mother.id)
    qtbot.mouseClick(screen.access_export_button, LEFT)
    dialog = screen.access_dialog
    assert isinstance(dialog, AccessExportDialog) and dialog.isVisible()
    assert dialog.person_id == mother.id
    qtbot.waitUntil(lambda: dialog.json_button.isEnabled())
    assert "ROUX Camille" in dialog.title_label.text()
    assert dialog.summary_label.text() == "À ce jour : 3 consultations, 1 suivi."
    assert "médicales de PMI" in dialog.not_readable_label.text()

    offered = save_as(monkeypatch, tmp_path / "dossier")  # no extension typed
    qtbot.mouseClick(dialog.json_button, LEFT)
    qtbot.waitUntil(lambda: dialog.message_label.isVisible())
    written = tmp_path / "dossier.json"
    assert dialog.exported_path == written
    assert dialog.message_label.text() == f"Dossier exporté dans {written}."
    assert offered == ["droit_acces_2026-11-23.json"], "no name in a file name"
    assert json.loads(written.read_text(encoding="utf-8"))["person_name"] == "ROUX Camille"

    save_as(monkeypatch, tmp_path / "dossier.pdf")
    qtbot.mouseClick(dialog.pdf_button, LEFT)
    qtbot.waitUntil(lambda: dialog.exported_path == tmp_path / "dossier.pdf")
    assert (tmp_path / "dossier.pdf").read_bytes().startswith(b"%PDF-")
    text = squeezed_text(tmp_path / "dossier.pdf")
    assert not text or "Dossier de ROUX Camille" in text

    dialog.reject()
    qtbot.waitUntil(lambda: screen.access_dialog is None)


def test_a_failed_write_is_said_in_french(
    qtbot: QtBot,
    context: AppContext,
    mother: Mother,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = AccessExportDialog(context, mother.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.pdf_button.isEnabled())
    save_as(monkeypatch, tmp_path / "absent" / "dossier.pdf")
    qtbot.mouseClick(dialog.pdf_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert "dossier introuvable" in dialog.error_label.text()
    assert dialog.exported_path is None and dialog.pdf_button.isEnabled()


def test_the_anonymised_dialog_exports_a_workbook(
    qtbot: QtBot,
    context: AppContext,
    mother: Mother,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = AnonymisedExportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.period() == previous_quarter(TODAY) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert dialog.period_combo.currentText() == "3e trimestre 2026"
    # Whole finished months, quarters or years only: never a day range, never November
    # (not over on the 23rd: exported again later, the difference would give its end).
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("month"))
    months = [dialog.period_combo.itemText(i) for i in range(dialog.period_combo.count())]
    assert months[:2] == ["Octobre 2026", "Septembre 2026"]
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("year"))
    assert dialog.period_combo.itemText(0) == "Année 2025"
    assert dialog.export_button.isEnabled() and dialog.period_error.isHidden()
    dialog.close()

    later = running_context(context.store, dt.date(2026, 12, 2))
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    dialog = AnonymisedExportDialog(next(later), None, november)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.period_combo.currentText() == "Novembre 2026", "the dashboard's month"
    offered = save_as(monkeypatch, tmp_path / "stats.xlsx")
    qtbot.mouseClick(dialog.export_button, LEFT)
    qtbot.waitUntil(lambda: dialog.message_label.isVisible())
    next(later, None)
    assert offered == ["statistiques_anonymisees_2026-11_2026-11.xlsx"]
    done = dialog.exported
    assert done is not None and done.path == tmp_path / "stats.xlsx"
    assert done.suppressed > 0, "a handful of visits: every count is under 11"
    assert dialog.message_label.text() == (
        f"Statistiques enregistrées dans {done.path} ({done.tables} tableaux, "
        f"{done.suppressed} cases masquées par le secret statistique)."
    )
    book = load_workbook(done.path)
    assert book.sheetnames[0] == "Méthode"
    cells = [str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]
    assert "< 11" in cells
    assert not any("Camille" in c or "ROUX" in c for c in cells)
