"""The CMS supervisor's waits on a year of data: dashboard, review queue, duplicates, exports.

Run: .venv/bin/python bench/bench_supervisor.py [people] [runs]   (20 000 people, 5 runs)
Targets: the dashboard of a year under ~2 s, the review queue under ~1 s (the UI never blocks
either way: both run on the task runner). The store is a supervisor's (roles ["supervisor"]),
filled in bulk (``supervisor_data``): 30 000 social and 10 000 PMI consultations, 8 000
follow-ups, 5 000 satisfaction answers, ~150 stops in 20 communes over 2026, reviews, and 50
people registered twice by two professionals, which the duplicate search must all find.
Each call opens its own session, as the screens' background tasks do. Anything whose median
is over 5 s is profiled once (cProfile) and its heaviest functions printed.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import io
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.supervisor_data import (  # noqa: E402
    SUPERVISOR,
    TODAY,
    YEAR_END,
    YEAR_START,
    Built,
    Sizes,
    build,
)
from van_app.core.confidentiality import readable_classes  # noqa: E402
from van_app.core.indicators import ActivityFilter, activity_report, filter_options  # noqa: E402
from van_app.core.keystore import KdfParams  # noqa: E402
from van_app.core.local_store import LocalStore  # noqa: E402
from van_app.core.merge_people import likely_duplicates  # noqa: E402
from van_app.core.reference import reference  # noqa: E402
from van_app.core.reports.access_export import access_export, write_access_pdf  # noqa: E402
from van_app.core.reports.anonymised import (  # noqa: E402
    AnonymisedMeta,
    anonymised_tables,
    write_anonymised_xlsx,
)
from van_app.core.reports.bilan_pdf import write_bilan_pdf  # noqa: E402
from van_app.core.reports.bilan_xlsx import write_bilan_xlsx  # noqa: E402
from van_app.core.review import ReviewFilter, filter_choices, review_queue  # noqa: E402

PASSWORD = "bench-password"
FAST = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
DECEMBER = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
SLOW = 5.0  # seconds: profile what takes longer
PROFILES: list[tuple[str, Callable[[], Any]]] = []


def _measure(label: str, action: Callable[[], Any], runs: int, target: float | None = None) -> Any:
    """Run ``action`` ``runs`` times; print median, p95 and max in seconds; its last result."""
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=100, method="inclusive")[94] if runs > 1 else median
    goal = f"  (target < {target:g} s)" if target else ""
    print(f"  {label:<44} median {median:6.2f}  p95 {p95:6.2f}  max {max(timings):6.2f}{goal}")
    if median > SLOW:
        PROFILES.append((label, action))
    return result


def _profile(label: str, action: Callable[[], Any]) -> None:
    """Where a slow action spends its time (cProfile, one run): our functions by cumulative
    time, then every function by own time (the SQLAlchemy and garbage-collection side)."""
    gc.disable()  # how much of it is collecting the garbage of many short-lived objects
    try:
        start = time.perf_counter()
        action()
        without_gc = time.perf_counter() - start
    finally:
        gc.enable()
    profiler = cProfile.Profile()
    profiler.runcall(action)
    print(f"\nprofile of « {label} » (cProfile, one run; seconds):")
    print(f"  one run with the garbage collector off: {without_gc:.2f} s")
    for title, sort, pattern, count in (
        ("our code, cumulative", "cumulative", r"van_app", 10),
        ("everything, own time", "tottime", r".", 8),
    ):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(pattern, count)
        lines = [ln for ln in out.getvalue().splitlines() if re.match(r"\s*[\d/]+\s+\d+\.\d", ln)]
        print(f"  {title}:\n    {'calls':>10} {'own':>6} {'cumul.':>6}  function")
        for line in lines:
            calls, own, _, cumulative, _, where = line.split(maxsplit=5)
            where = where.replace(str(REPO) + "/", "").replace(str(Path(sys.prefix)), "venv")
            print(f"    {calls:>10} {float(own):6.2f} {float(cumulative):6.2f}  {where}")


def _store(folder: Path) -> LocalStore:
    return LocalStore.initialize(
        folder,
        username=SUPERVISOR,
        password=PASSWORD,
        display_name="Camille Roux",
        roles=["supervisor"],
        cms_code="CMS-BENCH",
        kdf=FAST,
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--memory-child":
        _memory_child(Path(sys.argv[2]))
        return
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    ratio = people / 20_000  # records scale with the register (a van's CMS: ~2 000 people)
    sizes = Sizes(
        people=people,
        social=max(100, round(30_000 * ratio)),
        pmi=max(50, round(10_000 * ratio)),
        follow_ups=max(40, round(8_000 * ratio)),
        answers=max(50, round(5_000 * ratio)),
    )
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ref = reference()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "store").mkdir()
        store = _store(folder / "store")
        try:
            start = time.perf_counter()
            with store.session() as session:
                built = build(session, ref, sizes)
            counts = ", ".join(f"{n} {table}" for table, n in built.counts.items())
            print(f"supervisor's store built in {time.perf_counter() - start:.1f} s:")
            print(textwrap.fill(counts, 96, initial_indent="  ", subsequent_indent="  "))
            _run(store, ref, built, folder, runs)
            for label, action in PROFILES:
                _profile(label, action)
        finally:
            store.close()
        _memory(folder / "store")


def _run(store: LocalStore, ref: Any, built: Built, folder: Path, runs: int) -> None:
    roles, user = store.user.roles, store.user

    def report(start: dt.date, end: dt.date, commune: str | None = None) -> Any:
        with store.session() as session:
            return activity_report(session, roles, ActivityFilter(start, end, commune), ref, TODAY)

    def dashboard() -> Any:  # what the activity screen's background task does
        with store.session() as session:
            filter_options(session, YEAR_START, YEAR_END, ref)
            return activity_report(session, roles, ActivityFilter(YEAR_START, YEAR_END), ref, TODAY)

    def queue(start: dt.date, end: dt.date, with_choices: bool = False) -> Any:
        with store.session() as session:
            rows = review_queue(session, user, ReviewFilter(start=start, end=end), ref)
            if with_choices:  # what the review screen's background task does
                filter_choices(session, user, ref, start, end)
            return rows

    report(YEAR_START, YEAR_END)  # warm the page cache, as a running app would be
    print(f"dashboard, {_runs(runs)} (s):")
    year = _measure("activity_report, year 2026", lambda: report(YEAR_START, YEAR_END), runs, 2)
    _measure("activity_report, Q4 2026", lambda: report(*Q4), runs, 2)
    commune = built.communes[0]
    _measure(f"activity_report, Q4, commune {commune}", lambda: report(*Q4, commune), runs, 2)
    _measure("dashboard load, year (+ filter_options)", dashboard, runs, 2)
    print(
        f"    (year: {year.key.people} people, {year.key.consultations} consultations counted, "
        f"{len(year.stops)} stops, {len(year.communes)} commune rows)"
    )

    print(f"review queue, no filter, {_runs(runs)} (s):")
    month = _measure("review_queue, December 2026", lambda: queue(*DECEMBER), runs, 1)
    quarter = _measure("review_queue, Q4 2026", lambda: queue(*Q4), runs, 1)
    _measure("queue load, Q4 (+ filter_choices)", lambda: queue(*Q4, True), runs, 1)
    print(f"    ({len(month)} rows for the month, {len(quarter)} for the quarter)")

    print("duplicates (s):")

    def duplicates() -> Any:
        with store.session() as session:
            return likely_duplicates(session, ref, user)

    pairs = _measure("likely_duplicates, whole register", duplicates, max(1, runs // 2))
    found = {frozenset((p.a.id, p.b.id)) for p in pairs}
    print(
        f"    planted pairs found: {len(found & built.planted)}/{len(built.planted)}; "
        f"other pairs (namesakes born the same day): {len(found - built.planted)}"
    )
    if not built.planted <= found:
        raise SystemExit("likely_duplicates missed planted duplicates")

    _exports(store, ref, built, folder, year, max(1, runs // 2))


def _exports(store: LocalStore, ref: Any, built: Built, folder: Path, year: Any, runs: int) -> None:
    user, classes = store.user, readable_classes(store.user.roles)
    pdf, xlsx = folder / "bilan.pdf", folder / "bilan.xlsx"
    print(f"exports of 2026, {_runs(runs)} (s; the report itself is computed above):")
    _measure("write_bilan_pdf", lambda: write_bilan_pdf(pdf, year, ref, "CMS-BENCH"), runs)
    _measure("write_bilan_xlsx", lambda: write_bilan_xlsx(xlsx, year, ref, "CMS-BENCH"), runs)

    def tables() -> Any:
        with store.session() as session:
            return anonymised_tables(session, YEAR_START, YEAR_END, ref, classes)

    stats, anonymised = _measure("anonymised_tables", tables, runs), folder / "anonymised.xlsx"
    meta = AnonymisedMeta(YEAR_START, YEAR_END, TODAY, user.cms_code, classes)
    _measure("write_anonymised_xlsx", lambda: write_anonymised_xlsx(anonymised, stats, meta), runs)

    def document() -> Any:
        with store.session() as session:
            return access_export(session, user, built.heavy_person, ref, TODAY)

    doc, access = _measure("access_export (one person)", document, runs), folder / "access.pdf"
    _measure("write_access_pdf", lambda: write_access_pdf(access, doc), runs)
    visits = next((len(s.items) for s in doc.sections if s.title.startswith("Consult")), 0)
    print(
        f"    (bilan PDF {_pages(pdf)} pages, {pdf.stat().st_size // 1024} KiB; XLSX "
        f"{xlsx.stat().st_size // 1024} KiB; {len(stats)} anonymised tables; access export of "
        f"{visits} visits, {_pages(access)} pages)"
    )


def _runs(count: int) -> str:
    return f"{count} runs each" if count > 1 else "one run"


def _pages(pdf: Path) -> str:
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages")), "?")


def _memory(folder: Path) -> None:
    """Peak memory of the year's report, in a fresh process (the build's peak would hide it)."""
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    print("memory of the year's activity_report:")
    print(child.stdout.rstrip())


def _memory_child(folder: Path) -> None:
    ref = reference()
    store = LocalStore.open(folder, SUPERVISOR, PASSWORD)
    year = ActivityFilter(YEAR_START, YEAR_END)
    try:
        with store.session() as session:
            filter_options(session, YEAR_START, YEAR_END, ref)  # opened, schema read
        before = _reset_peak_rss()
        with store.session() as session:
            activity_report(session, store.user.roles, year, ref, TODAY)
        peak = _peak_rss()
        tracemalloc.start()
        with store.session() as session:
            activity_report(session, store.user.roles, year, ref, TODAY)
        _, allocated = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        store.close()
    print(
        f"  peak RSS {peak / 1024:.0f} MiB (+{(peak - before) / 1024:.0f} MiB over the opened "
        f"store); Python allocations at peak (tracemalloc) {allocated / 2**20:.0f} MiB"
    )


def _proc_status(name: str) -> int:
    """A /proc/self/status figure in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise KeyError(name)


def _reset_peak_rss() -> int:
    """Reset the peak RSS to the current one (Linux clear_refs); the current RSS in KiB.

    ``ru_maxrss`` would not do: it keeps the peak of the process this one was forked from."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _proc_status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss() -> int:
    try:
        return _proc_status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
