"""Anonymised statistics for the Département: counts only, by month, with statistical secrecy.

No name, birth date, identifier, free text or day ever leaves here: dates become months
("2026-10"), people become counts, and every count is protected before it reaches a writer.

Every count goes through ``statistical_secret`` ("< 11" for 1 to 10, 0 shown, secondary
suppression "s" so that no hidden cell can be recovered from a total known elsewhere).
A merged duplicate counts as the person it was merged into (``coalesce(merged_into_id, id)``).
Only the classes the exporter may read are queried: a supervisor's export has no PMI measure
nor PMI orientation, a PMI nurse's has no demand type, social orientation or follow-up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf
from van_app.core.indicators.counted import (
    CountedRecords,
    answered,
    good_or_excellent,
    period_records,
)
from van_app.core.indicators.french import DELAY_BUCKETS, delay_bucket
from van_app.core.measures import age_in_months
from van_app.core.models import (
    Beneficiary,
    SatisfactionAnswer,
)
from van_app.core.reference import ReferenceData
from van_app.core.reports.attendance_secret import OFF_TOUR as OFF_TOUR_KEY
from van_app.core.reports.attendance_secret import UNKNOWN_STOP as UNKNOWN_STOP_KEY
from van_app.core.reports.attendance_secret import attendance_secret
from van_app.core.reports.safe_write import atomic_write
from van_app.core.reports.statistical_secret import (
    ALL,
    PRIMARY_MARK,
    SECONDARY_MARK,
    Shown,
    StatTable,
    check_export_period,
    grid_table,
    long_table,
    month_grid_table,
    suppressed_count,
)
from van_app.core.satisfaction import QUESTIONS

__all__ = [
    "AnonymisedMeta",
    "StatTable",
    "anonymised_tables",
    "omitted_note",
    "suppressed_count",
    "write_anonymised_csv",
    "write_anonymised_xlsx",
]

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0–2 ans", 0, 2),
    ("3–5 ans", 3, 5),
    ("6–17 ans", 6, 17),
    ("18–29 ans", 18, 29),
    ("30–44 ans", 30, 44),
    ("45–59 ans", 45, 59),
    ("60–74 ans", 60, 74),
    ("75 ans et plus", 75, 200),
)
SEX_COLUMNS = (("F", "Femmes"), ("M", "Hommes"), ("I", "Sexe indéterminé"))
SERVICE_LABELS = {"social": "Accueil social", "pmi": "PMI"}
QUESTION_LABELS = {
    "service_rendered": "Le service rendu",
    "reception": "Les conditions d'accueil",
    "waiting_time": "Le temps d'attente",
}
OFF_TOUR = "Hors tournée"
UNKNOWN_STOP = "Arrêt absent de ce poste"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(frozen=True)
class AnonymisedMeta:
    """What the "Méthode" sheet says about the export as a whole."""

    start: dt.date
    end: dt.date
    produced_on: dt.date
    cms_code: str = ""
    readable: frozenset[Conf] = field(default_factory=frozenset)


# -- reading ---------------------------------------------------------------------------------


def month_of(day: dt.date) -> str:
    """ "2026-10": the only form a date takes in these statistics."""
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: dt.date, end: dt.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def french_day(day: dt.date) -> str:
    """ "1er octobre 2026": a period boundary in words, never a numeric date."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]} {day.year}"


def _person_resolver(session: Session) -> tuple[Callable[[str], str], dict[str, Any]]:
    """Maps a beneficiary id to the person it is (following merges), and the people by id."""
    people = {  # plain rows, not ORM objects: the whole register is read
        p.id: p
        for p in session.exec(
            select(
                Beneficiary.id,
                Beneficiary.merged_into_id,
                Beneficiary.deleted,
                Beneficiary.sex,
                Beneficiary.birth_date,
            )
        ).all()
    }

    def root(person_id: str) -> str:
        """As ``merge_people.resolve_person``: a missing or deleted target stops the walk, a
        cycle (two devices merging both ways) ends on its smallest id."""
        path, current = [person_id], person_id
        while True:
            record = people.get(current)
            target = record.merged_into_id if record is not None else None
            if not target or target not in people or people[target].deleted:
                return current
            if target in path:
                return min(path[path.index(target) :])
            path.append(target)
            current = target

    return root, people


