"""Qt's own dialogs speak French once the app's translations are installed (as at start)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from van_app import config
from van_app.ui.qt_translations import (
    SUPPLEMENT,
    TsTranslator,
    install_translations,
    qt_translation_dirs,
)


def plain(text: str) -> str:
    """As read on screen: no mnemonic "&", ordinary spaces."""
    return text.replace("&", "").replace("\u00a0", " ")


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    installed = install_translations(qapp)
    assert installed, "qtbase_fr.qm found and installed"
    yield
    for translator in installed:
        qapp.removeTranslator(translator)


def test_the_file_dialog_says_voir_dans_ouvrir_annuler(
    qtbot: QtBot, french: None, tmp_path: Path
) -> None:
    dialog = QFileDialog(None, "Choisir un fichier", str(tmp_path), "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own, as on the laptops
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = {plain(label.text()) for label in dialog.findChildren(QLabel)}
    assert {"Voir dans :", "Fichiers de type :", "Nom de fichier :"} <= labels, labels
    assert not {"Look in:", "Files of type:"} & labels
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    texts = {plain(b.text()) for b in buttons.findChildren(QPushButton)}
    assert {"Ouvrir", "Annuler"} <= texts, texts


def test_a_message_box_standard_button_says_annuler(qtbot: QtBot, french: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "Fermer", "Fermer sans enregistrer ?")
    box.setStandardButtons(QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Open)
    qtbot.addWidget(box)
    QTimer.singleShot(0, box.reject)
    box.exec()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    opened = box.button(QMessageBox.StandardButton.Open)
    assert plain(cancel.text()) == "Annuler"
    assert plain(opened.text()) == "Ouvrir"


def test_the_catalogue_is_looked_for_where_the_frozen_bundle_puts_it() -> None:
    """build_installer.spec ships qtbase_fr.qm under PySide6/Qt/translations: searched too."""
    dirs = qt_translation_dirs()
    assert any(d.replace("\\", "/").endswith("PySide6/Qt/translations") for d in dirs), dirs
    spec = Path(__file__).resolve().parents[2] / "build_installer.spec"
    text = spec.read_text("utf-8")
    assert '"qtbase_fr.qm"' in text and '"PySide6/Qt/translations"' in text


def test_the_supplement_holds_only_finished_french_messages() -> None:
    supplement = TsTranslator(config.resources_dir() / "i18n" / SUPPLEMENT)
    assert supplement.messages == {
        ("QFileDialog", "&Look in:"): "&Voir dans\u00a0:",
        ("QFileDialog", "Files of &type:"): "Fichiers de &type\u00a0:",
    }
    assert supplement.translate("QFileDialog", "Name") is None, "the rest is Qt's catalogue's"
