"""Searching people as the professional types, off the UI thread, and a small people picker.

``DebouncedPeopleSearch`` waits for a pause in the typing, runs ``search_people`` in the task
runner and hands back only the answer to the latest text: an answer to an older text (a slow
search overtaken by a keystroke) is dropped, so the list never jumps back.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from van_app.core.measures import format_date
from van_app.core.people_search import DEFAULT_LIMIT, PersonHit, SearchResult, search_people
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.style import ERROR_STYLE

SEARCH_DELAY_MS = 150
HIT_ROLE = Qt.ItemDataRole.UserRole + 1


class DebouncedPeopleSearch(QObject):
    """Search ``SEARCH_DELAY_MS`` after the last change; emit only the latest text's result."""

    results_ready = Signal(object)  # SearchResult
    failed = Signal(object)  # the exception

    def __init__(
        self, context: AppContext, limit: int = DEFAULT_LIMIT, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.limit = limit
        self._typed = ""
        self._sequence = 0  # bumped on every change: answers carrying an older one are stale
        self._answered = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run)

    def set_text(self, typed: str) -> None:
        self._typed = typed
        self._sequence += 1
        self._timer.start()

    def run_now(self) -> None:
        """Search at once (no waiting for a pause), e.g. after records changed."""
        self._sequence += 1
        self._timer.stop()
        self._run()

    def is_current(self) -> bool:
        """Whether the last result emitted answers the text as it is now."""
        return self._answered == self._sequence and not self._timer.isActive()

    def _run(self) -> None:
        sequence, typed = self._sequence, self._typed
        if not typed.strip():
            self._answer(sequence, SearchResult(typed))
            return
        store, ref, today, limit = (
            self.context.store,
            self.context.reference,
            self.context.today(),
            self.limit,
        )

        def search() -> SearchResult:
            with store.session() as session:
                return search_people(session, typed, ref, today, limit)

        self.context.runner.submit(
            search,
            lambda result: self._answer(sequence, result),
            lambda exc: self._fail(sequence, exc),
        )

    def _answer(self, sequence: int, result: SearchResult) -> None:
        if not shiboken6.isValid(self):
            return  # its dialog was closed while the search ran
        if sequence != self._sequence:
            return  # the text changed since: a newer search is on its way
        self._answered = sequence
        self.results_ready.emit(result)

    def _fail(self, sequence: int, exc: Exception) -> None:
        if shiboken6.isValid(self) and sequence == self._sequence:
            self._answered = sequence
            self.failed.emit(exc)


def hit_text(hit: PersonHit) -> str:
    """ "DUPRÉ Hélène — née le 12/03/1980 (46 ans) — Die": one line per person found."""
    born = {"F": "née", "M": "né"}.get(hit.sex, "né·e")
    line = f"{hit.name} — {born} le {format_date(hit.birth_date)}"
    if hit.age:
        line += f" ({hit.age})"
    return f"{line} — {hit.commune}" if hit.commune else line


class PersonPickerWidget(QWidget):
    """A search field and a short list of matches; a click or Enter on a match picks it."""

    person_chosen = Signal(object)  # PersonHit
    results_shown = Signal()

    def __init__(
        self, context: AppContext, placeholder: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.search = DebouncedPeopleSearch(context, limit=8, parent=self)
        self.search.results_ready.connect(self._on_results)
        self.search.failed.connect(self._on_failed)
        self.field = QLineEdit()
        self.field.setPlaceholderText(placeholder)
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self.search.set_text)
        self.field.installEventFilter(self)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMaximumHeight(130)
        self.list.itemClicked.connect(self._choose)
        self.list.installEventFilter(self)
        self.list.hide()
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #555;")
        self.status_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        layout.addWidget(self.status_label)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        if watched is self.field and event.key() == Qt.Key.Key_Down and self.list.count():
            self.list.setFocus()
            self.list.setCurrentRow(max(0, self.list.currentRow()))
            return True
        if watched is self.list and event.key() == Qt.Key.Key_Up and self.list.currentRow() <= 0:
            self.field.setFocus()
            return True
        searching = watched is self.list or (watched is self.field and self.field.text().strip())
        if searching and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Taken here: in a dialog, Enter would also press its default button.
            self._choose_current()
            return True
        return super().eventFilter(watched, event)

    def _on_results(self, result: SearchResult) -> None:
        self.list.clear()
        for hit in result.hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(HIT_ROLE, hit)
            self.list.addItem(item)
        self.list.setVisible(bool(result.hits))
        if result.query.strip() and not result.hits:
            self.status_label.setStyleSheet("color: #555;")
            self.status_label.setText(self.tr("Aucune personne trouvée."))
        elif result.more:
            self.status_label.setStyleSheet("color: #555;")
            self.status_label.setText(self.tr("D'autres personnes correspondent : précisez."))
        else:
            self.status_label.setText("")
        self.status_label.setVisible(bool(self.status_label.text()))
        self.results_shown.emit()

    def _on_failed(self, exc: Exception) -> None:
        self.list.clear()
        self.list.hide()
        self.status_label.setStyleSheet(ERROR_STYLE)
        self.status_label.setText(
            self.tr("La recherche a échoué (%1).").replace("%1", failure_reason(exc))
        )
        self.status_label.show()

    def _choose_current(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is not None and self.search.is_current():
            self._choose(item)

    def _choose(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if hit is not None:
            self.person_chosen.emit(hit)

    def clear(self) -> None:
        """Empty the field; the list empties with the next (empty) result."""
        self.field.clear()
