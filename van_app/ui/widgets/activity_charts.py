"""The dashboard's charts (QtCharts): a titled chart with its definition written under it.

Each ``ChartPanel`` shows one figure; ``show_unavailable`` replaces the chart by the reason
(a section this user may not read, or one that does not apply to the chosen service). The
chart builders take plain numbers from ``van_app.core.indicators``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalPercentBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QDateTime, QMargins, Qt, QTime
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from van_app.core.indicators import StopAttendance
from van_app.ui.widgets.style import SUBTITLE_STYLE

PALETTE = ("#1f5f9e", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b", "#17a2b8", "#7f8c8d", "#b8860b")
SCORE_COLOURS = ("#c0392b", "#f0ad4e", "#8bc34a", "#2e7d32")
NOTE_STYLE = "color: #555555; font-size: 11px;"
LABEL_CHARS = 42
PANEL_STYLE = (
    "QFrame#ChartPanel { background: white; border: 1px solid #d5dde8; border-radius: 6px; }"
)


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _chart() -> QChart:
    chart = QChart()
    chart.setBackgroundBrush(QColor("white"))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setFont(_font(8.5))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _value_axis(top: float, *, percent: bool = False) -> QValueAxis:
    axis = QValueAxis()
    axis.setLabelsFont(_font(8))
    if percent:
        axis.setRange(0, 100)
        axis.setTickCount(5)
        axis.setLabelFormat("%d %%")
        return axis
    top = max(1, int(top))
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if top / s <= 5), 1000)
    axis.setRange(0, step * (top // step + 1))
    axis.setTickCount(top // step + 2)
    axis.setLabelFormat("%d")
    return axis


def _bar_set(colour: str) -> QBarSet:
    values = QBarSet("")
    values.setColor(QColor(colour))
    values.setBorderColor(QColor(colour))
    values.setLabelColor(QColor("#222222"))
    values.setLabelFont(_font(8))
    return values


def horizontal_bar_chart(items: Sequence[tuple[str, int]], *, top: int = 25) -> QChart:
    """One bar per item (the most frequent at the top); beyond ``top``, one "Autres" bar."""
    shown = list(items[:top])
    rest = sum(count for _, count in items[top:])
    if rest:
        others = QCoreApplication.translate("ActivityCharts", "Autres (%1)")
        shown.append((others.replace("%1", str(len(items) - top)), rest))
    chart = _chart()
    chart.legend().hide()
    values = _bar_set(PALETTE[0])
    for _, count in reversed(shown):  # QtCharts draws the first category at the bottom
        values.append(count)
    series = QHorizontalBarSeries()
    series.append(values)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setBarWidth(0.7)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([shorten(label) for label, _ in reversed(shown)])
    categories.setLabelsFont(_font(8.5))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    axis = _value_axis(max((count for _, count in shown), default=1))
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    return chart


def vertical_bar_chart(items: Sequence[tuple[str, int]]) -> QChart:
    """One bar per category, left to right (the distribution of a delay)."""
    chart = _chart()
    chart.legend().hide()
    values = _bar_set(PALETTE[0])
    for _, count in items:
        values.append(count)
    series = QBarSeries()
    series.append(values)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([label for label, _ in items])
    categories.setLabelsFont(_font(8.5))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    axis = _value_axis(max((count for _, count in items), default=1))
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    return chart


def stacked_percent_chart(
    categories: Sequence[str], series_values: Sequence[tuple[str, Sequence[int]]]
) -> QChart:
    """One 100 % bar per category (a question), one stacked part per series (a rating)."""
    chart = _chart()
    series = QHorizontalPercentBarSeries()
    for index, (name, values) in enumerate(series_values):
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(SCORE_COLOURS[index % len(SCORE_COLOURS)]))
        for value in reversed(values):
            bar_set.append(value)
        series.append(bar_set)
    series.setBarWidth(0.6)
    chart.addSeries(series)
    axis_y = QBarCategoryAxis()
    axis_y.append(list(reversed(categories)))
    axis_y.setLabelsFont(_font(9))
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    axis_x = _value_axis(100, percent=True)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    return chart


def _msecs(day: dt.date) -> float:
    return float(QDateTime(day, QTime(12, 0)).toMSecsSinceEpoch())


def attendance_chart(stops: Sequence[StopAttendance], start: dt.date, end: dt.date) -> QChart:
    """People received at each stop held, one line per commune; stops still to come are grey
    rings on the axis ("Arrêt prévu"), never a point at 0 people."""
    chart = _chart()
    by_commune: dict[str, list[StopAttendance]] = {}
    for stop in stops:
        if stop.held:
            by_commune.setdefault(stop.commune, []).append(stop)
    planned = [s for s in stops if not s.held]
    axis_x = QDateTimeAxis()
    axis_x.setFormat("dd/MM")
    axis_x.setLabelsFont(_font(8))
    axis_x.setRange(
        QDateTime(start, QTime(0, 0)), QDateTime(end + dt.timedelta(days=1), QTime(0, 0))
    )
    axis_x.setTickCount(min(13, max(2, (end - start).days // 7 + 2)))
    axis_y = _value_axis(max((s.people for s in stops), default=1))
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    for index, (commune, rows) in enumerate(sorted(by_commune.items())):
        series = QLineSeries()
        series.setName(commune)
        series.setPointsVisible(True)
        series.setPointLabelsVisible(True)
        series.setPointLabelsFormat("@yPoint")
        series.setPointLabelsFont(_font(7.5))
        series.setPointLabelsClipping(False)
        pen = series.pen()
        pen.setWidthF(2.2)
        pen.setColor(QColor(PALETTE[index % len(PALETTE)]))
        series.setPen(pen)
        series.setPointLabelsColor(QColor(PALETTE[index % len(PALETTE)]))
        for row in sorted(rows, key=lambda r: r.stop_date):
            series.append(_msecs(row.stop_date), row.people)
        chart.addSeries(series)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
    if planned:
        rings = QScatterSeries()
        rings.setName(QCoreApplication.translate("ActivityCharts", "Arrêt prévu (à venir)"))
        rings.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        rings.setMarkerSize(9)
        rings.setColor(QColor("white"))
        rings.setBorderColor(QColor("#888888"))
        for row in planned:
            rings.append(_msecs(row.stop_date), 0)
        chart.addSeries(rings)
        rings.attachAxis(axis_x)
        rings.attachAxis(axis_y)
    return chart


class ChartPanel(QFrame):
    """A title, a chart (or why there is none), and the figure's definition underneath."""

    def __init__(self, title: str, minimum_height: int = 260, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ChartPanel")
        self.setStyleSheet(PANEL_STYLE)
        self.title_label = QLabel(title)
        self.title_label.setStyleSheet(SUBTITLE_STYLE + " font-size: 14px;")
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(minimum_height)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setStyleSheet("background: white;")
        self.unavailable_label = QLabel()
        self.unavailable_label.setWordWrap(True)
        self.unavailable_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unavailable_label.setStyleSheet("color: #555555; font-style: italic; padding: 30px;")
        self.unavailable_label.hide()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(NOTE_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.unavailable_label, 1)
        layout.addWidget(self.note_label)

    def set_chart(self, chart: QChart, note: str = "") -> None:
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.unavailable_label.hide()
        self.view.show()
        self.note_label.setText(note)

    def set_height_for(self, rows: int, per_row: int = 24, base: int = 90) -> None:
        """Room for ``rows`` bars, so labels never overlap."""
        self.view.setMinimumHeight(max(180, base + per_row * rows))

    def show_unavailable(self, text: str, note: str = "") -> None:
        self.view.hide()
        self.unavailable_label.setText(text)
        self.unavailable_label.show()
        self.note_label.setText(note)

    def chart(self) -> QChart | None:
        return self.view.chart() if self.view.isVisibleTo(self) else None
