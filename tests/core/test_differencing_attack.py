"""The statistical secret against an attacker who holds every allowed document at once.

Generated data sets (seeded: communes, stops, both services, six months, many counts of 1 to
10 and zeros) are exported as every allowed anonymised export (each month, each quarter, the
year), written to XLSX or CSV and read back, and as the bilan of each of those periods (its
XLSX read back: per-stop and per-commune counts, plus its unprotected key figures and monthly
series). The attacker turns every published figure into a linear relation over the finest
cells (month × stop × service consultations; the tour itself is public) and tries, for every
pair of documents and for all of them pooled (so every sum and difference of documents), to
pin a hidden figure: by linear algebra (modulo a prime other than the protection's, with
code of its own) and by bounds ("< 11" is 0 to 10, "s" 11 or more, a missing row is 0).
Nothing hidden may be pinned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from van_app.core.confidentiality import Conf
from van_app.core.db import add_in_dependency_order
from van_app.core.indicators import ActivityFilter, activity_report
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, PmiConsultation, SocialConsultation, TourStop
from van_app.core.reference import reference
from van_app.core.reports.anonymised import (
    AnonymisedMeta,
    anonymised_tables,
    write_anonymised_csv,
    write_anonymised_xlsx,
)
from van_app.core.reports.attendance_secret import (
    MONTH_TOTALS,
    AttendanceVisit,
    _cut_part,
    bilan_secret,
    protect_attendance,
)
from van_app.core.reports.bilan_xlsx import write_bilan_xlsx
from van_app.core.reports.statistical_secret import (
    ALL,
    PRIMARY_MARK,
    SECONDARY_MARK,
    PeriodError,
    period_bounds,
)

COMMUNES = ("26167", "26113", "26108", "26001")
MONTHS = tuple(range(7, 13))  # July to December 2026
COUNTS = (0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 16, 22)
TODAY = dt.date(2027, 1, 20)
PRIME = (1 << 61) - 1
INFINITY = float("inf")
OFF_TOUR = ""
Cell = tuple[str, str, str, str]  # month, commune ("" off tour), stop ("—" off tour), service


def generate(store: LocalStore, seed: int) -> dict[Cell, int]:
    """Stops in four communes, one or two a month each, and consultations by many people."""
    rng = random.Random(seed)
    people = [
        Beneficiary(
            birth_name=f"Personne{seed}x{n}", first_names="Alix", sex=rng.choice("FM"),
            birth_date=dt.date(1950 + n % 70, 1 + n % 12, 1 + n % 27), author="", device="",
        )
        for n in range(500)
    ]  # fmt: skip
    records: list = list(people)
    truth: dict[Cell, int] = {}
    place = 0
    for month in MONTHS:
        key = f"2026-{month:02d}"
        for commune in COMMUNES:
            for day in rng.sample(range(2, 28), rng.choice((1, 1, 2))):
                place += 1
                stop = TourStop(
                    commune_insee=commune, stop_date=dt.date(2026, month, day),
                    start_time=dt.time(9), end_time=dt.time(12), place=f"Place {place}",
                    services="both", cms_code="CMS-DIE", author="", device="",
                )  # fmt: skip
                records.append(stop)
                for service in ("social", "pmi"):
                    count = rng.choice(COUNTS)
                    truth[(key, commune, stop.id, service)] = count
                    for person in rng.sample(people, count):
                        records.append(_visit(service, person, stop.stop_date, stop.id))
        for service in ("social", "pmi"):
            count = rng.choice((0, 0, 2, 5, 12))
            truth[(key, OFF_TOUR, "—", service)] = count
            for person in rng.sample(people, count):
                records.append(_visit(service, person, dt.date(2026, month, 15), None))
    with store.session() as session:
        add_in_dependency_order(session, [store.stamp(r) for r in records])
    return truth


def _visit(service: str, person: Beneficiary, day: dt.date, stop_id: str | None):  # type: ignore[no-untyped-def]
    model = SocialConsultation if service == "social" else PmiConsultation
    extra = {} if service == "social" else {"kind": "child"}
    return model(
        beneficiary_id=person.id, stop_id=stop_id, consultation_date=day, status="signed",
        author="", device="", **extra,
    )  # fmt: skip


def allowed_periods() -> list[tuple[dt.date, dt.date]]:
    """Every export the dialog may offer over the data: six months, two quarters, the year."""
    return [
        *(period_bounds("month", 2026, month) for month in MONTHS),
        period_bounds("quarter", 2026, 3),
        period_bounds("quarter", 2026, 4),
        period_bounds("year", 2026),
    ]


# -- reading the documents back as relations -------------------------------------------------

Relation = tuple[frozenset[Cell], object]  # the cells it adds up, its published value or mark


def _rows(path: Path, sheet: str) -> list[tuple]:  # type: ignore[type-arg]
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def export_relations(
    truth: dict[Cell, int], path: Path, months: list[str], kind: str
) -> list[Relation]:
    """The anonymised export's attendance, read back from its file: per month, commune and
    service; a missing row is a published 0."""
    ref = reference()
    insee = {ref.label("communes", c): c for c in COMMUNES} | {"Hors tournée": OFF_TOUR}
    services = {"Accueil social": "social", "PMI": "pmi"}
    if kind == "xlsx":
        rows = [r for r in _rows(path, "Fréquentation")[4:] if r and r[0]]
    else:
        with zipfile.ZipFile(path) as archive:
            text = archive.read("01_frequentation.csv").decode("utf-8-sig")
        rows = [
            tuple(int(v) if v.isdigit() else v for v in row)
            for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
        ]
    published = {(r[0], insee[r[1]], services[r[2]]): r[3] for r in rows}
    relations = []
    for month in months:
        for commune in (*COMMUNES, OFF_TOUR):
            for service in ("social", "pmi"):
                cells = frozenset(
                    c for c in truth if (c[0], c[1], c[3]) == (month, commune, service)
                )
                if cells:
                    relations.append((cells, published.get((month, commune, service), 0)))
    return relations


def bilan_relations(
    truth: dict[Cell, int], path: Path, months: list[str], report, whole: bool = True
) -> list[Relation]:  # type: ignore[no-untyped-def]
    """The bilan's per-stop and per-commune counts read back from its XLSX and, for a whole
    period (``whole``), the figures it prints unprotected: the period's and each month's
    consultations (all communes). A period cut inside months adds up its stops only."""
    stop_of = {}
    with_stops = {c for c in truth if c[2] != "—"}
    for s in report.stops:
        stop_of[(s.commune_insee, s.place)] = s.stop_id
    relations: list[Relation] = []
    for row in _rows(path, "Arrêts")[4:]:
        if not row or row[2] is None:
            continue
        stop = stop_of[(row[2], row[3])]
        for service, value in (("social", row[6]), ("pmi", row[7])):
            cells = frozenset(c for c in with_stops if c[2] == stop and c[3] == service)
            relations.append((cells, value))
    held = {s.stop_id for s in report.stops}
    in_period = {c for c in truth if c[0] in months and (whole or c[2] in held)}
    for row in _rows(path, "Communes")[4:]:
        if not row or row[0] is None or not isinstance(row[2], int):
            continue
        commune = row[1] if row[1] is not None else OFF_TOUR
        if commune == OFF_TOUR and not whole:
            assert not isinstance(row[4], int), "outside the tour, part of a month: hidden"
            continue
        if not isinstance(row[4], int):
            assert row[4] == SECONDARY_MARK, "hidden, a sum over months says nothing more"
        relations.append((frozenset(c for c in in_period if c[1] == commune), derived(row[4])))
        social = frozenset(c for c in in_period if c[1] == commune and c[3] == "social")
        relations.append((social, derived(row[10])))  # the Département's indicators
        for count, share in ((row[7], row[9]), (row[8], row[9]), (row[13], row[15])):
            assert not (isinstance(count, int) and 1 <= count <= 10), row
            assert share is None or isinstance(count, int), "a share only beside its counts"
    if not whole:
        return relations
    relations.append((frozenset(in_period), report.key.consultations))
    for figures in report.monthly:
        month = f"{figures.month:%Y-%m}"
        relations.append((frozenset(c for c in truth if c[0] == month), figures.consultations))
    return relations


# -- the attacker ----------------------------------------------------------------------------


def _reduce(vector: dict[int, int], basis: dict[int, dict[int, int]]) -> dict[int, int]:
    vector = dict(vector)
    for pivot, row in basis.items():
        factor = vector.get(pivot, 0)
        if factor:
            for column, value in row.items():
                vector[column] = (vector.get(column, 0) - factor * value) % PRIME
                if not vector[column]:
                    del vector[column]
    return vector


def linear_span(vectors: list[frozenset[int]]) -> dict[int, dict[int, int]]:
    """A reduced echelon basis modulo a large prime (independent of the protection's)."""
    basis: dict[int, dict[int, int]] = {}
    for cells in vectors:
        row = _reduce({c: 1 for c in cells}, basis)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {c: v * inverse % PRIME for c, v in row.items()}
        for other in basis.values():
            factor = other.get(pivot, 0)
            if factor:
                for column, value in row.items():
                    other[column] = (other.get(column, 0) - factor * value) % PRIME
                    if not other[column]:
                        del other[column]
        basis[pivot] = row
    return basis


UNSAID = "unsaid"  # a figure over several months hidden: "s" whatever its value


def derived(value: object) -> object:
    """A bilan figure added up over months or stops: hidden, it says nothing of its value."""
    return value if isinstance(value, int) else UNSAID


def interval(value: object) -> tuple[float, float]:
    if isinstance(value, int):
        return float(value), float(value)
    if value == UNSAID:
        return 0.0, INFINITY
    assert value in (PRIMARY_MARK, SECONDARY_MARK), value
    return (0.0, 10.0) if value == PRIMARY_MARK else (11.0, INFINITY)


def pinned(relations: list[Relation], index: dict[Cell, int]) -> list[Relation]:
    """The hidden relations whose value the published ones fix."""
    vectors = [(frozenset(index[c] for c in cells), value) for cells, value in relations]
    basis = linear_span([v for v, value in vectors if isinstance(value, int)])
    found = [
        relations[i]
        for i, (v, value) in enumerate(vectors)
        if not isinstance(value, int) and not _reduce({c: 1 for c in v}, basis)
    ]
    bounds = [[0.0, INFINITY] for _ in index]
    for _ in range(100):
        changed = False
        for cells, value in vectors:
            low, high = interval(value)
            for c in cells:
                others_low = sum(bounds[o][0] for o in cells if o != c)
                others_high = sum(bounds[o][1] for o in cells if o != c)
                new = [max(bounds[c][0], low - others_high), min(bounds[c][1], high - others_low)]
                if new != bounds[c]:
                    bounds[c], changed = new, True
        if not changed:
            break
    for i, (cells, value) in enumerate(vectors):
        if isinstance(value, int) or relations[i] in found:
            continue
        low, high = interval(value)
        low = max(low, sum(bounds[c][0] for c in cells))
        high = min(high, sum(bounds[c][1] for c in cells))
        if high - low < 1:
            found.append(relations[i])
    return found


# -- the proof -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_pair_of_allowed_documents_gives_back_a_hidden_count(
    social_store: LocalStore, tmp_path: Path, seed: int
) -> None:
    truth = generate(social_store, seed)
    index = {cell: i for i, cell in enumerate(sorted(truth))}
    ref = reference()
    documents: dict[str, list[Relation]] = {}
    for number, (start, end) in enumerate(allowed_periods()):
        months = [f"{start.year}-{m:02d}" for m in range(start.month, end.month + 1)]
        classes = frozenset({Conf.SERVICE, Conf.SOCIAL})
        with social_store.session() as session:
            tables = anonymised_tables(session, start, end, ref, classes)
            report = activity_report(
                session, ("supervisor",), ActivityFilter(start, end), ref, TODAY, compare=False
            )
            secret = bilan_secret(session, report, ("supervisor",), ref)
        kind = "xlsx" if number % 2 else "zip"
        path = tmp_path / f"export_{number}.{kind}"
        meta = AnonymisedMeta(start, end, TODAY)
        (write_anonymised_xlsx if kind == "xlsx" else write_anonymised_csv)(path, tables, meta)
        documents[f"export {start:%Y-%m}..{end:%Y-%m}"] = export_relations(
            truth, path, months, kind
        )
        bilan = tmp_path / f"bilan_{number}.xlsx"
        write_bilan_xlsx(bilan, report, ref, "CMS de Die", secret)
        documents[f"bilan {start:%Y-%m}..{end:%Y-%m}"] = bilan_relations(
            truth, bilan, months, report
        )

    # What is published is true, and a count of 1 to 10 is never printed.
    everything = [r for relations in documents.values() for r in relations]
    small = 0
    for cells, value in everything:
        real = sum(truth[c] for c in cells)
        if isinstance(value, int):
            assert value == real and not 1 <= real <= 10
        elif value != UNSAID:
            assert value == (PRIMARY_MARK if real < 11 else SECONDARY_MARK)
            small += 1 <= real <= 10
    assert small > 20, "the data set must hold many small counts to attack"

    # Every pair of documents, then all of them at once (every sum and difference).
    names = list(documents)
    pairs = list(itertools.combinations(names, 2))
    assert len(pairs) == len(names) * (len(names) - 1) // 2 >= 150
    for first, second in pairs:
        found = pinned(documents[first] + documents[second], index)
        assert not found, f"{first} + {second}: {found[:3]}"
    assert not pinned(everything, index), "all the documents together"


