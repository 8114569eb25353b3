"""Time to save a consultation, as the screen's background task does it, on a busy store.

Run: .venv/bin/python bench/bench_save.py [people] [saves]. Target: under 50 ms.
The store holds ``people`` people and a year of consultations first, so indexes and the
outbox are the size of a real van's. Each save is one transaction, validated whole and
written with its outbox rows (synchronous=FULL: the commit waits for the disk).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_search import TODAY, _people  # noqa: E402
from van_app.core.keystore import KdfParams  # noqa: E402
from van_app.core.local_store import LocalStore  # noqa: E402
from van_app.core.models import Beneficiary  # noqa: E402
from van_app.core.pmi import PmiForm, save_pmi_draft, sign_pmi_consultation  # noqa: E402
from van_app.core.reference import reference  # noqa: E402
from van_app.core.social import save_social_draft, sign_social_consultation  # noqa: E402
from van_app.core.social_form import FollowUpInput, OrientationInput, SocialForm  # noqa: E402

FAST = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


def social_form(person_id: str) -> SocialForm:
    return SocialForm(
        beneficiary_id=person_id,
        consultation_date=TODAY,
        duration_minutes=45,
        known_before=False,
        arrival_mode="town_hall_poster",
        demand_types=["energy", "housing"],
        actions=["information", "file_preparation"],
        outcome="follow_up_opened",
        note="Dossier FSL énergie préparé avec la personne.",
        orientations=[OrientationInput("adil", TODAY)],
        follow_ups=[FollowUpInput("energy", TODAY + dt.timedelta(days=14))],
    )


def child_form(child_id: str) -> PmiForm:
    return PmiForm(
        beneficiary_id=child_id,
        kind="child",
        duration_minutes=30,
        weight_g=6400,
        length_mm=630,
        head_circumference_mm=415,
        feeding_mode="exclusive_breastfeeding",
        note="Bonne prise de poids.",
    )


def _store(folder: Path, username: str, roles: list[str], people: list[dict]) -> LocalStore:
    store = LocalStore.initialize(
        folder,
        username=username,
        password="bench-password",
        display_name="Bench",
        roles=roles,
        cms_code="CMS-BENCH",
        kdf=FAST,
    )
    with store.session() as session:
        for i in range(0, len(people), 5000):
            session.execute(insert(Beneficiary), people[i : i + 5000])
    return store


def _timed(label: str, action, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for i in range(count):
        start = time.perf_counter()
        action(i)
        timings.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(timings, n=100, method="inclusive")[94]
    print(
        f"  {label:<34} p50 {statistics.median(timings):6.1f}  p95 {p95:6.1f}  "
        f"max {max(timings):6.1f}  (target < 50)"
    )
    return timings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    saves = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    ref = reference()
    people = _people(count)
    adults = [p["id"] for p in people if not p["deleted"] and p["birth_date"].year < 2000]
    children = [
        p["id"] for p in people if not p["deleted"] and 100 < (TODAY - p["birth_date"]).days < 220
    ]
    print(f"{count} people; {saves} saves of each kind (ms per save, one transaction each):")
    with tempfile.TemporaryDirectory() as folder:
        store = _store(Path(folder), "social", ["social_worker"], people)
        try:
            for i in range(saves):  # a year of earlier visits first
                sign_social_consultation(store, None, ref, TODAY, social_form(adults[-1 - i]))
            drafts: list[str] = []
            _timed(
                "social draft (new)",
                lambda i: drafts.append(
                    save_social_draft(store, social_form(adults[i]), ref, TODAY)
                ),
                saves,
            )

            def sign(i: int) -> None:
                form = social_form(adults[i])
                form.consultation_id = drafts[i]
                sign_social_consultation(store, drafts[i], ref, TODAY, form)

            _timed("social signature (draft → signed)", sign, saves)
        finally:
            store.close()
    with tempfile.TemporaryDirectory() as folder:
        store = _store(Path(folder), "nurse", ["pmi_nurse"], people)
        try:
            _timed(
                "PMI child consultation, signed",
                lambda i: sign_pmi_consultation(store, child_form(children[i]), ref, TODAY),
                saves,
            )
            _timed(
                "PMI child draft",
                lambda i: save_pmi_draft(store, child_form(children[saves + i]), ref, TODAY),
                saves,
            )
        finally:
            store.close()


if __name__ == "__main__":
    main()
