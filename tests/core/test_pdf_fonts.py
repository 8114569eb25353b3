"""Every PDF prints with the shipped DejaVu Sans, so foreign names get real glyphs, not boxes."""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from drome_resources import root
from tests import factories
from tests.core.test_access_export import SOCIAL, export
from tests.core.test_announcement import announcement_for, planned, store  # noqa: F401
from tests.core.test_bilan_exports import _report, data  # noqa: F401
from tests.pdf import has_pdftotext, pdf_text
from van_app.core.announcement import announcement_pdf
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.core.reports import fonts
from van_app.core.reports.access_export import write_access_pdf
from van_app.core.reports.bilan_pdf import write_bilan_pdf

NAME = "Łukasz Şahin Nguyễn"
SHIPPED = {"DejaVuSans", "DejaVuSans-Bold"}


def embedded_fonts(path: Path) -> set[str]:
    """The base fonts a PDF names, without the subset prefix ("ABCDEF+DejaVuSans")."""
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", path.read_bytes())
    return {name.decode().split("+")[-1] for name in names}


def test_the_shipped_font_has_every_glyph_of_foreign_names() -> None:
    text = f"{NAME} Ærøskøbing Đorđe Ğüneş Ștefan Żółć Ψυχή Юлия œ « » ’ · €"
    assert fonts.missing_glyphs(text) == ""
    assert fonts.missing_glyphs(text, fonts.BOLD) == ""


def test_the_fonts_are_read_from_the_resources_package() -> None:
    regular, bold = fonts.register_fonts()
    for name in (regular, bold):
        face_file = Path(pdfmetrics.getFont(name).face.filename)
        assert face_file.parent == root() / "fonts"
    assert (root() / "fonts" / "LICENSE-DejaVu.txt").is_file()


def test_the_access_export_prints_a_foreign_name_with_the_shipped_font(
    social_store: LocalStore, tmp_path: Path
) -> None:
    person = factories.add_person(social_store, birth_name="Şahin Nguyễn", first_names="Łukasz")
    path = tmp_path / "dossier.pdf"
    write_access_pdf(path, export(social_store, SOCIAL, person))
    assert embedded_fonts(path) <= SHIPPED and embedded_fonts(path)
    if has_pdftotext():
        assert "Łukasz" in pdf_text(path)


def test_the_announcement_uses_only_the_shipped_font(
    planned: LocalStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = announcement_pdf(tmp_path / "affiche.pdf", announcement_for(planned))
    assert embedded_fonts(path) == SHIPPED


def test_the_bilan_uses_only_the_shipped_font(
    social_store: LocalStore,
    data,  # noqa: F811  (fills the store)
    tmp_path: Path,
) -> None:
    path = tmp_path / "bilan.pdf"
    write_bilan_pdf(path, _report(social_store), reference(), "CMS-DIE")
    assert embedded_fonts(path) == SHIPPED
