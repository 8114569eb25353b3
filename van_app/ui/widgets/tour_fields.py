"""Fields shared by the stop and repeating-tour dialogs: hours, services, French dates."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QComboBox, QTimeEdit

from van_app.core.today import SERVICE_LABELS
from van_app.ui.widgets.social_parts import FRENCH

SERVICE_ORDER = ("both", "social", "pmi")
DEFAULT_HOURS = (dt.time(9, 30), dt.time(12, 0))


def time_edit(value: dt.time) -> QTimeEdit:
    """An hour shown "9 h 30" like every time in the app; typed 930, arrows step it."""
    edit = QTimeEdit()
    edit.setLocale(FRENCH)
    edit.setDisplayFormat("H 'h' mm")
    edit.setTime(to_qtime(value))
    edit.setMaximumWidth(110)
    return edit


def to_qtime(value: dt.time) -> QTime:
    return QTime(value.hour, value.minute)


def from_qtime(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())


def services_combo() -> QComboBox:
    """The services offered at a stop; data is the stored code."""
    combo = QComboBox()
    for code in SERVICE_ORDER:
        combo.addItem(SERVICE_LABELS[code], code)
    return combo


def set_combo_data(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))
