"""Faces drawn with Qt, from sad and red to smiling and green: a rating read without reading."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

FACE_SIZE = 40
# 1 = worst … 4 = best, as stored; colours go from red to green, the mouth from sad to happy.
FACE_COLOURS = {1: "#e05a4f", 2: "#f2a93b", 3: "#a5cf5a", 4: "#3f9f4a"}
_MOUTH_CURVE = {1: -0.55, 2: -0.15, 3: 0.35, 4: 0.7}  # negative frowns, positive smiles


def face_icon(value: int, size: int = FACE_SIZE) -> QIcon:
    """A round face, red and sad for 1 up to green and smiling for 4: a cue without reading."""
    scale = 2  # drawn at twice the size so it stays crisp on high-density screens
    pixmap = QPixmap(size * scale, size * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor("#263238")
    outline = QPen(ink)
    outline.setWidthF(size / 18)
    painter.setPen(outline)
    painter.setBrush(QColor(FACE_COLOURS[value]))
    margin = size / 20
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.setBrush(ink)
    eye = size / 11
    for x in (0.35, 0.65):
        painter.drawEllipse(QPointF(size * x, size * 0.4), eye / 2, eye / 2)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    mouth_pen = QPen(ink)
    mouth_pen.setWidthF(size / 14)
    mouth_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(mouth_pen)
    curve = _MOUTH_CURVE[value]
    mouth_y = size * (0.66 if curve > 0 else 0.74)
    path = QPainterPath(QPointF(size * 0.3, mouth_y))
    path.quadTo(QPointF(size * 0.5, mouth_y + curve * size * 0.3), QPointF(size * 0.7, mouth_y))
    painter.drawPath(path)
    painter.end()
    return QIcon(pixmap)