def test_only_whole_months_quarters_and_years_are_exported(social_store: LocalStore) -> None:
    classes = frozenset({Conf.SERVICE, Conf.SOCIAL})
    with social_store.session() as session:
        for start, end in (
            (dt.date(2026, 9, 1), dt.date(2026, 9, 15)),  # half a month: the attack
            (dt.date(2026, 9, 16), dt.date(2026, 9, 30)),
            (dt.date(2026, 8, 1), dt.date(2026, 9, 30)),  # two months, not a quarter
            (dt.date(2026, 2, 1), dt.date(2026, 4, 30)),  # three months, not a quarter
            (dt.date(2026, 7, 1), dt.date(2027, 6, 30)),  # twelve months, not a year
        ):
            with pytest.raises(PeriodError, match="mois, un trimestre ou une année"):
                anonymised_tables(session, start, end, reference(), classes)
        for start, end in allowed_periods():
            anonymised_tables(session, start, end, reference(), classes)


def test_the_bilan_of_days_cut_inside_months_adds_nothing(
    social_store: LocalStore, tmp_path: Path
) -> None:
    """A bilan may cover any days (the dashboard's period): its per-stop counts are the
    month's, its commune counts sums of published stop counts, so bilans of 1–15 and 16–30
    September, of 10 August–20 September, beside every allowed export, give nothing back.
    (Their key figures are not under the rule yet: docs/statistics.md, Limits.)"""
    truth = generate(social_store, 4)
    index = {cell: i for i, cell in enumerate(sorted(truth))}
    ref = reference()
    relations: list[Relation] = []
    ranges = [
        *((start, end, True) for start, end in allowed_periods()),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 15), False),
        (dt.date(2026, 9, 16), dt.date(2026, 9, 30), False),
        (dt.date(2026, 8, 10), dt.date(2026, 9, 20), False),
    ]
    for number, (start, end, whole) in enumerate(ranges):
        months = [f"{start.year}-{m:02d}" for m in range(start.month, end.month + 1)]
        with social_store.session() as session:
            report = activity_report(
                session, ("supervisor",), ActivityFilter(start, end), ref, TODAY, compare=False
            )
            secret = bilan_secret(session, report, ("supervisor",), ref)
            if whole:
                tables = anonymised_tables(session, start, end, ref, frozenset({Conf.SERVICE}))
        bilan = tmp_path / f"bilan_{number}.xlsx"
        write_bilan_xlsx(bilan, report, ref, "CMS de Die", secret)
        relations += bilan_relations(truth, bilan, months, report, whole)
        if whole:
            path = tmp_path / f"export_{number}.xlsx"
            write_anonymised_xlsx(path, tables, AnonymisedMeta(start, end, TODAY))
            relations += export_relations(truth, path, months, "xlsx")
    for cells, value in relations:
        real = sum(truth[c] for c in cells)
        if isinstance(value, int):
            assert value == real and not 1 <= real <= 10
        elif value != UNSAID:
            assert value == (PRIMARY_MARK if real < 11 else SECONDARY_MARK)
    assert not pinned(relations, index)


