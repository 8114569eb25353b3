"""Qt's own texts in French: the file dialog's "Voir dans :", the buttons' "Annuler", "Ouvrir".

Qt ships them in ``qtbase_fr.qm`` beside its libraries. ``QLibraryInfo`` says where in a normal
install; a frozen bundle may move Qt's prefix, so the PySide6 package's own ``Qt/translations``
folder is tried too (``build_installer.spec`` puts the file there). Qt 6's catalogue misses a
few of its file dialog's labels ("&Look in:", "Files of &type:" gained a mnemonic it does not
know): ``resources/i18n/qtbase_supplement_fr.ts`` supplies them, read as it is (Qt's own
translation file format, editable by a translator; no compiled catalogue to keep in step). Our
own texts are written in French and translated through ``resources/i18n`` when one exists.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from van_app import config

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
SUPPLEMENT = "qtbase_supplement_fr.ts"


class TsTranslator(QTranslator):
    """The finished messages of a Qt ``.ts`` file, by (context, source)."""

    def __init__(self, path: Path, parent: QCoreApplication | None = None) -> None:
        super().__init__(parent)
        self.messages: dict[tuple[str, str], str] = {}
        for context in ElementTree.parse(path).getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                source, translation = message.findtext("source"), message.find("translation")
                if source and translation is not None and translation.get("type") is None:
                    self.messages[(name, source)] = translation.text or ""

    def translate(  # type: ignore[override]
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None is Qt's null string: "not here, ask the next catalogue" ("" would be a
        # translation, and an empty one).
        return self.messages.get((context, source))

    def isEmpty(self) -> bool:
        return not self.messages


def qt_translation_dirs() -> list[str]:
    """Where ``qtbase_fr.qm`` may be, most likely first (no duplicates)."""
    import PySide6

    package = Path(PySide6.__file__).resolve().parent
    candidates = [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(package / "Qt" / "translations"),
        str(package / "translations"),
    ]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(str(Path(bundle) / "PySide6" / "Qt" / "translations"))
    seen: list[str] = []
    for directory in candidates:
        if directory and directory not in seen:
            seen.append(directory)
    return seen


def load_qtbase_french(parent: QCoreApplication) -> QTranslator | None:
    """Qt's French catalogue, loaded (not installed); None when no folder holds it."""
    for directory in qt_translation_dirs():
        translator = QTranslator(parent)
        if translator.load(QLocale(QLocale.Language.French), "qtbase", "_", directory):
            return translator
    return None


def install_translations(app: QCoreApplication) -> list[QTranslator]:
    """French everywhere, at start: Qt's texts from qtbase_fr and what it lacks, then ours;
    the translators installed (the last installed is searched first)."""
    QLocale.setDefault(FRENCH)
    installed = []
    qt = load_qtbase_french(app)
    if qt is not None and app.installTranslator(qt):
        installed.append(qt)
    folder = config.resources_dir() / "i18n"
    if (folder / SUPPLEMENT).is_file():
        supplement = TsTranslator(folder / SUPPLEMENT, app)
        if app.installTranslator(supplement):
            installed.append(supplement)
    ours = QTranslator(app)
    if ours.load(QLocale(), "van_app", "_", str(folder)) and app.installTranslator(ours):
        installed.append(ours)
    return installed
