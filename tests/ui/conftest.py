"""UI tests: garbage collection on the UI thread, as in the app (see van_app.ui.gc_guard)."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from van_app.ui.gc_guard import UiThreadGarbageCollector


@pytest.fixture(scope="session")
def _ui_thread_gc(qapp: QApplication) -> Iterator[UiThreadGarbageCollector]:
    collector = UiThreadGarbageCollector(qapp)
    yield collector
    collector.stop()


_FULL_COLLECTION_EVERY = 25  # tests; a full pass over a suite-sized heap costs over a second
_finished_tests = itertools.count(1)


@pytest.fixture(autouse=True)
def _collect_between_tests(_ui_thread_gc: UiThreadGarbageCollector) -> Iterator[None]:
    yield
    # Here, on the UI thread, never on a pool thread: the young generations after every test
    # (the previous test's widgets), the whole heap now and then.
    if next(_finished_tests) % _FULL_COLLECTION_EVERY:
        gc.collect(1)
    else:
        gc.collect()
