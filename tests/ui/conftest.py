"""UI tests: garbage collection on the UI thread, as in the app (see van_app.ui.gc_guard)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from van_app.ui.gc_guard import UiThreadGarbageCollector


@pytest.fixture(scope="session")
def _ui_thread_gc(qapp: QApplication) -> Iterator[UiThreadGarbageCollector]:
    collector = UiThreadGarbageCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_between_tests(_ui_thread_gc: UiThreadGarbageCollector) -> Iterator[None]:
    yield
    gc.collect()  # here, on the UI thread, never on a pool thread
