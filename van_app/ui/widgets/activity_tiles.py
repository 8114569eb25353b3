"""Key figure tiles: a big number, what it counts, its detail, and the Département's goal.

A tile never colours a figure good or bad: the goal is written beside it with "atteint" or
"non atteint", the same figure a year before under it, and the reader judges (a low share of
people "unknown to the CMS" is not a failure by itself). The tooltip is the definition.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from van_app.core.french import no_break_spaces
from van_app.core.indicators import KeyRow

TILE_STYLE = (
    "QFrame#KeyFigureTile { background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 6px; }"
)
VALUE_STYLE = "font-size: 24px; font-weight: 600; color: #1f3a5f;"
MISSING_STYLE = "font-size: 13px; font-style: italic; color: #555555;"


class KeyFigureTile(QFrame):
    """One key figure; ``set_row`` fills it from a ``KeyRow``."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("KeyFigureTile")
        self.setStyleSheet(TILE_STYLE)
        self.value_label = QLabel("…")
        self.value_label.setStyleSheet(VALUE_STYLE)
        self.value_label.setWordWrap(True)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-weight: 600; color: #22303f;")
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet("color: #333333; font-size: 11px;")
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        self.target_label.setStyleSheet("color: #6a4c00; font-size: 11px;")
        self.previous_label = QLabel()
        self.previous_label.setWordWrap(True)
        self.previous_label.setStyleSheet("color: #444444; font-size: 11px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(self.value_label)
        layout.addWidget(self.title_label)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.previous_label)
        layout.addWidget(self.target_label)
        layout.addStretch(1)

    def set_row(self, row: KeyRow, definition: str = "", previous_caption: str = "") -> None:
        self.value_label.setText(row.text)
        self.value_label.setStyleSheet(VALUE_STYLE if row.value is not None else MISSING_STYLE)
        self.title_label.setText(no_break_spaces(row.label))
        self.detail_label.setText(no_break_spaces(row.detail))
        self.detail_label.setVisible(bool(row.detail))
        target = ""
        if row.target is not None:
            target = row.target.text
            if row.target_status:
                target += f" — <b>{row.target_status}</b>"
        self.target_label.setText(no_break_spaces(target))
        self.target_label.setVisible(row.target is not None)
        self.previous_label.setText(
            no_break_spaces(f"{previous_caption} : {row.previous_text}") if previous_caption else ""
        )
        comparable = row.value is not None or row.text == "—"  # not a reason ("réservé…")
        self.previous_label.setVisible(bool(previous_caption and row.previous_text and comparable))
        self.setToolTip(definition or f"{row.label} : {row.text}")


class KeyFigureGrid(QWidget):
    """The tiles in rows of ``columns``, in the order of ``key_rows``."""

    def __init__(self, columns: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.tiles: dict[str, KeyFigureTile] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)

    def set_rows(
        self,
        rows: list[KeyRow],
        notes: dict[str, str] | None = None,
        previous_caption: str = "",
    ) -> None:
        """Fill the tiles; ``notes`` are the definitions (tooltips), ``previous_caption``
        names the comparison period ("Un an avant")."""
        notes = notes or {}
        for index, row in enumerate(rows):
            tile = self.tiles.get(row.key)
            if tile is None:
                tile = KeyFigureTile(row.key)
                self.tiles[row.key] = tile
                self._grid.addWidget(
                    tile,
                    index // self.columns,
                    index % self.columns,
                    alignment=Qt.AlignmentFlag(0),
                )
            tile.set_row(row, notes.get(row.definition_key, ""), previous_caption)

    def target_text(self, key: str) -> str:
        return self.tiles[key].target_label.text()

    def previous_text(self, key: str) -> str:
        return self.tiles[key].previous_label.text()

    def text(self, key: str) -> str:
        """The value a tile shows (tests and accessibility)."""
        return self.tiles[key].value_label.text()