def _age_band(birth: dt.date, on: dt.date) -> str:
    years = age_in_months(birth, on) // 12 if on >= birth else 0
    return next(label for label, low, high in AGE_BANDS if low <= years <= high)


def omitted_note(readable: Iterable[Conf | str]) -> str:
    """What this exporter's role leaves out, in French ("" when nothing is left out)."""
    classes = {Conf(c) for c in readable}
    notes = []
    if Conf.SOCIAL not in classes:
        notes.append(
            "Les types de demande, les orientations sociales et les suivis (secret social) "
            "sont exportés par le·la responsable du CMS ou un·e assistant·e socio-éducatif·ve."
        )
    if Conf.MEDICAL not in classes:
        notes.append(
            "Les informations médicales de PMI (orientations décidées en consultation PMI) "
            "sont exportées par un professionnel de PMI."
        )
    return " ".join(notes)


def anonymised_tables(
    session: Session,
    start: dt.date,
    end: dt.date,
    ref: ReferenceData,
    readable_classes: Iterable[Conf | str],
) -> list[StatTable]:
    """Every protected table of the period ``start``..``end`` (inclusive) this role may build.

    Only a whole month, quarter or year (``PeriodError`` otherwise): see docs/statistics.md.
    """
    check_export_period(start, end)
    classes = {Conf(c) for c in readable_classes}
    # What counts is defined once, in the indicators (drafts out, people once after merges,
    # first contacts, orientations, resolved demands): the bilan and this export agree.
    records = period_records(session, start, end, ref, classes)
    _root, people = _person_resolver(session)
    visits = [(v.service, v.person, v.day, v.stop_id, False) for v in records.counted]

    tables = [
        _attendance(session, start, end, ref),
        *_people_tables(visits, people, start, end, records.new_people),
    ]
    if Conf.SOCIAL in classes:
        tables.append(_demand_types(records, ref))
    tables.append(_orientations(records, ref, classes))
    tables.append(_satisfaction(session, start, end))
    if Conf.SOCIAL in classes:
        tables.append(_resolution_delays(records, start, end))
    return tables


def _attendance(session: Session, start: dt.date, end: dt.date, ref: ReferenceData) -> StatTable:
    """Per month, commune and service, read from the protection the bilan shares."""
    secret = attendance_secret(session, start, end)
    rows: list[tuple[Shown, ...]] = []
    primary = secondary = 0
    for month in sorted(secret.consultations):
        places = {k[0] for k in secret.consultations[month].shown if k[0] != ALL}
        for insee in sorted(places, key=lambda c: (c in (OFF_TOUR_KEY, UNKNOWN_STOP_KEY), c)):
            place = (
                OFF_TOUR
                if insee == OFF_TOUR_KEY
                else UNKNOWN_STOP
                if insee == UNKNOWN_STOP_KEY
                else ref.label("communes", insee)
            )
            for service, label in SERVICE_LABELS.items():
                key = (insee, ALL, service)
                shown = [getattr(secret, m)[month].shown[key] for m in ("consultations", "people")]
                if shown == [0, 0]:
                    continue
                rows.append((month, place, label, *shown))
                for measure in ("consultations", "people"):
                    protection = getattr(secret, measure)[month]
                    primary += key in protection.primary
                    secondary += key in protection.hidden and key not in protection.primary
    return StatTable(
        "frequentation",
        "Fréquentation par mois, commune et service",
        ("Mois", "Commune de l'arrêt", "Service", "Consultations", "Personnes reçues"),
        tuple(rows),
        "Consultations signées (hors brouillons et suppressions) par mois, commune de l'arrêt "
        "du camion et service. « Personnes reçues » compte chaque personne une fois par "
        f"ligne. « {OFF_TOUR} » : consultation sans arrêt de tournée.",
        primary,
        secondary,
    )


