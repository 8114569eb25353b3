"""``van-app --self-check``: proves that an installed or frozen app is whole, with no screen.

Run after ``pip install`` and by ``make installer`` on the frozen bundle: every shipped resource
loads, a scratch encrypted store is created and migrated, a PDF renders with the bundled fonts
and Qt starts offscreen. Exit code 0, or 1 with the failed step in French, so a deployment
script (or an IT technician) knows whether the laptop can work before anyone logs in.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# A name with letters beyond Latin-1: Helvetica printed it "■ukasz ■ahin Nguy■n".
FOREIGN_NAME = "Łukasz Şahin Nguyễn"
SCRATCH_USER = "verification"
DATA_DIR_ENV = "VAN_APP_DATA_DIR"
UNUSABLE = "L'application n'est pas utilisable sur ce poste : réinstallez-la."


def _say(text: str, *, failed: bool = False) -> None:
    """Print when there is a console (a windowed Windows build has no stdout or stderr)."""
    stream = sys.stderr if failed else sys.stdout
    if stream is not None:
        print(text, file=stream, flush=True)


def _resources() -> str:
    from van_app.config import resources_dir

    folder = resources_dir()
    for part in ("reference", "schema", "growth", "fonts"):
        if not (folder / part).is_dir():
            raise FileNotFoundError(f"dossier « {part} » absent de {folder}")
    return str(folder)


def _reference() -> str:
    from van_app.config import resources_dir
    from van_app.core.cms_contacts import load_cms_contacts
    from van_app.core.reference import ReferenceData

    ref = ReferenceData.load(resources_dir() / "reference")
    cms = load_cms_contacts(resources_dir() / "reference")
    return f"{len(ref.communes)} communes, {len(cms)} CMS"


def _schema() -> str:
    from van_app.config import resources_dir
    from van_app.core.sync_schema import export_schema, schema_path

    shipped = json.loads(schema_path(resources_dir()).read_text("utf-8"))
    if shipped != export_schema():
        raise ValueError("le schéma d'échange livré ne correspond pas à cette version de l'app")
    return f"{len(shipped['tables'])} tables"


def _growth() -> str:
    from van_app.core.growth import growth_standards

    growth_standards.cache_clear()
    growth_standards()
    return "tables OMS 2006 lues"


def _store(folder: Path) -> str:
    from van_app.core.db import current_revision, head_revision
    from van_app.core.keystore import KdfParams
    from van_app.core.local_store import LocalStore

    store = LocalStore.initialize(
        folder,
        username=SCRATCH_USER,
        password=secrets.token_urlsafe(16),
        display_name="Vérification",
        roles=["social_worker"],
        cms_code="CMS-VERIF",
        kdf=KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1),
    )
    try:
        revision = current_revision(store.engine)
    finally:
        store.close()
    if revision != head_revision():
        raise RuntimeError(f"migrations incomplètes ({revision} au lieu de {head_revision()})")
    if (folder / "van.db").read_bytes()[:16] == b"SQLite format 3\x00":
        raise RuntimeError("la base n'est pas chiffrée (SQLCipher absent ?)")
    return f"base chiffrée créée, migrations jusqu'à {revision}"


def _pdf(folder: Path) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from van_app.core.reports import fonts

    missing = fonts.missing_glyphs(FOREIGN_NAME)
    if missing:
        raise ValueError(f"caractères sans glyphe dans la police livrée : {missing}")
    path = folder / "verification.pdf"
    style = ParagraphStyle("check", fontName=fonts.REGULAR, fontSize=12)
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(f"<b>Dossier de</b> {FOREIGN_NAME}", style)]
    )
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", path.read_bytes())
    embedded = {name.decode().split("+")[-1] for name in names}
    if embedded != {fonts.REGULAR, fonts.BOLD}:
        raise ValueError(f"polices du PDF inattendues : {', '.join(sorted(embedded))}")
    return f"PDF rendu en {fonts.REGULAR} ({fonts.fonts_dir()})"


def _qt() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtWidgets import QApplication

    import van_app.ui.main_window  # noqa: F401  (every screen imports: nothing left out)
    from van_app.ui.qt_translations import load_qtbase_french, qt_translation_dirs

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if load_qtbase_french(app) is None:  # the same search as at the app's start
        where = ", ".join(qt_translation_dirs())
        raise FileNotFoundError(f"traduction française de Qt absente de {where}")
    return f"Qt {QLibraryInfo.version().toString()} ({app.platformName()})"


def run_self_check() -> int:
    """Run every check in a scratch folder; 0 when all pass, else 1 (the step says why)."""
    saved = os.environ.get(DATA_DIR_ENV)
    with tempfile.TemporaryDirectory(prefix="drome-verif-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        os.environ[DATA_DIR_ENV] = str(data)  # never the real user folder
        try:
            return _run_steps(Path(tmp), data)
        finally:
            if saved is None:
                os.environ.pop(DATA_DIR_ENV, None)
            else:
                os.environ[DATA_DIR_ENV] = saved


def _run_steps(folder: Path, data: Path) -> int:
    steps: list[tuple[str, Callable[[], str]]] = [
        ("ressources", _resources),
        ("listes de référence", _reference),
        ("schéma d'échange", _schema),
        ("courbes de croissance", _growth),
        ("base locale", lambda: _store(data)),
        ("PDF et polices", lambda: _pdf(folder)),
        ("interface Qt", _qt),
    ]
    for label, step in steps:
        try:
            detail = step()
        except Exception as exc:  # every failure becomes a French line and exit code 1
            _say(f"ÉCHEC — {label} : {exc}", failed=True)
            _say(UNUSABLE, failed=True)
            return 1
        _say(f"ok — {label} : {detail}")
    _say("Vérification terminée : l'application est complète.")
    return 0
