"""The bilan's charts as reportlab drawings: horizontal bars, grouped bars, stacked shares.

The shipped DejaVu Sans (``fonts``) covers French and foreign names. Long reference labels are
shortened with "…" so a bar's label never runs into the next one; tables carry them in full.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from van_app.core.reports import fonts

FONT = fonts.REGULAR
BOLD = fonts.BOLD
PALETTE = (
    colors.HexColor("#1f5f9e"),
    colors.HexColor("#e07b00"),
    colors.HexColor("#2e8b57"),
    colors.HexColor("#8e44ad"),
    colors.HexColor("#c0392b"),
    colors.HexColor("#17a2b8"),
    colors.HexColor("#7f8c8d"),
    colors.HexColor("#b8860b"),
)
SCORE_COLOURS = (
    colors.HexColor("#c0392b"),
    colors.HexColor("#f0ad4e"),
    colors.HexColor("#8bc34a"),
    colors.HexColor("#2e7d32"),
)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _step(top: float) -> int:
    """A whole step giving about five ticks up to ``top``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return 10_000


def _value_axis(axis, top: float) -> None:  # type: ignore[no-untyped-def]
    step = _step(max(top, 1))
    axis.valueMin = 0
    axis.valueStep = step
    axis.valueMax = step * (int(max(top, 1) // step) + 1)
    axis.labels.fontName = FONT
    axis.labels.fontSize = 7
    axis.labelTextFormat = "%d"
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#dddddd")


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 11, text, fontName=BOLD, fontSize=9.5))


def horizontal_bars(
    title: str, items: Sequence[tuple[str, int]], width: float, *, label_chars: int = 62
) -> Drawing:
    """One bar per item, the first at the top, the count at the end of each bar."""
    bar = 15
    height = 34 + bar * max(len(items), 1)
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    if not items:
        drawing.add(
            String(0, height - 28, "Aucune donnée sur la période.", fontName=FONT, fontSize=8)
        )
        return drawing
    label_width = min(280, 4.2 * max(len(shorten(lbl, label_chars)) for lbl, _ in items) + 8)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 14
    chart.width, chart.height = width - label_width - 24, bar * len(items)
    chart.data = [[value for _, value in items]]
    chart.categoryAxis.categoryNames = [shorten(label, label_chars) for label, _ in items]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    _value_axis(chart.valueAxis, max(v for _, v in items))
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barWidth = 9
    drawing.add(chart)
    return drawing


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    width: float,
    height: float = 190,
) -> Drawing:
    """Vertical bars per category, one colour per series, with a legend under the chart."""
    columns = 4
    legend_rows = -(-len(series) // columns) if len(series) > 1 else 0
    legend_height = 12 * legend_rows + (6 if legend_rows else 0)
    top = height + legend_height
    drawing = Drawing(width, top)
    _title(drawing, title, width, top)
    if not series or not categories:
        drawing.add(String(0, top - 28, "Aucune donnée sur la période.", fontName=FONT, fontSize=8))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 24 + legend_height
    chart.width, chart.height = width - 44, height - 60
    chart.data = [list(values) for _, values in series]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dy = -2
    _value_axis(chart.valueAxis, max((max(v) if v else 0) for _, v in series))
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.dy = 2
    chart.barLabels.boxAnchor = "s"
    chart.groupSpacing = 8
    drawing.add(chart)
    if legend_rows:
        # Row by row, left to right: items are laid out in columns of ``legend_rows``.
        legend = Legend()
        legend.x, legend.y = 34, legend_height - 2
        legend.fontName, legend.fontSize = FONT, 7.5
        legend.alignment = "right"
        legend.columnMaximum = legend_rows
        legend.deltax = (width - 44) / columns
        legend.deltay = 12
        legend.dxTextSpace = 4
        legend.boxAnchor = "nw"
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], shorten(name, 26)) for i, (name, _) in enumerate(series)
        ]
        drawing.add(legend)
    return drawing


def stacked_shares(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    width: float,
) -> Drawing:
    """Horizontal 100 % bars (one per category), the series stacked left to right."""
    bar = 20
    height = 62 + bar * len(categories)
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 34
    chart.width, chart.height = width - 170, bar * len(categories)
    chart.data = [[value * 100 for value in values] for _, values in series]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d %%"
    for index in range(len(series)):
        chart.bars[index].fillColor = SCORE_COLOURS[index % len(SCORE_COLOURS)]
        chart.bars[index].strokeColor = colors.white
    chart.barWidth = 13
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 150, 12
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.columnMaximum = 1
    legend.deltax = 80
    legend.boxAnchor = "nw"
    legend.alignment = "right"
    legend.colorNamePairs = [
        (SCORE_COLOURS[i % len(SCORE_COLOURS)], name) for i, (name, _) in enumerate(series)
    ]
    drawing.add(legend)
    return drawing
