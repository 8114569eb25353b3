"""The fonts of every PDF the app writes: DejaVu Sans, shipped in ``drome_resources/fonts``.

reportlab's standard fonts (Helvetica) stop at Latin-1: "Łukasz Şahin Nguyễn" printed as
"■ukasz ■ahin Nguy■n". DejaVu Sans covers every Latin script, Greek and Cyrillic, and ships
with the app so a PDF prints the same on every laptop, whatever fonts Windows has. Importing
this module registers the fonts with reportlab and makes them its defaults (a canvas, a table
cell and a bullet start on Helvetica, a chart on Times-Roman): nothing falls back to those.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import tables

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def fonts_dir() -> Path:
    """The shipped fonts' folder (not overridable: a PDF always prints with these)."""
    from drome_resources import root

    return root() / "fonts"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the (regular, bold) fonts and their family, once; return their names.

    The family maps ``<b>`` in a paragraph to the bold face; italic falls back to upright.
    """
    for name, filename in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / filename)))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    rl_config.canvas_basefontname = REGULAR
    shapes.STATE_DEFAULTS["fontName"] = REGULAR
    tables.CellStyle.fontname = REGULAR
    ParagraphStyle.defaults.update(fontName=REGULAR, bulletFontName=REGULAR)
    return REGULAR, BOLD


def missing_glyphs(text: str, font_name: str = REGULAR) -> str:
    """The characters of ``text`` the font has no glyph for (they would print as a box)."""
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return "".join(sorted({c for c in text if c.isprintable() and ord(c) not in face.charToGlyph}))


register_fonts()
