"""The PDF of a right-of-access export: A4, French, sections, "Page 2 sur 5" on every page.

Kept apart from ``access_export`` so the document is built without loading reportlab. Fonts:
the shipped DejaVu Sans (``fonts``), with the French accents, "·", "œ", "’" and foreign names.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from van_app.core.measures import format_date
from van_app.core.person_file import Entry
from van_app.core.reports import fonts
from van_app.core.reports.access_export import AccessDocument, AccessItem, french_moment

INK = colors.HexColor("#1f3a5f")
MUTED = colors.HexColor("#5a6472")
RULE = colors.HexColor("#c6d8ee")
PANEL = colors.HexColor("#eef4fb")
NOTE_INDENT = 0.8 * cm  # addenda and reviews sit under their visit, set in
NOTE_PADDING = 8


def _fonts() -> tuple[str, str]:
    """(regular, bold) font names registered with reportlab."""
    return fonts.register_fonts()


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5, alignment=TA_LEFT)
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=16, leading=20,
                                textColor=INK, spaceAfter=6),
        "meta": ParagraphStyle("meta", base, textColor=MUTED, spaceAfter=2),
        "section": ParagraphStyle("section", base, fontName=bold, fontSize=12.5, leading=16,
                                  textColor=INK, spaceBefore=12, spaceAfter=4),
        "item": ParagraphStyle("item", base, fontName=bold, fontSize=10.5, leading=13.5),
        "note": ParagraphStyle("note", base, fontName=bold, fontSize=9.5, textColor=INK),
        "label": ParagraphStyle("label", base, fontName=bold, textColor=MUTED),
        "panel": ParagraphStyle("panel", base, backColor=PANEL, borderColor=RULE,
                                borderWidth=0.6, borderPadding=6, spaceBefore=6, spaceAfter=10),
    }  # fmt: skip


def _text(value: str) -> str:
    """Paragraph markup of plain text: escaped, line breaks kept, narrow spaces made plain."""
    return escape(value.replace("\u202f", "\u00a0")).replace("\n", "<br/>")


def _entries(  # type: ignore[no-untyped-def]
    entries: tuple[Entry, ...],
    styles: dict[str, ParagraphStyle],
    indent: float = 0,
    title: str = "",
    notes: tuple[AccessItem, ...] = (),
):
    """Label / value rows; values line up with the page's other tables whatever the indent.

    A ``title`` is the table's first row, repeated when the table goes on to the next page:
    a long visit splits between rows instead of leaving half a page blank, and its addenda
    and reviews (``notes``, last rows) never land on a page without the visit's title.
    """
    width = A4[0] - 4 * cm
    label_width = 0.3 * width - indent
    rows: list[list] = [  # type: ignore[type-arg]
        [Paragraph(_text(e.label), styles["label"]), Paragraph(_text(e.value), styles["base"])]
        for e in entries
    ]
    first = 1 if title else 0
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if len(entries) > 1:  # thin rules between entries, none under the last
        commands.append(("LINEBELOW", (0, first), (-1, first + len(entries) - 2), 0.25, RULE))
    if title:
        rows.insert(0, [Paragraph(_text(title), styles["item"]), ""])
        commands += [("SPAN", (0, 0), (1, 0)), ("TOPPADDING", (0, 0), (-1, 0), 8)]
    for note in notes:
        row = len(rows)
        rows.append([_note_box(note, styles), ""])
        commands += [
            ("SPAN", (0, row), (1, row)),
            ("LEFTPADDING", (0, row), (-1, row), NOTE_INDENT),
            ("TOPPADDING", (0, row), (-1, row), 4),
        ]
    table = Table(rows, colWidths=[label_width, 0.7 * width], hAlign="LEFT", repeatRows=first)
    table.setStyle(TableStyle(commands))
    return table


def _note_box(note: AccessItem, styles: dict[str, ParagraphStyle]) -> Table:
    """An addendum or a review, set in under its visit with a rule on its left."""
    inner = [Paragraph(_text(note.title), styles["note"])]
    if note.entries:
        inner.append(_entries(note.entries, styles, indent=NOTE_INDENT + NOTE_PADDING))
    box = Table([[inner]], colWidths=[A4[0] - 4 * cm - NOTE_INDENT], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("LINEBEFORE", (0, 0), (0, -1), 2, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), NOTE_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return box


def _item(item: AccessItem, styles: dict[str, ParagraphStyle]):  # type: ignore[no-untyped-def]
    if item.entries or item.notes:
        return _entries(item.entries, styles, title=item.title, notes=item.notes)
    return Paragraph(_text(item.title), styles["item"])


def _numbered_canvas(doc: AccessDocument):  # type: ignore[no-untyped-def]
    """A canvas that knows the page count, to print "Page n sur N" in the footer."""
    regular, _ = _fonts()
    footer_left = f"Exporté le {format_date(doc.exported_at.astimezone().date())} — {doc.title}"

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []  # type: ignore[type-arg]

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(regular, 7.5)
                self.setFillColor(MUTED)
                text = footer_left if len(footer_left) < 110 else footer_left[:107] + "…"
                self.drawString(2 * cm, 1.2 * cm, text)
                self.drawRightString(
                    A4[0] - 2 * cm, 1.2 * cm, f"Page {self._pageNumber} sur {total}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def render_access_pdf(path: Path, doc: AccessDocument) -> None:
    """Write ``doc`` as a PDF at ``path``."""
    styles = _styles()
    story: list = [  # type: ignore[type-arg]
        Paragraph(_text(doc.title), styles["title"]),
        Paragraph(_text(f"Exporté le {french_moment(doc.exported_at)}"), styles["meta"]),
        Paragraph(_text(f"Par {doc.exported_by}"), styles["meta"]),
        Spacer(1, 6),
        Paragraph(_text(doc.intro), styles["base"]),
    ]
    if doc.not_exported:
        story.append(
            Paragraph(
                f"<b>Non inclus dans cet export.</b> {_text(doc.not_exported)}", styles["panel"]
            )
        )
    for section in doc.sections:
        story.append(CondPageBreak(4 * cm))  # no heading alone at the foot of a page
        block = [Paragraph(_text(section.title), styles["section"])]
        if section.intro:
            block.append(Paragraph(_text(section.intro), styles["base"]))
            block.append(Spacer(1, 3))
        story.append(KeepTogether(block))
        if section.entries:  # may be long (article 15): splits between rows, never jumps a page
            story.append(_entries(section.entries, styles))
        story += [_item(item, styles) for item in section.items]
    pdf = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=doc.title,
        author=doc.exported_by,
        subject="Droit d'accès (RGPD, article 15)",
        lang="fr-FR",
    )
    pdf.build(story, canvasmaker=_numbered_canvas(doc))
