"""The period's activity report (bilan) as an A4 PDF, in French, for the Département.

Key figures beside the Département's goals, the charts, the tables and the definitions. It is
built from an ``ActivityReport`` only: aggregates, never a person's name or identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from van_app.core.indicators import (
    SCORE_LABELS,
    ActivityReport,
    CountItem,
    definitions,
    format_date,
    format_number,
    format_percent,
    key_rows,
    period_text,
    plural,
)
from van_app.core.reference import ReferenceData
from van_app.core.reports import fonts
from van_app.core.reports.attendance_secret import SECRET_NOTE, BilanAttendance, shown_text
from van_app.core.reports.bilan_annual import (
    COMMUNE_INDICATOR_HEADERS,
    MONTH_HEADERS,
    cms_name,
    commune_indicator_cells,
    comparison_caption,
    key_figure_cells,
    month_axis_labels,
    month_cells,
)
from van_app.core.reports.bilan_charts import (
    grouped_bars,
    horizontal_bars,
    shorten,
    stacked_shares,
)
from van_app.core.reports.safe_write import atomic_write

WIDTH = A4[0] - 36 * mm  # the frame's width
HEADER_BG = colors.HexColor("#1f3a5f")
STRIPE = colors.HexColor("#f2f5f9")
SERVICES = {"social": "Social", "pmi": "PMI", "both": "Social et PMI"}
_OTHER_CLOSED = ("autre clôturé", "autres clôturés")

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle(
    "BilanTitle", parent=_styles["Title"], fontName=fonts.BOLD, fontSize=16, leading=20
)
H2 = ParagraphStyle(
    "BilanH2",
    parent=_styles["Heading2"],
    fontName=fonts.BOLD,
    textColor=HEADER_BG,
    spaceBefore=10,
    spaceAfter=4,
)
BODY = ParagraphStyle(
    "BilanBody", parent=_styles["BodyText"], fontName=fonts.REGULAR, fontSize=9, leading=11.5
)
NOTE = ParagraphStyle(
    "BilanNote", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")
)
H3 = ParagraphStyle("BilanH3", parent=BODY, fontName=fonts.BOLD, spaceAfter=2)
CELL = ParagraphStyle("BilanCell", parent=BODY, fontSize=8, leading=10)
CELL_RIGHT = ParagraphStyle("BilanCellRight", parent=CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("BilanHead", parent=CELL, textColor=colors.white, fontName=fonts.BOLD)


def bilan_title(report: ActivityReport, cms_label: str) -> str:
    """ "Bilan d'activité du service itinérant — Centre médico-social de Die — du …": the CMS's
    name from ``cms.json`` when ``cms_label`` is its code."""
    cms = cms_name(cms_label)
    if cms == cms_label and not cms_label.upper().startswith(("CMS", "CENTRE")):
        cms = f"CMS {cms_label}"
    return f"Bilan d'activité du service itinérant — {cms} — {period_text(report.filter)}"


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    numeric_from: int = 1,
    numeric_to: int | None = None,
) -> Table:
    """A striped table; columns ``numeric_from`` to ``numeric_to`` (included) align right."""
    last = len(headers) - 1 if numeric_to is None else numeric_to
    data = [[_p(h, HEAD) for h in headers]]
    for row in rows:
        data.append(
            [
                _p(cell, CELL_RIGHT if numeric_from <= i <= last else CELL)
                for i, cell in enumerate(row)
            ]
        )
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor("#9aa9bb")),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _items(items: Sequence[CountItem]) -> list[tuple[str, int]]:
    return [(item.label, item.count) for item in items]


def _key_figures(report: ActivityReport, notes: dict[str, str]) -> list:  # type: ignore[type-arg]
    before = comparison_caption(report)
    return [
        _p("Chiffres clés", H2),
        _table(
            ["Indicateur", "Valeur", "Un an avant", "Détail", "Objectif du Département"],
            key_figure_cells(report),
            [WIDTH * 0.22, WIDTH * 0.10, WIDTH * 0.13, WIDTH * 0.31, WIDTH * 0.24],
            numeric_from=1,
            numeric_to=2,
        ),
        Spacer(1, 3),
        _p(notes["scope"], NOTE),
        _p(notes["comparison"] + (f" {before}." if before else ""), NOTE),
    ]


def _annual(
    report: ActivityReport, notes: dict[str, str], secret: BilanAttendance | None = None
) -> list:  # type: ignore[type-arg]
    """The Département's indicators per commune, and the period month by month."""
    flow: list = [
        CondPageBreak(70 * mm),
        _p("Indicateurs du Département par commune", H2),
        _table(
            list(COMMUNE_INDICATOR_HEADERS),
            commune_indicator_cells(report, secret),
            [w * WIDTH for w in (0.22, 0.16, 0.17, 0.16, 0.15, 0.14)],
        ),
        Spacer(1, 3),
        _p(notes["unknown_before"], NOTE),
    ]
    if len(report.monthly) > 1:
        months = month_axis_labels([m.month for m in report.monthly])
        flow += [
            CondPageBreak(90 * mm),
            _p("Activité mois par mois", H2),
            grouped_bars(
                "Personnes reçues et personnes rencontrées pour la première fois, par mois",
                months,
                [
                    ("Personnes reçues", [m.people for m in report.monthly]),
                    ("Nouvelles (1er contact)", [m.first_met for m in report.monthly]),
                    ("dont non connues du CMS", [m.unknown_before for m in report.monthly]),
                ],
                WIDTH,
            ),
            Spacer(1, 4),
            _table(
                list(MONTH_HEADERS),
                month_cells(report),
                [w * WIDTH for w in (0.15, 0.12, 0.15, 0.16, 0.15, 0.10, 0.17)],
            ),
        ]
    return flow


