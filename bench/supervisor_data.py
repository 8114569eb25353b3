"""A CMS supervisor's device after a year of two vans: the data of ``bench_supervisor.py``.

Everything is written in bulk (Core inserts, no outbox: the records arrived by sync, so they
carry a server version), with the cut a supervisor's device holds: class S and C values, the
class M ones blank as a pull leaves them. Fixed seeds: the same data on every run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from bench.bench_search import _people
from van_app.core import text
from van_app.core.ids import new_id
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiAddendum,
    PmiConsultation,
    SatisfactionAnswer,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    StaffAccount,
    SupervisorReview,
    TourStop,
)
from van_app.core.reference import ReferenceData
from van_app.core.registration import same_person_likely

YEAR_START, YEAR_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
TODAY = dt.date(2027, 1, 12)  # the bilan of 2026 is written early in January
SUPERVISOR = "croux"
SOCIAL_WORKERS = ("amartin", "lfaure", "dgarcia")
NURSES = ("bnguyen", "cperrin")
STAFF = {
    "amartin": ("Agnès Martin", "social_worker"),
    "lfaure": ("Léa Faure", "social_worker"),
    "dgarcia": ("David Garcia", "social_worker"),
    "bnguyen": ("Binh Nguyen", "pmi_nurse"),
    "cperrin": ("Claire Perrin", "pmi_nurse"),
}
_OUTCOME_WEIGHTS = {  # the pilot's 45 % resolved on the spot
    "resolved_on_spot": 45,
    "oriented": 25,
    "follow_up_opened": 15,
    "cms_appointment": 10,
    "no_further_action": 5,
}


@dataclass
class Sizes:
    people: int = 20_000
    social: int = 30_000
    pmi: int = 10_000
    follow_ups: int = 8_000
    answers: int = 5_000
    stops: int = 150
    communes: int = 20
    duplicates: int = 50
    heavy_visits: int = 40


@dataclass
class Built:
    """What the bench needs to know about the data it measures."""

    counts: dict[str, int] = field(default_factory=dict)
    communes: list[str] = field(default_factory=list)
    planted: set[frozenset[str]] = field(default_factory=set)
    heavy_person: str = ""


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


class _Rows:
    """Rows per table, each with the columns every synced record has, then written in bulk."""

    def __init__(self) -> None:
        self.tables: dict[type, list[dict[str, Any]]] = {}
        self._version = 0

    def next_version(self) -> int:
        self._version += 1
        return self._version

    def add(self, model: type, author: str, day: dt.date, **values: Any) -> dict[str, Any]:
        row = {
            "id": new_id(),
            "created_at": _moment(day),
            "updated_at": _moment(day),
            "author": author,
            "device": f"dev-{author}",
            "server_version": self.next_version(),
            "deleted": False,
            **values,
        }
        self.tables.setdefault(model, []).append(row)
        return row

    def write(self, session: Session) -> None:
        for model, rows in self.tables.items():
            for i in range(0, len(rows), 5000):
                session.execute(insert(model.__table__), rows[i : i + 5000])  # type: ignore[attr-defined]


def build(session: Session, ref: ReferenceData, sizes: Sizes, seed: int = 2026) -> Built:
    """Fill an empty supervisor's store; what was planted, for the checks."""
    rng = random.Random(seed)
    rows, built = _Rows(), Built()
    for username, (name, role) in STAFF.items():
        rows.add(
            StaffAccount, SUPERVISOR, YEAR_START, username=username, display_name=name,
            roles=[role], cms_code="CMS-BENCH", active=True,
        )  # fmt: skip
    people = _register(rng, rows, sizes.people)
    stops = _stops(rng, rows, ref, sizes, built)
    adults = [p for p in people if p["birth_date"].year <= 2008 and not p["deleted"]]
    regulars = rng.sample(adults, len(adults) // 6)  # a sixth of them come back often
    social = _social(rng, ref, rows, stops, adults, regulars, sizes.social)
    _follow_ups(rng, ref, rows, social, sizes.follow_ups)
    _pmi(rng, rows, stops, people, sizes.pmi)
    _answers(rng, rows, stops, sizes.answers)
    heavy = adults.pop(len(adults) // 2)
    built.heavy_person = _heavy_person(rng, rows, stops, heavy, sizes)
    _reviews(rng, rows)
    _merged(adults[-200:], 30)
    built.planted = _duplicates(rng, rows, adults[:-200], sizes.duplicates)
    rows.write(session)
    built.counts = {m.__tablename__: len(r) for m, r in rows.tables.items()}  # type: ignore[attr-defined]
    return built


def _register(rng: random.Random, rows: _Rows, count: int) -> list[dict[str, Any]]:
    people = _people(count, seed=rng.randint(0, 10**6))
    staff = SOCIAL_WORKERS + NURSES
    for person in people:  # registered by one of the team, with a phone for some
        person["author"] = rng.choice(staff)
        person["device"] = f"dev-{person['author']}"
        person["server_version"] = rows.next_version()
        person["phone"] = f"06{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.6 else None
        person["merged_into_id"] = None
    rows.tables[Beneficiary] = people
    return people


def _stops(
    rng: random.Random, rows: _Rows, ref: ReferenceData, sizes: Sizes, built: Built
) -> list[dict[str, Any]]:
    """About ``sizes.stops`` stops over the year's working days, a few of them cancelled."""
    built.communes = rng.sample(sorted(ref.communes), sizes.communes)
    days = [
        YEAR_START + dt.timedelta(days=n)
        for n in range((YEAR_END - YEAR_START).days + 1)
        if (YEAR_START + dt.timedelta(days=n)).weekday() < 5
    ]
    stops = []
    for i in range(sizes.stops):
        day = days[i * len(days) // sizes.stops]
        stop = rows.add(
            TourStop, SUPERVISOR, day - dt.timedelta(days=60),
            commune_insee=built.communes[i % sizes.communes], stop_date=day,
            start_time=dt.time(9, 30), end_time=dt.time(16, 30),
            place="Parking de la salle des fêtes",
            services=rng.choices(("both", "social", "pmi"), (6, 3, 1))[0],
            cms_code="CMS-BENCH", pattern_id=None,
        )  # fmt: skip
        stop["deleted"] = rng.random() < 0.02  # cancelled
        stops.append(stop)
    return stops


def _held(stops: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    return [s for s in stops if not s["deleted"] and s["services"] in (service, "both")]


def _social(
    rng: random.Random,
    ref: ReferenceData,
    rows: _Rows,
    stops: list[dict[str, Any]],
    adults: list[dict[str, Any]],
    regulars: list[dict[str, Any]],
    count: int,
) -> list[dict[str, Any]]:
    held = _held(stops, "social")
    demands, actions, partners, modes = (
        [i.code for i in ref.items(n)]
        for n in ("demand_types", "actions", "partners", "arrival_modes")
    )
    made = []
    for _ in range(count):
        stop = rng.choice(held) if rng.random() < 0.9 else None  # one in ten outside the tour
        day = stop["stop_date"] if stop else rng.choice(held)["stop_date"] + dt.timedelta(days=1)
        person = rng.choice(regulars if rng.random() < 0.6 else adults)
        signed = rng.random() < 0.97
        outcome = rng.choices(list(_OUTCOME_WEIGHTS), list(_OUTCOME_WEIGHTS.values()))[0]
        row = rows.add(
            SocialConsultation, rng.choice(SOCIAL_WORKERS), day,
            beneficiary_id=person["id"], stop_id=stop["id"] if stop else None,
            consultation_date=day, duration_minutes=rng.choice((15, 20, 30, 45, 60)),
            known_before=rng.random() < 0.5, status="signed" if signed else "draft",
            signed_at=_moment(day, 12) if signed else None,
            arrival_mode=rng.choice(modes), demand_types=rng.sample(demands, rng.randint(1, 3)),
            actions=rng.sample(actions, rng.randint(1, 3)), outcome=outcome,
            note="Dossier préparé avec la personne, pièces à fournir expliquées.",
        )  # fmt: skip
        row["deleted"] = rng.random() < 0.005
        made.append(row)
        if outcome == "oriented" or rng.random() < 0.1:
            for partner in rng.sample(partners[:25], rng.randint(1, 2)):
                rows.add(
                    SocialOrientation, row["author"], day, consultation_id=row["id"],
                    partner_code=partner, orientation_date=day,
                )  # fmt: skip
    return made


def _follow_ups(
    rng: random.Random, ref: ReferenceData, rows: _Rows, social: list[dict[str, Any]], count: int
) -> None:
    """Follow-ups of signed consultations; four in five closed, most within a month."""
    signed = [c for c in social if c["status"] == "signed" and not c["deleted"]]
    codes = [i.code for i in ref.items("follow_up_outcomes")]
    for consultation in rng.sample(signed, count):
        consultation["outcome"] = "follow_up_opened"
        opened = consultation["consultation_date"]
        closed = opened + dt.timedelta(days=int(rng.expovariate(1 / 12)))
        is_closed = rng.random() < 0.8 and closed <= TODAY
        rows.add(
            FollowUp, consultation["author"], opened, beneficiary_id=consultation["beneficiary_id"],
            consultation_id=consultation["id"], demand_type=consultation["demand_types"][0],
            opened_on=opened, due_on=opened + dt.timedelta(days=rng.choice((7, 14, 30, 60))),
            closed_on=closed if is_closed else None,
            outcome=rng.choices(codes, (60, 15, 10, 5, 5, 3, 2))[0] if is_closed else None,
            note="",
        )  # fmt: skip


def _pmi(
    rng: random.Random,
    rows: _Rows,
    stops: list[dict[str, Any]],
    people: list[dict[str, Any]],
    count: int,
) -> None:
    """Children under six and pregnant women; class M columns blank, as a pull leaves them."""
    held = _held(stops, "pmi")
    live = [p for p in people if not p["deleted"]]
    children = [p for p in live if p["birth_date"] >= YEAR_START - dt.timedelta(days=6 * 365)]
    mothers = [p for p in live if p["sex"] == "F" and 1981 <= p["birth_date"].year <= 2006][
        : len(children)
    ]
    for child, mother in zip(children[: len(children) // 2], mothers, strict=False):
        rows.add(
            HouseholdLink, rng.choice(NURSES), YEAR_START,
            parent_id=mother["id"], child_id=child["id"], relation="mother",
        )  # fmt: skip
    for _ in range(count):
        stop = rng.choice(held)
        day = stop["stop_date"]
        person = rng.choice(children if rng.random() < 0.8 else mothers)
        signed = rng.random() < 0.97
        rows.add(
            PmiConsultation, rng.choice(NURSES), day, beneficiary_id=person["id"],
            stop_id=stop["id"], consultation_date=day, duration_minutes=30,
            known_before=rng.random() < 0.6, status="signed" if signed else "draft",
            signed_at=_moment(day, 12) if signed else None, kind="",
            vaccinations=[], development=[], advice_topics=[], note="",
        )  # fmt: skip


def _answers(rng: random.Random, rows: _Rows, stops: list[dict[str, Any]], count: int) -> None:
    held = [s for s in stops if not s["deleted"]]
    for _ in range(count):
        stop = rng.choice(held)
        service = stop["services"] if stop["services"] != "both" else rng.choice(("social", "pmi"))
        score = [rng.choices((1, 2, 3, 4), (5, 20, 45, 30))[0] for _ in range(3)]
        rows.add(
            SatisfactionAnswer, rng.choice(SOCIAL_WORKERS + NURSES), stop["stop_date"],
            stop_id=stop["id"], answered_on=stop["stop_date"], service=service,
            service_rendered=score[0], reception=score[1], waiting_time=score[2],
        )  # fmt: skip


def _reviews(rng: random.Random, rows: _Rows) -> None:
    """Seven in ten signed consultations older than a month reviewed; a tenth of them asked to
    be completed, and most of those completed by their author since."""
    for model, addendum in ((SocialConsultation, SocialAddendum), (PmiConsultation, PmiAddendum)):
        kind = "social" if model is SocialConsultation else "pmi"
        for c in list(rows.tables[model]):
            day = c["consultation_date"]
            if c["status"] != "signed" or day > TODAY - dt.timedelta(days=30):
                continue
            if rng.random() >= 0.7:
                continue
            asked = rng.random() < 0.1
            rows.add(
                SupervisorReview, SUPERVISOR, day + dt.timedelta(days=3), consultation_id=c["id"],
                consultation_kind=kind, status="completion_requested" if asked else "validated",
                comment="Préciser les pièces demandées." if asked else "",
            )  # fmt: skip
            if asked and rng.random() < 0.6:
                rows.add(
                    addendum, c["author"], day + dt.timedelta(days=5), consultation_id=c["id"],
                    note="Pièces : avis d'imposition, quittance." if kind == "social" else "",
                )  # fmt: skip


def _merged(pool: list[dict[str, Any]], count: int) -> None:
    """Records the supervisor already merged (they leave the candidates' list)."""
    for keep, merged in zip(pool[0 : 2 * count : 2], pool[1 : 2 * count : 2], strict=True):
        merged["merged_into_id"] = keep["id"]


def _variant(rng: random.Random, person: dict[str, Any], how: int) -> dict[str, Any] | None:
    """The same person as typed again on another laptop: one of five usual slips."""
    twin = dict(person, id=new_id())
    name, first = person["birth_name"], person["first_names"]
    if how == 0:  # capitals and no accents
        twin["birth_name"] = text.fold(name).upper()
    elif how == 1:  # one letter doubled
        at = rng.randrange(1, len(name))
        twin["birth_name"] = name[:at] + name[at - 1] + name[at:]
    elif how == 2:  # day and month swapped
        birth = person["birth_date"]
        if birth.day > 12 or birth.day == birth.month:
            return None
        twin["birth_date"] = birth.replace(day=birth.month, month=birth.day)
    elif how == 3:  # family and first names swapped
        twin["birth_name"], twin["first_names"] = first.split()[0], name
    else:  # only the first of her first names, and a usual (married) name
        twin["first_names"] = first.split()[0]
        twin["usual_name"] = "Chabert"
    twin["search_key"] = text.search_key(
        twin["birth_name"], twin["usual_name"], twin["first_names"]
    )
    return twin


def _duplicates(
    rng: random.Random, rows: _Rows, pool: list[dict[str, Any]], count: int
) -> set[frozenset[str]]:
    """``count`` people registered twice by two professionals, some seen under both records."""
    planted: set[frozenset[str]] = set()
    staff = SOCIAL_WORKERS + NURSES
    visits: dict[str, list[dict[str, Any]]] = {}
    for c in rows.tables[SocialConsultation]:
        visits.setdefault(c["beneficiary_id"], []).append(c)
    follow_ups: dict[str, list[dict[str, Any]]] = {}
    for u in rows.tables[FollowUp]:
        follow_ups.setdefault(u["consultation_id"], []).append(u)
    for person in rng.sample(pool, len(pool)):
        if len(planted) == count:
            break
        if person["merged_into_id"] or len(person["birth_name"]) < 5:
            continue
        twin = _variant(rng, person, len(planted) % 5)
        if twin is None or not same_person_likely(_ns(person), _ns(twin)):
            continue
        twin["author"] = rng.choice([s for s in staff if s != person["author"]])
        twin["device"] = f"dev-{twin['author']}"
        twin["server_version"] = rows.next_version()
        rows.tables[Beneficiary].append(twin)
        planted.add(frozenset((person["id"], twin["id"])))
        for c in visits.get(person["id"], [])[1::2]:  # seen since under the second record
            c["beneficiary_id"] = twin["id"]
            for u in follow_ups.get(c["id"], []):
                u["beneficiary_id"] = twin["id"]
    return planted


def _ns(row: dict[str, Any]) -> Any:
    return SimpleNamespace(**row)


def _heavy_person(
    rng: random.Random,
    rows: _Rows,
    stops: list[dict[str, Any]],
    person: dict[str, Any],
    sizes: Sizes,
) -> str:
    """A woman seen ``heavy_visits`` times over the year, both services: the access export."""
    person.update(sex="F", deleted=False, merged_into_id=None)
    held = [s for s in stops if not s["deleted"] and s["services"] == "both"]
    for n, stop in enumerate(rng.sample(held, min(sizes.heavy_visits, len(held)))):
        day = stop["stop_date"]
        if n % 4 == 3:
            rows.add(
                PmiConsultation, NURSES[0], day, beneficiary_id=person["id"], stop_id=stop["id"],
                consultation_date=day, duration_minutes=30, known_before=True, status="signed",
                signed_at=_moment(day, 12), kind="", vaccinations=[], development=[],
                advice_topics=[], note="",
            )  # fmt: skip
            continue
        c = rows.add(
            SocialConsultation, SOCIAL_WORKERS[n % 3], day, beneficiary_id=person["id"],
            stop_id=stop["id"], consultation_date=day, duration_minutes=45, known_before=n > 0,
            status="signed", signed_at=_moment(day, 12), arrival_mode="previous_visit",
            demand_types=["housing", "energy"], actions=["file_preparation"], outcome="oriented",
            note="Demande FSL énergie : dossier complété, envoi par la personne.",
        )  # fmt: skip
        rows.add(
            SocialOrientation, c["author"], day, consultation_id=c["id"], partner_code="adil",
            orientation_date=day,
        )  # fmt: skip
        if n % 5 == 0:
            rows.add(
                FollowUp, c["author"], day, beneficiary_id=person["id"], consultation_id=c["id"],
                demand_type="energy", opened_on=day, due_on=day + dt.timedelta(days=14),
                closed_on=day + dt.timedelta(days=9), outcome="resolved", note="",
            )  # fmt: skip
    return str(person["id"])
