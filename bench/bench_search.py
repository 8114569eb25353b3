"""Search-as-you-type latency over 100 000 people, on a real encrypted store.

Run: .venv/bin/python bench/bench_search.py [people] [repeats]. Target: p95 under 30 ms.
Each search opens its own session, as the screen's background task does. The people are
generated (fictional names, a Zipf-like spread of surnames as in a real population) and
written in bulk, the FTS index and the vocabulary of name words (for typos) being filled by
the database's own triggers. Typo queries carry one wrong, missing, extra or swapped letter.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from van_app.core import text  # noqa: E402
from van_app.core.demo import MEN, SURNAMES, WOMEN  # noqa: E402
from van_app.core.ids import new_id  # noqa: E402
from van_app.core.keystore import KdfParams  # noqa: E402
from van_app.core.local_store import LocalStore  # noqa: E402
from van_app.core.models import Beneficiary, utcnow  # noqa: E402
from van_app.core.people_search import search_people  # noqa: E402
from van_app.core.reference import reference  # noqa: E402

TODAY = dt.date(2026, 11, 23)
_SYLLABLES = (
    "ba be bon bou cha che co da de du fa fer ga gar gi jo la le li lou ma mar mi mo "
    "na ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi val mon bel"
).split()
_ENDINGS = ("", "t", "n", "l", "r", "s", "ux", "rd", "nd", "ier", "et", "in", "on", "aud")
_MORE_FIRST = (
    "Adèle Agathe Anaïs Béatrice Chloé Clémence Danièle Éloïse Gaëlle Joël Léon Noël Zoé "
    "Jérôme Loïc Maëlle Mélanie Renée Stéphane Thérèse Valérie Véronique Yannick Ahmed Karim "
    "Nadia Samir Sofiane Aïcha Fatima Moussa Ibrahim Awa Kenza Rayan Ilyes Nour"
).split()


def _surnames(rng: random.Random, count: int) -> list[str]:
    names = list(dict.fromkeys(SURNAMES))
    while len(names) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        names.append((word + rng.choice(_ENDINGS)).capitalize())
    return names


def _people(count: int, seed: int = 26) -> list[dict[str, object]]:
    rng = random.Random(seed)
    surnames = _surnames(rng, 4000)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(surnames))]
    women, men = WOMEN + _MORE_FIRST[:24], MEN + _MORE_FIRST[24:]
    communes = sorted(reference().communes)
    now = utcnow()
    rows: list[dict[str, object]] = []
    birth_names = rng.choices(surnames, weights, k=count)
    for birth_name in birth_names:
        sex = rng.choice("FM")
        first = rng.choice(women if sex == "F" else men)
        if rng.random() < 0.3:
            first += " " + rng.choice(women if sex == "F" else men)
        usual = rng.choices(surnames, weights)[0] if sex == "F" and rng.random() < 0.3 else None
        birth = TODAY - dt.timedelta(days=rng.randint(0, 95 * 365))
        rows.append(
            {
                "id": new_id(),
                "created_at": now,
                "updated_at": now,
                "author": "bench",
                "device": "bench",
                "deleted": rng.random() < 0.01,
                "birth_name": birth_name,
                "usual_name": usual,
                "first_names": first,
                "birth_date": birth,
                "sex": sex,
                "commune_insee": rng.choice(communes),
                "known_to_cms": False,
                "search_key": text.search_key(birth_name, usual, first),
            }
        )
    return rows


QUERIES = {
    "1 token, 1-2 letters": ["m", "d", "é", "k", "ma", "be", "ro", "hé", "lu", "ju", "ya"],
    "1 token, 3+ letters": ["mar", "martin", "bern", "hélène", "HELENE", "jean", "marie", "nad"],
    "2 tokens": ["martin j", "ma je", "dubois marie", "roux hél", "ber ca", "moreau lé"],
    "3 tokens": ["martin jean pi", "ma ma ma", "la ré no", "de ma el"],
    "dates": ["12/03/1980", "12031980", "12/03/80", "1980-03-12", "1985", "25/12"],
    "names + date": ["martin 12/03/1980", "ma 1985", "hélène 25/12", "d 1990"],
    "typos": ["frnacois", "moreu", "dupnot", "heleen", "bernrad", "mrie", "marrtin", "jaen"],
    "typos + words": ["mrtin jean", "moreu lé", "dupnot marei", "heleen dubios", "ma jaen"],
    "typos + date": ["dupnot 1985", "mrtin 12/03", "heleen 1990"],
}
TARGET_P95_MS = 30


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ref = reference()
    with tempfile.TemporaryDirectory() as folder:
        store = LocalStore.initialize(
            Path(folder),
            username="bench",
            password="bench-password",
            display_name="Bench",
            roles=["social_worker"],
            cms_code="CMS-BENCH",
            kdf=KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1),
        )
        try:
            started = time.perf_counter()
            rows = _people(count)
            with store.session() as session:
                for i in range(0, len(rows), 5000):
                    session.execute(insert(Beneficiary), rows[i : i + 5000])
            print(f"{count} people written in {time.perf_counter() - started:.1f} s")
            for queries in QUERIES.values():  # warm the page cache as a running app would be
                for typed in queries:
                    with store.session() as session:
                        search_people(session, typed, ref, TODAY)
            everything: list[float] = []
            print(f"search latency, {repeats} runs of each query (ms):")
            for category, queries in QUERIES.items():
                timings: list[float] = []
                found: list[int] = []
                for _ in range(repeats):
                    for typed in queries:
                        start = time.perf_counter()
                        with store.session() as session:
                            result = search_people(session, typed, ref, TODAY)
                        timings.append((time.perf_counter() - start) * 1000)
                        found.append(len(result.hits))
                everything += timings
                print(
                    f"  {category:<22} p50 {_pct(timings, 50):6.1f}  p95 {_pct(timings, 95):6.1f}"
                    f"  max {max(timings):6.1f}  (hits per query {min(found)}–{max(found)})"
                )
            print(
                f"  {'all queries':<22} p50 {_pct(everything, 50):6.1f}  "
                f"p95 {_pct(everything, 95):6.1f}  max {max(everything):6.1f}  "
                f"(target p95 < {TARGET_P95_MS})"
            )
        finally:
            store.close()


def _pct(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


if __name__ == "__main__":
    main()
