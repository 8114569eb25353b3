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