def _attendance(
    report: ActivityReport, notes: dict[str, str], secret: BilanAttendance | None = None
) -> list:  # type: ignore[type-arg]
    """``secret``: the counts as the Département may read them (docs/statistics.md); a
    commune with a hidden count is left out of the charts."""
    flow: list = [CondPageBreak(90 * mm), _p("Fréquentation par commune et par arrêt", H2)]
    tour = [c for c in report.communes if c.commune_insee is not None]
    months = month_axis_labels(report.months)
    by_month = {c.commune_insee: c.people_by_month for c in tour}
    people = {
        c.commune_insee: (c.people, c.consultations, c.people_per_stop) for c in report.communes
    }
    stops = {
        s.stop_id: (s.people, s.social_consultations, s.pmi_consultations) for s in report.stops
    }
    if secret is not None:
        by_month, people, stops = secret.people_by_month, secret.communes, secret.stops
    charted = [
        c
        for c in tour
        if all(isinstance(v, int) for v in (*by_month[c.commune_insee], people[c.commune_insee][0]))
    ]
    if len(months) > 1:
        flow.append(
            grouped_bars(
                "Personnes reçues par commune et par mois",
                months,
                [(c.commune, by_month[c.commune_insee]) for c in charted],
                WIDTH,
            )
        )
    else:
        flow.append(
            horizontal_bars(
                "Personnes reçues par commune",
                [(c.commune, people[c.commune_insee][0]) for c in charted],
                WIDTH,
            )
        )
    flow.append(Spacer(1, 4))
    flow.append(
        _table(
            ["Commune", "Arrêts tenus", "Personnes reçues", "Consultations", "Moyenne par arrêt"],
            [
                [
                    c.commune,
                    format_number(c.stops),
                    *(shown_text(v) for v in people[c.commune_insee]),
                ]
                for c in report.communes
            ],
            [WIDTH * 0.36, WIDTH * 0.16, WIDTH * 0.16, WIDTH * 0.16, WIDTH * 0.16],
        )
    )
    flow += [Spacer(1, 6), _p("Passages par arrêt", H3)]
    flow.append(
        _table(
            [
                "Date",
                "Commune",
                "Lieu",
                "Services",
                "Personnes",
                "Consult. sociales",
                "Consult. PMI",
            ],
            [
                [
                    format_date(s.stop_date) + ("" if s.held else " (prévu)"),
                    s.commune,
                    shorten(s.place, 40),
                    SERVICES.get(s.services, s.services),
                    *(shown_text(v) for v in stops[s.stop_id]),
                ]
                for s in report.stops
            ]
            or [["Aucun arrêt sur la période.", "", "", "", "", "", ""]],
            [w * WIDTH for w in (0.115, 0.225, 0.22, 0.14, 0.105, 0.10, 0.095)],
            numeric_from=4,
        )
    )
    flow += [Spacer(1, 3), _p(notes["attendance"], NOTE)]
    if secret is not None:
        flow.append(_p(SECRET_NOTE, NOTE))
    return flow


