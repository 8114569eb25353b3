"""Python's cyclic garbage collection, run on the UI thread only.

Left automatic, the collector runs in whichever thread happens to allocate, so a database
task on the thread pool could destroy a dialog caught in a reference cycle: Qt widgets die
outside their thread and the process crashes. Automatic collection is turned off and a
timer on the UI thread collects with the usual generation thresholds (a well-known pattern
for Qt applications in Python).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class UiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds, as gc would."""
        counts = gc.get_count()
        if counts[0] > self.thresholds[0]:
            generation = 0
            if counts[1] > self.thresholds[1]:
                generation = 1
                if counts[2] > self.thresholds[2]:
                    generation = 2
            gc.collect(generation)

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()