def _people_tables(visits, people, start: dt.date, end: dt.date, new_people) -> list[StatTable]:  # type: ignore[no-untyped-def]
    """Age × sex and new × known, each person counted once a month, at their first visit of the
    month: a month's figures do not depend on the period exported (docs/statistics.md)."""
    first: dict[tuple[str, str], tuple[dt.date, bool]] = {}  # (person, month) → day, known
    for _service, person, day, _stop, known in sorted(visits, key=lambda v: v[2]):
        seen = first.get((person, month_of(day)))
        if seen is None:
            first[(person, month_of(day))] = (day, known)
        elif seen[0] == day and known:
            first[(person, month_of(day))] = (day, True)  # both services the same day
    ages: dict[tuple[str, str, str], int] = defaultdict(int)
    status: dict[tuple[str, str], int] = defaultdict(int)
    for (person, month), (day, _known) in first.items():
        record = people.get(person)
        if record is not None:
            sex = record.sex if record.sex in dict(SEX_COLUMNS) else "I"
            ages[(month, _age_band(record.birth_date, day), sex)] += 1
    for person in new_people:  # first met by the van that month: her own flag (indicators)
        status[(month_of(person.day), "known" if person.known_before else "new")] += 1
    return [
        month_grid_table(
            "age_sexe",
            "Personnes reçues par mois, tranche d'âge et sexe",
            ("Mois", "Tranche d'âge", *(label for _, label in SEX_COLUMNS)),
            months_between(start, end),
            (label for label, _, _ in AGE_BANDS),
            (code for code, _ in SEX_COLUMNS),
            ages,
            "Chaque personne reçue dans le mois compte une fois (un doublon fusionné compte "
            "avec la personne retenue), selon son âge en années révolues à sa première "
            "consultation du mois.",
        ),
        grid_table(
            "connues_nouvelles",
            "Personnes rencontrées pour la première fois : nouvelles ou déjà connues du CMS",
            ("Mois", "Nouvelles pour le CMS", "Déjà connues du CMS"),
            months_between(start, end),
            ("new", "known"),
            status,
            "Personnes rencontrées pour la première fois par le camion dans le mois (première "
            "consultation signée, tous services et doublons fusionnés compris), selon « connue "
            "du CMS avant son premier contact » noté dans son dossier : comptées une seule "
            "fois, au mois de leur premier contact.",
        ),
    ]


def _demand_types(records: CountedRecords, ref: ReferenceData) -> StatTable:
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for visit in records.counted:
        if visit.service != "social":
            continue
        for code in set(visit.demand_types):
            counts[(month_of(visit.day), ref.label("demand_types", code))] += 1
    return long_table(
        "types_demande",
        "Types de demande par mois",
        ("Mois", "Type de demande", "Consultations sociales"),
        {k: (v,) for k, v in counts.items()},
        "Nombre de consultations sociales signées où ce type de demande a été recueilli "
        "(une consultation peut en porter plusieurs : les lignes ne s'additionnent pas).",
    )


def _orientations(records: CountedRecords, ref: ReferenceData, classes: set[Conf]) -> StatTable:
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for orientation in records.orientations:  # the readable services' only
        service = SERVICE_LABELS[orientation.service]
        partner = ref.label("partners", orientation.partner)
        counts[(month_of(orientation.day), partner, service)] += 1
    return long_table(
        "orientations",
        "Orientations par partenaire et par mois",
        ("Mois", "Partenaire", "Service", "Orientations"),
        {k: (v,) for k, v in counts.items()},
        _orientation_definition(classes),
    )


