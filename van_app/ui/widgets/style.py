"""A few shared style sheets, so every screen looks like the same application."""

from __future__ import annotations

TITLE_STYLE = "font-size: 22px; font-weight: 600; color: #1f3a5f;"
SUBTITLE_STYLE = "font-size: 16px; font-weight: 600; color: #1f3a5f;"
ERROR_STYLE = "color: #b00020;"
CARD_STYLE = (
    "QFrame#StopCard { background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 6px; }"
)
