"""The dashboard's chart area, its quick periods, and export failures said in French."""

from __future__ import annotations

import datetime as dt
from functools import partial

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGridLayout, QWidget

from van_app.core.indicators import (
    SCORE_LABELS,
    ActivityReport,
    definitions,
    format_date,
    format_days,
    format_number,
    format_percent,
    key_rows,
)
from van_app.core.reference import ReferenceData
from van_app.ui.widgets.activity_charts import (
    ChartPanel,
    attendance_chart,
    horizontal_bar_chart,
    stacked_percent_chart,
    vertical_bar_chart,
)

_tr = partial(QCoreApplication.translate, "ActivityCharts")
# Short enough for the axis of a half-width chart; the exports use the full labels.
DELAY_SHORT_LABELS = {
    "0": "0 j",
    "1-4": "1 à 4 j",
    "5-14": "5 à 14 j",
    "15-21": "15 à 21 j",
    "22+": "≥ 22 j",
}


def quick_period(which: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The current month, calendar quarter or year containing ``today`` (both days included)."""
    if which == "year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    first_month = today.month if which == "month" else 3 * ((today.month - 1) // 3) + 1
    start = dt.date(today.year, first_month, 1)
    months = 1 if which == "month" else 3
    index = first_month - 1 + months
    following = dt.date(today.year + index // 12, index % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


class ActivityCharts(QWidget):
    """Attendance over time (full width), then satisfaction, delays, orientations, demands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes: dict[str, str] = {}
        self.attendance = ChartPanel(_tr("Personnes reçues à chaque arrêt"), 300)
        self.satisfaction = ChartPanel(_tr("Satisfaction, question par question"), 230)
        self.delays = ChartPanel(_tr("Délai de résolution des demandes résolues"), 230)
        self.orientations = ChartPanel(_tr("Orientations par partenaire"))
        self.demand_types = ChartPanel(_tr("Types de demande"))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        grid.addWidget(self.attendance, 0, 0, 1, 2)
        grid.addWidget(self.satisfaction, 1, 0)
        grid.addWidget(self.delays, 1, 1)
        grid.addWidget(self.orientations, 2, 0)
        grid.addWidget(self.demand_types, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def panels(self) -> dict[str, ChartPanel]:
        return {
            "attendance": self.attendance,
            "satisfaction": self.satisfaction,
            "delays": self.delays,
            "orientations": self.orientations,
            "demand_types": self.demand_types,
        }

    def show_report(self, report: ActivityReport, ref: ReferenceData) -> None:
        notes = self.notes = definitions(ref)
        f = report.filter
        if report.stops:
            planned = [s for s in report.stops if not s.held]
            note = notes["attendance"]
            if planned and report.held_until is not None:
                planned_text = (
                    _tr("1 arrêt prévu après le %2 : montré sans chiffre, il ne compte pas. ")
                    if len(planned) == 1
                    else _tr(
                        "%1 arrêts prévus après le %2 : montrés sans chiffre, ils ne comptent pas. "
                    )
                )
                note = (
                    planned_text.replace("%1", format_number(len(planned))).replace(
                        "%2", format_date(report.held_until)
                    )
                    + note
                )
            self.attendance.set_chart(attendance_chart(report.stops, f.start, f.end), note)
        else:
            self.attendance.show_unavailable(
                _tr("Aucun arrêt du camion sur la période choisie."), notes["attendance"]
            )

        satisfaction = report.satisfaction
        if satisfaction.answers:
            self.satisfaction.set_chart(
                stacked_percent_chart(
                    [q.label for q in satisfaction.questions],
                    [
                        (_tr(SCORE_LABELS[n]), [q.distribution[n] for q in satisfaction.questions])
                        for n in range(4)
                    ],
                ),
                _tr("%1 questionnaires ; « bien » ou « excellent » : ").replace(
                    "%1", format_number(satisfaction.answers)
                )
                + " ; ".join(
                    f"{q.label.lower()} {format_percent(q.share)}" for q in satisfaction.questions
                )
                + ". "
                + notes["satisfaction"],
            )
        else:
            self.satisfaction.show_unavailable(
                _tr("Aucune réponse au questionnaire sur la période."), notes["satisfaction"]
            )

        resolution, social = report.resolution, report.social
        reason = _tr("Indicateur %1.").replace("%1", report.social_unavailable)
        if resolution is None or social is None:
            for panel, key in (
                (self.delays, "time_to_resolve"),
                (self.orientations, "orientations"),
                (self.demand_types, "demand_types"),
            ):
                panel.show_unavailable(reason, notes[key])
            return
        median_row = next(row for row in key_rows(report) if row.key == "median_days")
        median = (
            _tr("Délai médian : %1 — %2. ")
            .replace("%1", format_days(resolution.median_days))
            .replace("%2", median_row.detail)
        )
        self.delays.set_chart(
            vertical_bar_chart(
                [
                    (_tr(DELAY_SHORT_LABELS.get(b.code, b.label)), b.count)
                    for b in resolution.delay_buckets
                ]
            ),
            median + notes["time_to_resolve"],
        )
        for panel, items, key in (
            (self.orientations, social.orientations, "orientations"),
            (self.demand_types, social.demand_types, "demand_types"),
        ):
            if items:
                panel.set_height_for(min(len(items), 26))
                panel.set_chart(
                    horizontal_bar_chart([(i.label, i.count) for i in items]), notes[key]
                )
            else:
                panel.show_unavailable(_tr("Aucune donnée sur la période."), notes[key])