def _orientation_definition(classes: set[Conf]) -> str:
    text = (
        "Orientations vers un partenaire, non supprimées, des consultations signées, au mois "
        "de la consultation où elles ont été décidées."
    )
    if Conf.SOCIAL not in classes:
        text += (
            " Les orientations sociales (secret social) sont exportées par le·la responsable "
            "du CMS ou un·e assistant·e socio-éducatif·ve."
        )
    if Conf.MEDICAL not in classes:
        text += (
            " Les orientations décidées en consultation PMI (information médicale) sont "
            "exportées par un professionnel de PMI."
        )
    return text


def _satisfaction(session: Session, start: dt.date, end: dt.date) -> StatTable:
    answers: dict[tuple[str, ...], int] = defaultdict(int)
    good: dict[tuple[str, ...], int] = defaultdict(int)
    rows = session.exec(
        select(
            SatisfactionAnswer.answered_on,
            SatisfactionAnswer.service,
            *(getattr(SatisfactionAnswer, question) for question in QUESTIONS),
        )
        .where(col(SatisfactionAnswer.deleted).is_(False))
        .where(SatisfactionAnswer.answered_on >= start, SatisfactionAnswer.answered_on <= end)
    ).all()
    for row in rows:
        for question in QUESTIONS:
            key = (
                month_of(row.answered_on),
                SERVICE_LABELS.get(row.service, row.service),
                QUESTION_LABELS[question],
            )
            score = getattr(row, question)
            if answered(score):  # a skipped question is no answer, as on the dashboard
                answers[key] += 1
                good[key] += int(good_or_excellent(score))
    return long_table(
        "satisfaction",
        "Satisfaction par mois, service et question",
        ("Mois", "Service", "Question", "Réponses", "Bien ou excellent"),
        {k: (answers[k], good[k]) for k in answers},
        "Questionnaire anonyme rempli en fin de visite, noté de 1 (mauvais) à 4 (excellent) ; "
        "« Bien ou excellent » compte les notes 3 et 4.",
    )


def _resolution_delays(records: CountedRecords, start: dt.date, end: dt.date) -> StatTable:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    labels = {code: label for code, label, _, _ in DELAY_BUCKETS}
    for demand in records.resolved:
        counts[(month_of(demand.day), labels[delay_bucket(demand.days)])] += 1
    return grid_table(
        "delais_resolution",
        "Demandes résolues par délai de résolution",
        ("Mois", *labels.values()),
        months_between(start, end),
        labels.values(),
        counts,
        "Demandes résolues dans le mois : réglées sur place lors d'une consultation signée "
        "(le jour même) et suivis clos avec l'issue « Résolu », selon le nombre de jours entre "
        "leur ouverture et leur clôture. Les suivis partiellement résolus n'y sont pas.",
    )


# -- writers ---------------------------------------------------------------------------------


