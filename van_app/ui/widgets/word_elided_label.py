"""A one-line label that shortens its text on a word boundary ("… en attente …"), never in
the middle of a word, and shows the whole text in its tooltip: for the status bar, where a
line cut mid-word at 1366 px read as nonsense."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

ELLIPSIS = "…"


def words_that_fit(text: str, fits) -> str:  # type: ignore[no-untyped-def]
    """The longest prefix of whole words of ``text``, followed by "…", for which ``fits`` is
    true; the whole text when it fits; "…" alone when not even one word does."""
    if fits(text):
        return text
    words = text.split(" ")
    low, high = 0, len(words) - 1  # binary search on the number of words kept
    while low < high:
        middle = (low + high + 1) // 2
        if fits(_shortened(words, middle)):
            low = middle
        else:
            high = middle - 1
    return _shortened(words, low)


def _shortened(words: list[str], count: int) -> str:
    kept = " ".join(words[:count]).rstrip(" —–-:;,")
    return f"{kept} {ELLIPSIS}" if kept else ELLIPSIS


class WordElidedLabel(QLabel):
    """``set_full_text`` instead of ``setText``: the label elides what it shows to its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        # Ignored width: the status bar gives the label what is left, never grows for it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        room = self.contentsRect().width() - 2
        shown = words_that_fit(self.full_text, lambda t: metrics.horizontalAdvance(t) <= room)
        if shown != self.text():
            super().setText(shown)
