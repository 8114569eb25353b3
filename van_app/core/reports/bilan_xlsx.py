"""The period's activity report (bilan) as an Excel workbook: one sheet per section.

Numbers stay numbers (shares with a % format, dates as dates) so the Département can sort,
sum and chart them; a "Définitions" sheet says what each figure counts. Aggregates only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from van_app.core.indicators import (
    DEFINITION_TITLES,
    SCORE_LABELS,
    ActivityReport,
    CountItem,
    definitions,
    key_rows,
)
from van_app.core.reference import ReferenceData
from van_app.core.reports.attendance_secret import BilanAttendance
from van_app.core.reports.bilan_annual import comparison_caption
from van_app.core.reports.bilan_pdf import bilan_title
from van_app.core.reports.safe_write import atomic_write

PERCENT = "0%"
DECIMAL = "0.0"
DATE = "dd/mm/yyyy"
MONTH = "mm/yyyy"
SERVICES = {"social": "Social", "pmi": "PMI", "both": "Social et PMI"}
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F3A5F")

Column = tuple[str, float, str | None]  # header, width, number format


class _Sheet:
    """A sheet with a title, the filters, then tables appended one after the other."""

    def __init__(self, book: Workbook, name: str, title: str, report: ActivityReport) -> None:
        self.sheet: Worksheet = book.create_sheet(name)
        self.sheet.append([title])
        self.sheet["A1"].font = Font(bold=True, size=13)
        self.sheet.append([" · ".join(report.filter_text)])
        self.sheet.append([])

    def line(self, text: str, *, bold: bool = False) -> None:
        self.sheet.append([text])
        self.sheet.cell(self.sheet.max_row, 1).font = Font(bold=bold, italic=not bold)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> int:
        """Append a table with its header; returns the sheet row of its first data row."""
        self.sheet.append([header for header, _, _ in columns])
        head = self.sheet.max_row
        for index, (_, width, _) in enumerate(columns, start=1):
            cell = self.sheet.cell(head, index)
            cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            letter = get_column_letter(index)
            current = self.sheet.column_dimensions[letter].width or 0
            self.sheet.column_dimensions[letter].width = max(width, current)
        if not rows:
            self.sheet.append(["Aucune donnée sur la période."])
        for row in rows:
            self.sheet.append(list(row))
            for index, (_, _, number_format) in enumerate(columns, start=1):
                if number_format:
                    self.sheet.cell(self.sheet.max_row, index).number_format = number_format
        if self.sheet.freeze_panes is None:
            self.sheet.freeze_panes = self.sheet.cell(head + 1, 1)
        self.sheet.append([])
        return head + 1


def _count_rows(items: Sequence[CountItem]) -> list[list[Any]]:
    return [[item.label, item.code, item.count, item.share] for item in items]


def _summary(book: Workbook, report: ActivityReport, title: str) -> None:
    sheet = _Sheet(book, "Synthèse", title, report)
    rows = []
    for row in key_rows(report):
        target = row.target.value if row.target else None
        rows.append(
            [
                row.label,
                row.value if row.value is not None else row.text,
                row.detail,
                target,
                row.target.text if row.target else None,
                row.previous_value if row.previous_value is not None else row.previous_text,
                row.target_status or None,
            ]
        )
    first = sheet.table(
        [
            ("Indicateur", 46, None),
            ("Valeur", 14, None),
            ("Détail", 44, None),
            ("Objectif", 10, None),
            ("Objectif ou repère du Département", 52, None),
            (comparison_caption(report) or "Un an avant", 16, None),
            ("Objectif atteint", 12, None),
        ],
        rows,
    )
    # Each value gets the format of its kind (a share in %, a delay with one decimal).
    for offset, row in enumerate(key_rows(report)):
        number_format = {"share": PERCENT, "days": DECIMAL}.get(row.kind)
        if number_format:
            sheet.sheet.cell(first + offset, 2).number_format = number_format
            sheet.sheet.cell(first + offset, 6).number_format = number_format
            if row.target:
                sheet.sheet.cell(first + offset, 4).number_format = number_format
    sheet.line(f"Édité le {report.today:%d/%m/%Y}.")


def _attendance(
    book: Workbook, report: ActivityReport, title: str, secret: BilanAttendance | None = None
) -> None:
    """``secret``: per-stop and per-commune counts as the Département may read them ("< 11",
    "s" in place of a hidden count, docs/statistics.md)."""
    at_stop = {
        s.stop_id: (s.people, s.social_consultations, s.pmi_consultations) for s in report.stops
    }
    at_commune = {
        c.commune_insee: (c.people, c.consultations, c.people_per_stop) for c in report.communes
    }
    by_month = {c.commune_insee: c.people_by_month for c in report.communes}
    if secret is not None:
        at_stop, at_commune, by_month = secret.stops, secret.communes, secret.people_by_month
    stops = _Sheet(book, "Arrêts", f"{title} — passages par arrêt", report)
    stops.table(
        [
            ("Date", 12, DATE),
            ("Commune", 24, None),
            ("Code INSEE", 11, None),
            ("Lieu", 34, None),
            ("Services", 14, None),
            ("Personnes reçues", 12, None),
            ("Consultations sociales", 13, None),
            ("Consultations PMI", 13, None),
            ("État", 10, None),
        ],
        [
            [
                s.stop_date,
                s.commune,
                s.commune_insee,
                s.place,
                SERVICES.get(s.services, s.services),
                *at_stop[s.stop_id],
                "tenu" if s.held else "prévu",
            ]
            for s in report.stops
        ],
    )
    communes = _Sheet(book, "Communes", f"{title} — fréquentation par commune", report)
    communes.table(
        [
            ("Commune", 24, None),
            ("Code INSEE", 11, None),
            ("Arrêts tenus", 11, None),
            ("Personnes reçues", 12, None),
            ("Consultations", 13, None),
            ("Moyenne de personnes par arrêt", 15, DECIMAL),
            ("Arrêts prévus (à venir)", 11, None),
            ("Rencontrées pour la 1re fois", 13, None),
            ("dont non connues du CMS", 13, None),
            ("Part non connues", 10, PERCENT),
            ("Consultations sociales", 12, None),
            ("Résolues sur place", 11, None),
            ("Résolution immédiate", 11, PERCENT),
            ("Réponses « service rendu »", 12, None),
            ("Bien ou excellent", 11, None),
            ("Satisfaction", 11, PERCENT),
        ],
        [
            [
                c.commune,
                c.commune_insee,
                c.stops,
                *at_commune[c.commune_insee],
                c.planned_stops,
                *_indicators(c, secret),
            ]
            for c in report.communes
        ],
    )
    series = _Sheet(book, "Par mois", f"{title} — mois par mois", report)
    series.table(
        [
            ("Mois", 10, MONTH),
            ("Personnes reçues", 12, None),
            ("Consultations", 13, None),
            ("Rencontrées pour la 1re fois", 13, None),
            ("dont non connues du CMS", 13, None),
            ("Arrêts tenus", 11, None),
            ("Consultations sociales", 12, None),
            ("Résolues sur place", 11, None),
        ],
        [
            [
                m.month,
                m.people,
                m.consultations,
                m.first_met,
                m.unknown_before,
                m.held_stops,
                m.social_consultations,
                m.resolved_on_spot,
            ]
            for m in report.monthly
        ],
    )
    monthly = _Sheet(book, "Communes par mois", f"{title} — par commune et par mois", report)
    monthly.table(
        [
            ("Commune", 24, None),
            ("Mois", 10, MONTH),
            ("Arrêts tenus", 11, None),
            ("Personnes reçues", 12, None),
        ],
        [
            [c.commune, month, c.stops_by_month[i], by_month[c.commune_insee][i]]
            for c in report.communes
            for i, month in enumerate(report.months)
        ],
    )


def _indicators(c: Any, secret: BilanAttendance | None) -> list[Any]:
    """A commune's indicator counts and shares; under the secret, a share only beside two
    published counts."""
    names = ("first_met", "unknown_before", "social_consultations", "resolved_on_spot")
    counts: dict[str, Any] = {name: getattr(c, name) for name in (*names, "answers", "satisfied")}
    if secret is not None and c.commune_insee in secret.indicators:
        counts.update(secret.indicators[c.commune_insee])

    def share(value: float | None, part: str, whole: str) -> float | None:
        published = all(isinstance(counts[k], int) for k in (part, whole))
        return value if published or counts[part] is None else None

    return [
        counts["first_met"],
        counts["unknown_before"],
        share(c.unknown_before_share, "unknown_before", "first_met"),
        counts["social_consultations"],
        counts["resolved_on_spot"],
        share(c.immediate_share, "resolved_on_spot", "social_consultations"),
        counts["answers"],
        counts["satisfied"],
        share(c.satisfaction_share, "satisfied", "answers"),
    ]


def _satisfaction(book: Workbook, report: ActivityReport, title: str) -> None:
    sheet = _Sheet(book, "Satisfaction", f"{title} — satisfaction", report)
    sheet.table(
        [("Question", 28, None), ("Réponses", 10, None)]
        + [(label, 10, None) for label in SCORE_LABELS]
        + [("Bien ou excellent", 12, PERCENT)],
        [[q.label, q.answers, *q.distribution, q.share] for q in report.satisfaction.questions],
    )


def _social(book: Workbook, report: ActivityReport, title: str) -> None:
    sheet = _Sheet(book, "Accueil social", f"{title} — accueil social", report)
    resolution, social = report.resolution, report.social
    if resolution is None or social is None:
        sheet.line(f"Indicateurs de l'accueil social : {report.social_unavailable}.")
        return
    share_columns: list[Column] = [("Code", 18, None), ("Nombre", 10, None), ("Part", 9, PERCENT)]
    sheet.line("Issue des consultations sociales", bold=True)
    sheet.table([("Issue", 46, None), *share_columns], _count_rows(resolution.outcomes))
    sheet.line("Délai de résolution des demandes résolues dans la période", bold=True)
    sheet.table([("Délai", 46, None), *share_columns], _count_rows(resolution.delay_buckets))
    row = sheet.table(
        [("Suivis", 46, None), ("Valeur", 18, None)],
        [
            ["Délai médian de toutes les demandes résolues (jours)", resolution.median_days],
            ["Demandes résolues", resolution.resolved_demands],
            ["dont résolues sur place (0 jour)", resolution.resolved_on_spot],
            ["Délai médian des seuls suivis (jours)", resolution.follow_up_median_days],
            ["Suivis résolus", resolution.resolved_follow_ups],
            ["Suivis partiellement résolus (à part)", resolution.partially_resolved_follow_ups],
            ["Autres suivis clôturés", resolution.other_closed_follow_ups],
            ["Date de référence des suivis en cours", resolution.as_of],
            ["Suivis en cours", resolution.open_follow_ups],
            ["dont en retard", resolution.overdue_follow_ups],
        ],
    )
    sheet.sheet.cell(row, 2).number_format = DECIMAL
    sheet.sheet.cell(row + 3, 2).number_format = DECIMAL
    sheet.sheet.cell(row + 7, 2).number_format = DATE
    demands = _Sheet(book, "Types de demande", f"{title} — types de demande", report)
    demands.table(
        [
            ("Type de demande", 60, None),
            ("Code", 22, None),
            ("Consultations", 13, None),
            ("Part des consultations sociales", 14, PERCENT),
        ],
        _count_rows(social.demand_types),
    )
    orientations = _Sheet(book, "Orientations", f"{title} — orientations", report)
    orientations.table(
        [
            ("Partenaire", 60, None),
            ("Code", 22, None),
            ("Orientations", 13, None),
            ("Part des orientations", 14, PERCENT),
        ],
        _count_rows(social.orientations),
    )


def _pmi(book: Workbook, report: ActivityReport, title: str) -> None:
    sheet = _Sheet(book, "PMI", f"{title} — PMI", report)
    pmi = report.pmi
    if pmi is None:
        sheet.line(f"Indicateurs de la PMI : {report.pmi_unavailable}.")
        return
    vaccination = pmi.vaccination
    late: list[list[Any]]
    if vaccination is None:
        late = [
            [
                "Vaccinations trouvées en retard",
                next(r.text for r in key_rows(report) if r.key == "late_vaccinations"),
            ]
        ]
    else:
        late = [
            ["Doses trouvées en retard", vaccination.late_doses],
            ["Enfants ayant une dose en retard", vaccination.children_with_late_doses],
            ["Enfants dont le calendrier a été vérifié", vaccination.children_checked],
            ["Doses en retard rattrapées", vaccination.late_doses_given],
        ]
    sheet.table(
        [("Indicateur", 46, None), ("Valeur", 34, None)],
        [
            ["Consultations de PMI", pmi.pmi_consultations],
            ["Enfants de moins de 6 ans vus", pmi.children_seen],
            ["Consultations d'enfants", pmi.child_consultations],
            ["Consultations prénatales", pmi.prenatal_consultations],
            ["Femmes enceintes suivies", pmi.women_followed],
            *late,
        ],
    )
    if pmi.orientations is not None:
        sheet.line("Orientations de la PMI", bold=True)
        sheet.table(
            [
                ("Partenaire", 46, None),
                ("Code", 34, None),
                ("Orientations", 13, None),
                ("Part", 9, PERCENT),
            ],
            _count_rows(pmi.orientations),
        )


def _definitions(book: Workbook, report: ActivityReport, ref: ReferenceData, title: str) -> None:
    sheet = _Sheet(book, "Définitions", f"{title} — définitions", report)
    sheet.table(
        [("Indicateur", 26, None), ("Définition", 110, None)],
        [[DEFINITION_TITLES[key], text] for key, text in definitions(ref).items()],
    )
    for row in sheet.sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def bilan_workbook(
    report: ActivityReport,
    ref: ReferenceData,
    cms_label: str,
    secret: BilanAttendance | None = None,
) -> Workbook:
    """The workbook, sheets in the order of the PDF; ``secret`` protects attendance counts."""
    title = bilan_title(report, cms_label)
    book = Workbook()
    book.remove(book.active)
    _summary(book, report, title)
    _attendance(book, report, title, secret)
    _satisfaction(book, report, title)
    _social(book, report, title)
    _pmi(book, report, title)
    _definitions(book, report, ref, title)
    book.properties.title = title
    book.properties.creator = "Drôme Proximité"
    book.properties.created = dt.datetime.combine(report.today, dt.time())
    return book


def write_bilan_xlsx(
    path: Path,
    report: ActivityReport,
    ref: ReferenceData,
    cms_label: str,
    secret: BilanAttendance | None = None,
) -> None:
    """Write the bilan workbook to ``path`` (all or nothing); ``secret`` (``bilan_secret``)
    for the Département's copy."""
    book = bilan_workbook(report, ref, cms_label, secret)
    atomic_write(Path(path), book.save)
