"""The one background task runner: widgets never wait on the disk or the network.

Work is a plain callable run on a QThreadPool; its result or exception comes back to the
UI thread through a signal of a small QObject created on the UI thread (Qt queues the call).
Database work runs on one lane with a single thread, so writes never race each other;
network work has its own lane so a slow server never delays a save.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

DB_LANE = "db"
NETWORK_LANE = "network"


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _TaskSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the UI thread, which decides what to say
            log.debug("background task failed: %s", "".join(traceback.format_exception(exc)))
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    """False for a method of a Qt object already deleted (a screen closed at logout or lock):
    its result is dropped instead of reaching a dead widget."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class TaskRunner(QObject):
    """Runs callables off the UI thread and calls back on it."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[str, QThreadPool] = {}
        for lane in (DB_LANE, NETWORK_LANE):
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            self._pools[lane] = pool
        self._pending: set[_TaskSignals] = set()

    def submit(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[Exception], None] | None = None,
        lane: str = DB_LANE,
    ) -> None:
        """Run ``fn()`` in the background; ``on_success(result)`` or ``on_failure(exc)`` after."""
        signals = _TaskSignals()
        self._pending.add(signals)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)

        def finished() -> None:
            self._pending.discard(signals)
            if not self._pending:
                self.busy_changed.emit(False)

        def succeeded(result: Any) -> None:
            finished()
            if on_success is not None and _receiver_alive(on_success):
                on_success(result)

        def failed(exc: Exception) -> None:
            finished()
            if on_failure is not None:
                if _receiver_alive(on_failure):
                    on_failure(exc)
            else:
                log.error("unhandled background failure: %s", type(exc).__name__)

        signals.succeeded.connect(succeeded)
        signals.failed.connect(failed)
        self._pools[lane].start(_Task(fn, signals))

    def is_busy(self) -> bool:
        return bool(self._pending)

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until every lane is idle (shutdown and tests only)."""
        return all(pool.waitForDone(msecs) for pool in self._pools.values())
