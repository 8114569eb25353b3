"""The child's growth chart: its measures against the WHO 2006 curves (−3, −2, 0, +2, +3 SD).

Curves and z-scores come from one ``GrowthStandards`` loaded off the UI thread; here everything
is computed in memory, so the point of the consultation moves as the nurse types. The axes
follow the child: the window widens (6, 12, 24… months) with the child's age, and the y range
spans the −3…+3 SD curves over that window plus the child's points, so a child growing
normally runs along the curves instead of climbing a steep scale of a few centimetres. Where
no curve is drawn (sex not known), the curves of both sexes still set the scale.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QLocale, QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QTabBar, QVBoxLayout, QWidget

from van_app.core.growth import (
    BMI_FOR_AGE,
    DAYS_PER_MONTH,
    HEAD_FOR_AGE,
    LENGTH_FOR_AGE,
    MAX_AGE_DAYS,
    SD_LINES,
    STANDING_FROM_DAYS,
    WEIGHT_FOR_AGE,
    WEIGHT_FOR_LENGTH,
    GrowthPoint,
    GrowthStandards,
    ZScores,
    format_z,
    point_xy,
)

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
TAB_INDICATORS = (WEIGHT_FOR_AGE, LENGTH_FOR_AGE, WEIGHT_FOR_LENGTH, BMI_FOR_AGE, HEAD_FOR_AGE)
TAB_LABELS = {
    WEIGHT_FOR_AGE: "Poids/âge",
    LENGTH_FOR_AGE: "Taille/âge",
    WEIGHT_FOR_LENGTH: "Poids/taille",
    BMI_FOR_AGE: "IMC/âge",
    HEAD_FOR_AGE: "Périmètre crânien/âge",
}
Y_TITLES = {
    WEIGHT_FOR_AGE: "Poids (kg)",
    LENGTH_FOR_AGE: "Taille (cm)",
    WEIGHT_FOR_LENGTH: "Poids (kg)",
    BMI_FOR_AGE: "IMC (kg/m²)",
    HEAD_FOR_AGE: "Périmètre crânien (cm)",
}
Z_ORDER = (WEIGHT_FOR_AGE, LENGTH_FOR_AGE, WEIGHT_FOR_LENGTH, BMI_FOR_AGE, HEAD_FOR_AGE)
AGE_WINDOWS_MONTHS = (6, 12, 24, 36, 48, 60, 72)
AGE_TICK_MONTHS = {6: 1, 12: 2, 24: 3, 36: 6, 48: 6, 60: 6, 72: 12}  # window → tick step
WFL_SPAN_CM = 12.0  # each side of the child's length on the weight-for-length chart
ALERT_Z = 2.0  # beyond ±2 SD the z-score is shown in red

_SD_PENS = {
    0: ("#2e7d32", 2.2, Qt.PenStyle.SolidLine),
    2: ("#ef6c00", 1.4, Qt.PenStyle.DashLine),
    3: ("#c62828", 1.2, Qt.PenStyle.DotLine),
}
HISTORY_COLOR = "#1f3a5f"
CURRENT_COLOR = "#d81b60"


def sd_name(sd: int) -> str:
    """ "Médiane", "+2 ET", "−3 ET" (écart-type, with a true minus sign)."""
    if sd == 0:
        return "Médiane OMS"
    return f"{'+' if sd > 0 else '−'}{abs(sd)} ET"


def z_text(indicator: str, z: float) -> str:
    """ "Poids/âge : −0,4 z"."""
    return f"{TAB_LABELS[indicator]} : {format_z(z)} z"


def _nice_step(span: float) -> float:
    """A round tick step giving about 6 to 10 ticks over ``span``."""
    raw = max(span, 1e-6) / 8
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover


def _label_format(step: float) -> str:
    """ "%.0f" for whole steps, else one or two decimals (commas: the chart is localised).

    A localised chart accepts only a precision, so "%g" would print nothing.
    """
    for decimals in (0, 1, 2):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-6:
            return f"%.{decimals}f"
    return "%.2f"


class GrowthChartWidget(QWidget):
    """Tabs for the indicator, the chart, and the z-scores of this consultation under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._standards: GrowthStandards | None = None
        self._sex = ""
        self._birth: dt.date | None = None
        self._history: tuple[GrowthPoint, ...] = ()
        self._current: GrowthPoint | None = None
        self._z = ZScores()

        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        for indicator in TAB_INDICATORS:
            self.tabs.addTab(self.tr(TAB_LABELS[indicator]))
        self.tabs.currentChanged.connect(lambda _: self._rebuild())

        self.chart = QChart()
        self.chart.setLocalizeNumbers(True)
        self.chart.setLocale(FRENCH)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        title_font = QFont(self.font())
        title_font.setPointSizeF(self.font().pointSizeF() + 0.5)
        title_font.setBold(True)
        self.chart.setTitleFont(title_font)
        self.x_axis = QValueAxis()
        self.y_axis = QValueAxis()
        for axis in (self.x_axis, self.y_axis):
            axis.setTickType(QValueAxis.TickType.TicksDynamic)
            axis.setMinorTickCount(1)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)

        self.curve_series: dict[int, QLineSeries] = {}
        for sd in SD_LINES:
            series = QLineSeries()
            series.setName(self.tr(sd_name(sd)))
            color, width, style = _SD_PENS[abs(sd)]
            pen = QPen(QColor(color), width, style)
            series.setPen(pen)
            self._add(series)
            self.curve_series[sd] = series
        for sd in (-2, -3):  # one legend entry per pair: "+2 ET" stands for ±2
            self.chart.legend().markers(self.curve_series[sd])[0].setVisible(False)
        for sd in (2, 3):
            self.curve_series[sd].setName(f"±{sd} ET")
        self.trajectory_series = QLineSeries()
        self.trajectory_series.setPen(QPen(QColor(HISTORY_COLOR), 1.2))
        self._add(self.trajectory_series)
        self.chart.legend().markers(self.trajectory_series)[0].setVisible(False)
        self.history_series = self._scatter(self.tr("Mesures précédentes"), HISTORY_COLOR, 9)
        self.current_series = self._scatter(self.tr("Cette consultation"), CURRENT_COLOR, 14)

        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(330)
        self.z_label = QLabel()
        self.z_label.setWordWrap(True)
        self.z_label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.tabs)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.z_label)
        self._rebuild()

    def _add(self, series: QLineSeries) -> None:
        self.chart.addSeries(series)
        series.attachAxis(self.x_axis)
        series.attachAxis(self.y_axis)

    def _scatter(self, name: str, color: str, size: float) -> QScatterSeries:
        series = QScatterSeries()
        series.setName(name)
        series.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        series.setMarkerSize(size)
        series.setBrush(QBrush(QColor(color)))
        series.setPen(QPen(QColor("white"), 1.5))
        self._add(series)
        return series

    # -- input -----------------------------------------------------------------------------

    def set_child(
        self,
        standards: GrowthStandards | None,
        sex: str,
        birth_date: dt.date,
        history: Sequence[GrowthPoint],
    ) -> None:
        """The child, the standards, and the measures of earlier consultations."""
        self._standards = standards
        self._sex = sex
        self._birth = birth_date
        self._history = tuple(history)
        self._current = None
        self._z = ZScores()
        self._rebuild()

    def set_current(self, point: GrowthPoint | None) -> None:
        """This consultation's measures (None: nothing measured yet); redraws at once."""
        self._current = point
        self._z = ZScores()
        if point is not None and self._standards is not None:
            self._z = self._standards.z_scores(
                self._sex,
                point.age_days,
                point.weight_g,
                point.length_mm,
                point.head_circumference_mm,
            )
        self._rebuild()

    def set_indicator(self, indicator: str) -> None:
        self.tabs.setCurrentIndex(TAB_INDICATORS.index(indicator))

    def indicator(self) -> str:
        return TAB_INDICATORS[max(0, self.tabs.currentIndex())]

    def z_scores(self) -> ZScores:
        return self._z

    # -- what is shown, for tests and for the screen ---------------------------------------

    def curve_points(self, sd: int) -> list[tuple[float, float]]:
        return [(p.x(), p.y()) for p in self.curve_series[sd].points()]

    def history_points(self) -> list[tuple[float, float]]:
        return [(p.x(), p.y()) for p in self.history_series.points()]

    def current_points(self) -> list[tuple[float, float]]:
        return [(p.x(), p.y()) for p in self.current_series.points()]

    def z_scores_text(self) -> str:
        """The z-scores line without its colours: "Poids/âge : −0,4 z · Taille/âge : …"."""
        parts = [
            z_text(indicator, z)
            for indicator in Z_ORDER
            if (z := self._z.get(indicator)) is not None
        ]
        return " · ".join(parts) if parts else self._no_z_reason()

    # -- drawing ---------------------------------------------------------------------------

    def _age_days(self) -> int:
        days = [p.age_days for p in self._points()]
        return max(days) if days else 0

    def _points(self) -> list[GrowthPoint]:
        return [*self._history, *([self._current] if self._current else [])]

    def _no_z_reason(self) -> str:
        if self._sex not in ("M", "F"):
            return self.tr("Sexe indéterminé : pas de courbe ni de z-score de l'OMS.")
        if self._current is not None and self._current.age_days > MAX_AGE_DAYS:
            return self.tr("Les standards de l'OMS 2006 s'arrêtent à 5 ans : pas de z-score.")
        return self.tr(
            "Saisissez le poids, la taille ou le périmètre crânien pour obtenir les z-scores."
        )

    def _rebuild(self) -> None:
        indicator = self.indicator()
        points = self._points()
        history_xy = [xy for p in self._history if (xy := point_xy(indicator, p))]
        current_xy = point_xy(indicator, self._current) if self._current else None
        x_min, x_max, standing = self._x_window(indicator, history_xy, current_xy)
        lines: dict[int, list[tuple[float, float]]] = {}
        if self._standards is not None:
            lines = self._standards.curves(indicator, self._sex, x_min, x_max, standing=standing)
        for sd, series in self.curve_series.items():
            series.replace([QPointF(x, y) for x, y in lines.get(sd, [])])
            marker = self.chart.legend().markers(series)[0]
            if sd >= 0 and marker.isVisible() != bool(lines):  # no curve, no legend entry
                marker.setVisible(bool(lines))
        all_xy = [*history_xy, *([current_xy] if current_xy else [])]
        self.history_series.replace([QPointF(x, y) for x, y in history_xy])
        self.current_series.replace([QPointF(*current_xy)] if current_xy else [])
        ordered = sorted(all_xy) if indicator == WEIGHT_FOR_LENGTH else all_xy
        self.trajectory_series.replace([QPointF(x, y) for x, y in ordered])
        frame = lines or self._frame_lines(indicator, x_min, x_max, standing)
        self._set_ranges(indicator, x_min, x_max, frame, all_xy)
        self.chart.setTitle(self._title(indicator, lines, bool(points)))
        self._show_z()

    def _frame_lines(
        self, indicator: str, x_min: float, x_max: float, standing: bool
    ) -> dict[int, list[tuple[float, float]]]:
        """Curves that set the scale without being drawn: both sexes' when the sex is unknown."""
        if self._standards is None:
            return {}
        frame: dict[int, list[tuple[float, float]]] = {}
        for sex in ("M", "F"):
            curves = self._standards.curves(indicator, sex, x_min, x_max, standing=standing)
            for sd, line in curves.items():
                frame.setdefault(sd, []).extend(line)
        return frame

    def _x_window(
        self,
        indicator: str,
        history_xy: list[tuple[float, float]],
        current_xy: tuple[float, float] | None,
    ) -> tuple[float, float, bool]:
        """The x range: an age window in months, or lengths around the child's (cm)."""
        age_days = self._age_days()
        standing = age_days >= STANDING_FROM_DAYS
        if indicator != WEIGHT_FOR_LENGTH:
            months = age_days / DAYS_PER_MONTH
            x_max = next((w for w in AGE_WINDOWS_MONTHS if w >= months + 1), 72)
            return 0.0, float(x_max), standing
        low, high = (65.0, 120.0) if standing else (45.0, 110.0)
        lengths = [x for x, _ in history_xy] + ([current_xy[0]] if current_xy else [])
        if not lengths:
            return low, min(high, low + 2 * WFL_SPAN_CM), standing
        centre = current_xy[0] if current_xy else lengths[-1]
        x_min = min(max(low, centre - WFL_SPAN_CM), high - 2 * WFL_SPAN_CM)
        x_max = x_min + 2 * WFL_SPAN_CM
        x_min = max(low, min(x_min, min(lengths) - 1))  # earlier points stay in sight
        x_max = min(high, max(x_max, max(lengths) + 1))
        return math.floor(x_min), math.ceil(x_max), standing

    def _set_ranges(
        self,
        indicator: str,
        x_min: float,
        x_max: float,
        lines: dict[int, list[tuple[float, float]]],
        points: Iterable[tuple[float, float]],
    ) -> None:
        xs = [x_min, x_max] + [x for x, _ in points]
        ys = [y for line in lines.values() for _, y in line] + [y for _, y in points]
        if not ys:  # nothing to show yet: a sensible empty frame
            ys = {HEAD_FOR_AGE: [32.0, 50.0], LENGTH_FOR_AGE: [45.0, 75.0]}.get(
                indicator, [2.0, 10.0]
            )
        y_low, y_high = min(ys), max(ys)
        pad = max((y_high - y_low) * 0.04, 0.5)
        y_step = _nice_step(y_high - y_low + 2 * pad)
        y_min = math.floor((y_low - pad) / y_step) * y_step
        y_max = math.ceil((y_high + pad) / y_step) * y_step
        x_low, x_high = min(xs), max(xs)
        x_step = _nice_step(x_high - x_low)
        if indicator != WEIGHT_FOR_LENGTH and x_step >= 1:
            # Whole months that divide the window: the curves reach the right edge.
            window = round(x_high - x_low)
            x_step = AGE_TICK_MONTHS.get(window) or max(1.0, round(x_step))
        x_min = math.floor(x_low / x_step) * x_step
        x_max = math.ceil(x_high / x_step) * x_step
        self.x_axis.setRange(x_min, x_max)
        self.x_axis.setTickAnchor(x_min)
        self.x_axis.setTickInterval(x_step)
        self.y_axis.setRange(max(0.0, y_min), y_max)
        self.y_axis.setTickAnchor(max(0.0, y_min))
        self.y_axis.setTickInterval(y_step)
        self.x_axis.setLabelFormat(_label_format(x_step))
        self.y_axis.setLabelFormat(_label_format(y_step))
        if indicator == WEIGHT_FOR_LENGTH:
            standing = self._age_days() >= STANDING_FROM_DAYS
            x_title = "Taille debout (cm)" if standing else "Taille couchée (cm)"
        else:
            x_title = "Âge (mois)"
        self.x_axis.setTitleText(self.tr(x_title))
        self.y_axis.setTitleText(self.tr(Y_TITLES[indicator]))

    def _title(self, indicator: str, lines: dict[int, list], has_points: bool) -> str:
        who = {"F": self.tr("fille"), "M": self.tr("garçon")}.get(self._sex, "")
        if self._sex not in ("M", "F"):
            return self.tr("Sexe indéterminé : pas de courbe de l'OMS")
        if not lines:
            return self.tr("Au-delà de 5 ans : pas de courbe de l'OMS 2006")
        title = self.tr("%1 — OMS 2006, %2").replace("%1", TAB_LABELS[indicator])
        title = title.replace("%2", who)
        return title if has_points else title + self.tr(" (aucune mesure)")

    def _show_z(self) -> None:
        parts = []
        for indicator in Z_ORDER:
            z = self._z.get(indicator)
            if z is None:
                continue
            text = z_text(indicator, z)
            if abs(z) > ALERT_Z:
                text = f"<b style='color:#b00020'>{text}</b>"
            parts.append(text)
        if parts:
            self.z_label.setText(self.tr("z-scores de cette consultation : ") + " · ".join(parts))
        else:
            self.z_label.setText(f"<span style='color:#555'>{self._no_z_reason()}</span>")
