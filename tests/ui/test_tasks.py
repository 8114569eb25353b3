"""The task runner runs work off the UI thread and hands back results or errors."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from van_app.tasks import TaskRunner


def test_work_runs_off_the_ui_thread_and_result_comes_back_on_it(qtbot: QtBot) -> None:
    runner = TaskRunner()
    ui_thread = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["callback"] = threading.get_ident()
        seen["result"] = result

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.submit(work, done)
    assert seen["worker"] != ui_thread
    assert seen["callback"] == ui_thread
    assert seen["result"] == 42


def test_failure_reaches_the_failure_callback(qtbot: QtBot) -> None:
    runner = TaskRunner()
    errors: list[Exception] = []

    def boom() -> None:
        raise ValueError("disque plein")

    runner.submit(boom, on_failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)
    assert not runner.is_busy()


def test_database_lane_runs_jobs_in_order(qtbot: QtBot) -> None:
    runner = TaskRunner()
    order: list[int] = []
    for i in range(20):
        runner.submit(lambda i=i: i, order.append)
    qtbot.waitUntil(lambda: len(order) == 20)
    assert order == list(range(20))


def test_a_result_for_a_deleted_qt_object_is_dropped(qtbot: QtBot) -> None:
    """Logout deletes the screens while their tasks run: the results must not reach them."""
    import shiboken6
    from PySide6.QtCore import QObject, Signal

    class Screen(QObject):
        changed = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.results: list[int] = []

        def on_result(self, result: int) -> None:
            self.results.append(result)
            self.changed.emit()  # raised "Signal source has been deleted" before the guard

    runner = TaskRunner()
    gate = threading.Event()
    alive, doomed = Screen(), Screen()
    runner.submit(lambda: gate.wait(5) and 1, doomed.on_result)
    runner.submit(lambda: 2, alive.on_result)
    shiboken6.delete(doomed)
    gate.set()
    qtbot.waitUntil(lambda: alive.results == [2])
    qtbot.waitUntil(lambda: not runner.is_busy())