def test_a_month_cut_by_the_bilan_prints_exactly_what_its_published_figures_fix() -> None:
    """Fixed stop ids (the ordering under which the days-cut bilan once printed "s" for a
    commune's social count of 1–15 September while its one stop printed that 0): a part of
    a cut month is printed exactly when the month's published figures fix it, checked
    against this module's own linear algebra over every set of stops and both services."""
    counts = {  # (commune, stop, service) → consultations, September 2026 of data set 4
        ("26001", "stop-a", "pmi"): 22, ("26001", "stop-a", "social"): 2,
        ("26001", "stop-b", "pmi"): 0, ("26001", "stop-b", "social"): 1,
        ("26108", "stop-c", "pmi"): 6, ("26108", "stop-c", "social"): 0,
        ("26113", "stop-d", "pmi"): 0, ("26113", "stop-d", "social"): 3,
        ("26167", "stop-e", "pmi"): 10, ("26167", "stop-e", "social"): 6,
        (OFF_TOUR, "—", "pmi"): 2, (OFF_TOUR, "—", "social"): 12,
    }  # fmt: skip
    day, visits = dt.date(2026, 9, 5), []
    for (_commune, stop, service), count in counts.items():
        stop_id = None if stop == "—" else stop
        visits += [
            AttendanceVisit(service, f"{stop}{service}{n}", day, stop_id) for n in range(count)
        ]
    communes = {stop: commune for commune, stop, _ in counts if stop != "—"}
    secret = protect_attendance(visits, communes)
    shown = secret.consultations["2026-09"].shown
    assert shown[("26108", "stop-c", "social")] == 0  # the leaking ordering
    assert shown[("26108", "stop-c", "pmi")] == PRIMARY_MARK

    fine = sorted(counts)
    index = {cell: i for i, cell in enumerate(fine)}
    known = [
        frozenset(index[c] for c in fine if all(p in (ALL, q) for p, q in zip(key, c, strict=True)))
        for key, value in shown.items()
        if isinstance(value, int) or key in MONTH_TOTALS
    ]
    basis = linear_span(known)
    stops = sorted(communes)
    for size in range(1, len(stops) + 1):
        for chosen in itertools.combinations(stops, size):
            for service in ("social", "pmi", ALL):
                held = [(communes[s], s, ALL) for s in chosen]
                part = _cut_part(secret, "2026-09", held, service)
                services = ("social", "pmi") if service == ALL else (service,)
                vector = {index[(communes[s], s, v)]: 1 for s in chosen for v in services}
                assert isinstance(part, int) == (not _reduce(vector, basis)), (chosen, service)
    assert _cut_part(secret, "2026-09", [("26108", "stop-c", ALL)], "social") == 0
    assert _cut_part(secret, "2026-09", [("26108", "stop-c", ALL)], ALL) == SECONDARY_MARK