def _satisfaction(report: ActivityReport, notes: dict[str, str]) -> list:  # type: ignore[type-arg]
    satisfaction = report.satisfaction
    flow: list = [CondPageBreak(70 * mm), _p("Satisfaction des personnes reçues", H2)]
    if satisfaction.answers:
        flow.append(
            stacked_shares(
                f"Réponses par question ({format_number(satisfaction.answers)} questionnaires)",
                [q.label for q in satisfaction.questions],
                [
                    (
                        SCORE_LABELS[n],
                        [
                            q.distribution[n] / q.answers if q.answers else 0
                            for q in satisfaction.questions
                        ],
                    )
                    for n in range(4)
                ],
                WIDTH,
            )
        )
    rows = [
        [
            q.label,
            format_number(q.answers),
            *(format_number(n) for n in q.distribution),
            format_percent(q.share),
        ]
        for q in satisfaction.questions
    ]
    flow.append(
        _table(
            ["Question", "Réponses", *SCORE_LABELS, "Bien ou excellent"],
            rows,
            [w * WIDTH for w in (0.28, 0.11, 0.11, 0.11, 0.11, 0.11, 0.17)],
        )
    )
    flow += [Spacer(1, 3), _p(notes["satisfaction"], NOTE)]
    return flow


def _social(report: ActivityReport, notes: dict[str, str]) -> list:  # type: ignore[type-arg]
    flow: list = [CondPageBreak(80 * mm), _p("Accueil social", H2)]
    resolution, social = report.resolution, report.social
    if resolution is None or social is None:
        return [*flow, _p(f"Indicateurs de l'accueil social : {report.social_unavailable}.")]
    flow.append(
        _table(
            ["Issue de la consultation", "Consultations", "Part"],
            [
                [i.label, format_number(i.count), format_percent(i.share)]
                for i in resolution.outcomes
            ],
            [WIDTH * 0.6, WIDTH * 0.2, WIDTH * 0.2],
        )
    )
    flow += [Spacer(1, 3), _p(notes["immediate_resolution"], NOTE), Spacer(1, 6)]
    delays = KeepTogether(
        [
            horizontal_bars(
                "Délai de résolution des demandes résolues (sur place : 0 jour)",
                _items(resolution.delay_buckets),
                WIDTH,
            ),
            _p(
                f"Délai médian : {key_text(report, 'median_days')} "
                f"({key_detail(report, 'median_days')} ; "
                f"{plural(resolution.other_closed_follow_ups, *_OTHER_CLOSED)})."
                f" Au {format_date(resolution.as_of)} : "
                f"{plural(resolution.open_follow_ups, 'suivi en cours', 'suivis en cours')}, dont "
                f"{format_number(resolution.overdue_follow_ups)} en retard.",
            ),
            Spacer(1, 2),
            _p(notes["time_to_resolve"], NOTE),
            _p(notes["follow_ups"], NOTE),
        ]
    )
    flow += [delays, Spacer(1, 8)]
    flow.append(
        KeepTogether(
            [
                horizontal_bars("Orientations par partenaire", _items(social.orientations), WIDTH),
                _p(notes["orientations"], NOTE),
            ]
        )
    )
    flow.append(Spacer(1, 8))
    flow.append(
        KeepTogether(
            [
                horizontal_bars(
                    "Types de demande (nombre de consultations)", _items(social.demand_types), WIDTH
                ),
                _p(notes["demand_types"], NOTE),
            ]
        )
    )
    return flow


