"""Cold start to the login window: a fresh process, until the window is shown and painted.

Run: .venv/bin/python bench/bench_startup.py [runs]. Target: under 1.5 s.
The child process prints the moment its window is exposed; the parent measures from spawn.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = r"""
import sys, time
from van_app.__main__ import _install_translations
from PySide6.QtWidgets import QApplication
from van_app.ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
_install_translations(app)
window = MainWindow()
window.show()
app.processEvents()
while window.login_screen.user_combo.count() == 0:
    app.processEvents()
print("shown", flush=True)
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as data_dir:
        from van_app.core.demo import ensure_demo_data

        list(ensure_demo_data(Path(data_dir)))
        env = {**os.environ, "VAN_APP_DATA_DIR": data_dir, "PYTHONPATH": str(REPO)}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env
            )
            assert child.stdout is not None
            line = child.stdout.readline()
            elapsed = time.perf_counter() - start
            child.kill()
            child.wait()
            if line.strip() != "shown":
                raise SystemExit("the app did not show its login window")
            timings.append(elapsed)
    print(f"cold start to login window ({runs} runs, platform {env['QT_QPA_PLATFORM']}):")
    print(f"  median {statistics.median(timings):.3f} s, max {max(timings):.3f} s (target < 1.5 s)")


if __name__ == "__main__":
    main()
