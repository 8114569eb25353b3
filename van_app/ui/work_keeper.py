"""Keeps a form's work in progress while it is typed, so nothing typed is ever lost.

A form gives the keeper three functions: its key (which form, for what), its title (to list
it), and its state (what is on screen, valid or not, as JSON values). While the form is shown,
the keeper looks at the state every second; when it changed from what was loaded (or last
kept) it is written to the encrypted store in the background, and again at once when the form
is left. A crash, a flat battery or kill -9 loses at most the last second of typing. Saving or
signing the form drops what was kept.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer

from van_app.core.work_in_progress import drop_work, keep_work
from van_app.ui.context import AppContext

POLL_MS = 1000
# The keepers whose form is open, per session (its events object): flushed together at
# logout, lock and closing.
_WATCHING: weakref.WeakKeyDictionary[object, weakref.WeakSet[WorkKeeper]] = (
    weakref.WeakKeyDictionary()
)


class WorkKeeper(QObject):
    """One form's keeper; ``start`` after the form is filled, ``stop`` when it is saved."""

    def __init__(
        self,
        context: AppContext,
        key: Callable[[], str | None],
        title: Callable[[], str],
        state: Callable[[], dict[str, Any] | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._key, self._title, self._state = key, title, state
        self._baseline: str | None = None  # the state as loaded: nothing to keep
        self._kept: str | None = None  # the state last written
        self.kept_key: str | None = None
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.keep_if_changed)

    def start(self, kept: bool = False) -> None:
        """Watch from now; the state now is what was loaded (or brought back, ``kept``)."""
        current = self._snapshot()
        self._baseline = None if kept else current
        self._kept = current if kept else None
        self.kept_key = self._key() if kept else None
        self.timer.start()
        _WATCHING.setdefault(self.context.events, weakref.WeakSet()).add(self)

    def pause(self) -> None:
        self.timer.stop()
        _WATCHING.get(self.context.events, weakref.WeakSet()).discard(self)

    def has_changes(self) -> bool:
        """Something typed differs from what was loaded (kept or not yet)."""
        snapshot = self._snapshot()
        return snapshot is not None and snapshot != self._baseline

    def keep_if_changed(self) -> bool:
        """Write the state if it differs from what was loaded and from what was kept; True
        when there is typing kept (now or before)."""
        snapshot = self._snapshot()
        key = self._key()
        if snapshot is None or key is None:
            return False
        if snapshot == self._kept:
            return self.kept_key is not None
        if snapshot == self._baseline:  # back to what was loaded: nothing to keep
            if self.kept_key is not None:
                self._drop(self.kept_key)
            self._kept = snapshot
            return False
        store, title, payload = self.context.store, self._title(), json.loads(snapshot)
        self._kept, self.kept_key = snapshot, key
        self.context.runner.submit(lambda: keep_work(store, key, title, payload))
        return True

    def flush(self) -> None:
        """The form is being left (another screen, logout, lock, closing): keep it now, and
        say where it is kept."""
        if self.timer.isActive() and self.keep_if_changed():
            self.context.events.work_kept.emit(self._title())

    @staticmethod
    def flush_all(context: AppContext) -> None:
        """Logout, lock, closing: every form of this session being typed keeps it now."""
        for keeper in list(_WATCHING.get(context.events, ())):
            if shiboken6.isValid(keeper):
                keeper.flush()

    def saved(self, *keys: str | None) -> None:
        """The form was saved or signed: what was kept is no longer needed."""
        wanted = {k for k in (*keys, self.kept_key) if k}
        self.kept_key = None
        self._kept = self._baseline = self._snapshot()
        if wanted:
            self._drop(*wanted)

    def _drop(self, *keys: str) -> None:
        store = self.context.store
        self.kept_key = None
        self.context.runner.submit(lambda: drop_work(store, *keys))

    def _snapshot(self) -> str | None:
        state = self._state()
        return None if state is None else json.dumps(state, sort_keys=True, default=str)