def _pmi(report: ActivityReport, notes: dict[str, str]) -> list:  # type: ignore[type-arg]
    flow: list = [CondPageBreak(60 * mm), _p("Protection maternelle et infantile (PMI)", H2)]
    pmi = report.pmi
    if pmi is None:
        return [*flow, _p(f"Indicateurs de la PMI : {report.pmi_unavailable}.")]
    rows = [
        ["Consultations de PMI", format_number(pmi.pmi_consultations)],
        ["Enfants de moins de 6 ans vus", format_number(pmi.children_seen)],
        ["Consultations d'enfants", format_number(pmi.child_consultations)],
        ["Consultations prénatales", format_number(pmi.prenatal_consultations)],
        ["Femmes enceintes suivies", format_number(pmi.women_followed)],
    ]
    vaccination = pmi.vaccination
    if vaccination is None:
        rows.append(["Vaccinations trouvées en retard", key_text(report, "late_vaccinations")])
    else:
        rows += [
            ["Doses trouvées en retard", format_number(vaccination.late_doses)],
            [
                "Enfants ayant une dose en retard",
                format_number(vaccination.children_with_late_doses),
            ],
            ["Doses en retard rattrapées", format_number(vaccination.late_doses_given)],
        ]
    flow.append(_table(["Indicateur", "Valeur"], rows, [WIDTH * 0.6, WIDTH * 0.4]))
    if pmi.orientations:
        flow += [
            Spacer(1, 6),
            horizontal_bars(
                "Orientations de la PMI par partenaire", _items(pmi.orientations), WIDTH
            ),
        ]
    flow += [Spacer(1, 3)]
    flow += [_p(notes[k], NOTE) for k in ("children_seen", "prenatal", "late_vaccinations")]
    return flow


def key_text(report: ActivityReport, key: str) -> str:
    return next(row.text for row in key_rows(report) if row.key == key)


def key_detail(report: ActivityReport, key: str) -> str:
    return next(row.detail for row in key_rows(report) if row.key == key)


def _definitions(notes: dict[str, str]) -> list:  # type: ignore[type-arg]
    return [
        CondPageBreak(50 * mm),
        _p("Définitions", H2),
        *(_p(text, NOTE) for text in notes.values()),
    ]


def bilan_story(
    report: ActivityReport,
    ref: ReferenceData,
    cms_label: str,
    secret: BilanAttendance | None = None,
) -> list:  # type: ignore[type-arg]
    """The flowables of the bilan, in order; ``secret`` protects its attendance counts."""
    notes = definitions(ref)
    story: list = [
        _p(bilan_title(report, cms_label), TITLE),
        _p(f"Édité le {format_date(report.today)}. " + " · ".join(report.filter_text[1:]), BODY),
    ]
    story += _key_figures(report, notes)
    story += _annual(report, notes, secret)
    story += _attendance(report, notes, secret)
    story += _satisfaction(report, notes)
    story += _social(report, notes)
    story += _pmi(report, notes)
    story += _definitions(notes)
    return story


def write_bilan_pdf(
    path: Path,
    report: ActivityReport,
    ref: ReferenceData,
    cms_label: str,
    secret: BilanAttendance | None = None,
) -> None:
    """Write the bilan to ``path`` (all or nothing); ``secret`` (``bilan_secret``) for the
    Département's copy: per-stop and per-commune counts under the statistical secret."""
    title = bilan_title(report, cms_label)

    def footer(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(fonts.REGULAR, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(18 * mm, 10 * mm, shorten(title, 110))
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    def write(target: Path) -> None:
        document = SimpleDocTemplate(
            str(target),
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=title,
            author="Drôme Proximité",
            lang="fr-FR",
        )
        story = bilan_story(report, ref, cms_label, secret)
        document.build(story, onFirstPage=footer, onLaterPages=footer)

    atomic_write(Path(path), write)