def method_lines(tables: list[StatTable], meta: AnonymisedMeta) -> list[tuple[str, str]]:
    """The "Méthode" sheet as (heading, text) pairs, in French."""
    first, last = month_of(meta.start), month_of(meta.end)
    lines = [
        ("Source", "Drôme Proximité, service médico-social itinérant du Département de la Drôme."),
        (
            "Période",
            f"Du {french_day(meta.start)} au {french_day(meta.end)} (mois {first} à {last}). "
            "Seuls des mois, trimestres ou années civiles entiers sont exportés, et chaque "
            "mois est présenté et protégé seul : un trimestre est exactement ses trois mois.",
        ),
        ("Produit le", french_day(meta.produced_on)),
        ("CMS", meta.cms_code or "non précisé"),
        (
            "Anonymisation",
            "Aucun nom, aucune date de naissance, aucun identifiant, aucun texte libre. Les "
            "dates sont ramenées au mois (AAAA-MM). Un doublon fusionné compte avec la "
            "personne retenue.",
        ),
        (
            "Secret statistique",
            f"Toute case comptant de 1 à 10 est remplacée par « {PRIMARY_MARK} ». Les cases à "
            "0 restent affichées : elles ne désignent personne.",
        ),
        (
            "Secret secondaire",
            "Aucun total n'est imprimé. Comme tout total d'un mois (par commune, par service, "
            "du mois) peut être connu par ailleurs (autre export, bilan d'activité), d'autres "
            f"cases sont masquées, notées « {SECONDARY_MARK} », jusqu'à ce qu'aucune case "
            "masquée ne puisse être retrouvée à partir des cases affichées et de tous ces "
            f"totaux, zéros compris. Une case à 0 masquée est notée « {PRIMARY_MARK} », ce "
            "qui reste exact. Ne recalculez pas de totaux à partir des cases affichées : ils "
            "seraient faux.",
        ),
        (
            "Cases masquées",
            f"{sum(t.suppressed for t in tables)} dans l'ensemble des tableaux, dont "
            f"{sum(t.secondary for t in tables)} au titre du secret secondaire.",
        ),
    ]
    note = omitted_note(meta.readable) if meta.readable else ""
    if note:
        lines.append(("Non inclus", note))
    lines += [(table.title, table.definition) for table in tables]
    return lines


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


SHEET_NAMES = {
    "frequentation": "Fréquentation",
    "age_sexe": "Âge et sexe",
    "connues_nouvelles": "Nouvelles ou connues",
    "types_demande": "Types de demande",
    "orientations": "Orientations",
    "satisfaction": "Satisfaction",
    "delais_resolution": "Délais de résolution",
}


def write_anonymised_xlsx(path: Path, tables: list[StatTable], meta: AnonymisedMeta) -> None:
    """One sheet per table after a "Méthode" sheet; counts as numbers, hidden cells as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    method = book.active
    method.title = "Méthode"
    method.append(["Statistiques anonymisées — Drôme Proximité"])
    method["A1"].font = Font(bold=True, size=14)
    method.append([])
    for heading, text in method_lines(tables, meta):
        method.append([heading, text])
        method.cell(method.max_row, 1).font = Font(bold=True)
        method.cell(method.max_row, 1).alignment = Alignment(vertical="top", wrap_text=True)
        method.cell(method.max_row, 2).alignment = Alignment(vertical="top", wrap_text=True)
    method.column_dimensions["A"].width = 34
    method.column_dimensions["B"].width = 110
    used = {"Méthode"}
    for table in tables:
        sheet = book.create_sheet(_sheet_name(SHEET_NAMES.get(table.key, table.title), used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([table.definition])
        sheet.append([])
        sheet.append(list(table.headers))
        for cell in sheet[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, int) or cell.value in (PRIMARY_MARK, SECONDARY_MARK):
                    cell.alignment = Alignment(horizontal="right")
        if not table.rows:
            sheet.append(["Aucune donnée sur la période."])
        sheet.freeze_panes = "A5"
        for index, header in enumerate(table.headers):
            widest = max([len(str(r[index])) for r in table.rows] + [len(header), 8])
            sheet.column_dimensions[chr(ord("A") + index)].width = min(widest + 2, 48)
    atomic_write(path, book.save)


def _csv_text(headers: Iterable[str], rows: Iterable[Iterable[Shown]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(headers))
    writer.writerows([list(row) for row in rows])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the accents


def write_anonymised_csv(path: Path, tables: list[StatTable], meta: AnonymisedMeta) -> None:
    """A zip of one CSV per table (";"-separated, UTF-8) and methode.csv."""

    def write(target: Path) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "00_methode.csv", _csv_text(("Rubrique", "Texte"), method_lines(tables, meta))
            )
            for number, table in enumerate(tables, start=1):
                archive.writestr(
                    f"{number:02d}_{table.key}.csv", _csv_text(table.headers, table.rows)
                )

    atomic_write(path, write)
