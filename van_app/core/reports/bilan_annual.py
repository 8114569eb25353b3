"""The annual-report parts of the bilan PDF: the key figures beside the year before and the
Département's targets, the Département's indicators per commune, and the monthly series.

Kept apart from ``bilan_pdf`` (layout of the other sections) so each stays readable; every
figure comes from the ``ActivityReport`` and its wording from ``indicators``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from van_app.core.cms_contacts import load_cms_contacts
from van_app.core.indicators import (
    ActivityReport,
    format_decimal,
    format_month,
    format_number,
    format_percent,
    key_rows,
    period_text,
    share,
)
from van_app.core.reports.attendance_secret import BilanAttendance, shown_text


def cms_name(cms_label: str) -> str:
    """The CMS's name from ``cms.json`` ("Centre médico-social de Die") for its code; a label
    that is not a known code is kept as written."""
    contact = load_cms_contacts().get(cms_label)
    return contact.name if contact is not None else cms_label


def month_axis_labels(months: Sequence[dt.date]) -> list[str]:
    """ "janv.", "févr."… within one year (a year's twelve fit the axis), else "janv. 2026"."""
    if len({m.year for m in months}) == 1 and len(months) > 6:
        return [format_month(m, short=True).rsplit(" ", 1)[0] for m in months]
    return [format_month(m, short=True) for m in months]


def comparison_caption(report: ActivityReport) -> str:
    """ "Un an avant (du 01/10/2025 au 31/12/2025)", or "" without a comparison."""
    if report.previous is None:
        return ""
    return f"Un an avant ({period_text(report.previous.filter)})"


def key_figure_cells(report: ActivityReport) -> list[list[str]]:
    """Per key figure: label, value, the year before, detail, target and whether it is met."""
    cells = []
    for row in key_rows(report):
        target = ""
        if row.target is not None:
            target = row.target.text + (f" — {row.target_status}" if row.target_status else "")
        value, before, detail = row.text, row.previous_text, row.detail
        if row.value is None and value != "—":  # a reason, too long for a number's column
            value, before, detail = "—", "—" if before else "", value
        cells.append([row.label, value, before, detail, target])
    return cells


def _share_cell(share: float | None, part: int, whole: int) -> str:
    if share is None:
        return "—"
    return f"{format_percent(share)} ({format_number(part)}/{format_number(whole)})"


def commune_indicator_cells(
    report: ActivityReport, secret: BilanAttendance | None = None
) -> list[list[str]]:
    """Per commune: new people not known before, satisfaction, immediate resolution, attendance;
    ``secret``: its counts as the Département may read them (docs/statistics.md)."""
    rows = []
    for c in report.communes:
        per_stop = "—" if c.people_per_stop is None else format_decimal(c.people_per_stop)
        planned = f" (+ {format_number(c.planned_stops)} prévu)" if c.planned_stops else ""
        shares = [
            (c.unknown_before_share, c.unknown_before, c.first_met),
            (c.satisfaction_share, c.satisfied, c.answers),
            (c.immediate_share, c.resolved_on_spot, c.social_consultations),
        ]
        cells = [_share_cell(*share) for share in shares]  # type: ignore[arg-type]
        if secret is not None and c.commune_insee in secret.indicators:
            counts = secret.indicators[c.commune_insee]
            names = [
                ("unknown_before", "first_met"),
                ("satisfied", "answers"),
                ("resolved_on_spot", "social_consultations"),
            ]
            cells = [
                _share_cell(share, counts[part], counts[whole])  # type: ignore[arg-type]
                if isinstance(counts[part], int) and isinstance(counts[whole], int)
                else f"{shown_text(counts[part])} sur {shown_text(counts[whole])}"
                for (share, _, _), (part, whole) in zip(shares, names, strict=True)
            ]
            per_stop = shown_text(secret.communes[c.commune_insee][2])
        rows.append([c.commune, *cells, f"{format_number(c.stops)}{planned}", per_stop])
    return rows


COMMUNE_INDICATOR_HEADERS = (
    "Commune",
    "Nouvelles, non connues du CMS",
    "Service rendu « bien » ou « excellent »",
    "Résolution immédiate",
    "Arrêts tenus",
    "Personnes par arrêt",
)


MONTH_HEADERS = (
    "Mois",
    "Personnes reçues",
    "Consultations",
    "Rencontrées pour la 1re fois",
    "dont non connues du CMS",
    "Arrêts tenus",
    "Résolution immédiate",
)


def month_cells(report: ActivityReport) -> list[list[str]]:
    """The monthly series as text cells, one row per month of the period."""
    rows = []
    for m in report.monthly:
        spot = "—"
        if m.resolved_on_spot is not None:
            spot = _share_cell(
                share(m.resolved_on_spot, m.social_consultations),
                m.resolved_on_spot,
                m.social_consultations,
            )
        rows.append(
            [
                format_month(m.month),
                format_number(m.people),
                format_number(m.consultations),
                format_number(m.first_met),
                format_number(m.unknown_before),
                format_number(m.held_stops),
                spot,
            ]
        )
    return rows
