"""Sizes that fit the van's laptop: 1366×768, less a taskbar (~40 px) and a title bar (~30 px).

A dialog taller than that has its buttons under the taskbar; so dialogs are at most
``MAX_DIALOG_HEIGHT`` tall and scroll inside (the form part), their buttons always in sight.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
TASKBAR_HEIGHT, TITLE_BAR_HEIGHT = 40, 30
# What a window may use, title bar excluded: 768 - 40 - 30.
AVAILABLE_HEIGHT = SCREEN_HEIGHT - TASKBAR_HEIGHT - TITLE_BAR_HEIGHT
MAX_DIALOG_HEIGHT = 680
MAIN_WINDOW_SIZE = (1280, 690)


def fitted_height(height: int) -> int:
    """``height``, capped to what a dialog may take on the laptop's screen."""
    return min(height, MAX_DIALOG_HEIGHT)


def resize_to_fit(dialog: QWidget, width: int, height: int) -> None:
    """Resize ``dialog`` to ``width`` × ``height``, never taller than the laptop allows."""
    dialog.resize(width, fitted_height(height))
