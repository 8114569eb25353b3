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


def commune_indicator_cells(report: ActivityReport) -> list[list[str]]:
    """Per commune: new people not known before, satisfaction, immediate resolution, attendance."""
    rows = []
    for c in report.communes:
        per_stop = "—" if c.people_per_stop is None else format_decimal(c.people_per_stop)
        planned = f" (+ {format_number(c.planned_stops)} prévu)" if c.planned_stops else ""
        rows.append(
            [
                c.commune,
                _share_cell(c.unknown_before_share, c.unknown_before, c.first_met),
                _share_cell(c.satisfaction_share, c.satisfied, c.answers),
                _share_cell(c.immediate_share, c.resolved_on_spot, c.social_consultations),
                f"{format_number(c.stops)}{planned}",
                per_stop,
            ]
        )
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
