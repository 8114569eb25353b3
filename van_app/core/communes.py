"""Communes of the Drôme and their town-hall opening hours, read from the reference CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from van_app.core.french import time_text

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "codes_postaux",
    "population_municipale",
    "epci",
    "latitude",
    "longitude",
    "mairie_adresse",
    "mairie_telephone",
    "mairie_email",
    "mairie_horaires",
)


class ReferenceDataError(ValueError):
    """A reference file is missing or malformed; the message names the file."""

    def __init__(self, filename: str, problem: str) -> None:
        super().__init__(f"Fichier de référence « {filename} » invalide : {problem}")
        self.filename = filename
        self.problem = problem


@dataclass(frozen=True)
class OpeningPeriod:
    """Town-hall opening: the same slots on every day from ``first_day`` to ``last_day``."""

    first_day: str
    last_day: str
    slots: tuple[tuple[dt.time, dt.time], ...]


@dataclass(frozen=True)
class Commune:
    """A commune of the Drôme with its town hall, which announces the van's visits."""

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    population: int
    epci: str
    latitude: float
    longitude: float
    town_hall_address: str
    town_hall_phone: str | None
    town_hall_email: str | None
    opening_hours: tuple[OpeningPeriod, ...]
    opening_hours_text: str


def _read_communes(path: Path) -> dict[str, Commune]:
    filename = path.name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _COMMUNE_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ReferenceDataError(filename, f"colonnes manquantes : {', '.join(missing)}.")
            communes: dict[str, Commune] = {}
            for row in reader:
                commune = _parse_commune(row, filename, reader.line_num)
                if commune.insee in communes:
                    raise ReferenceDataError(
                        filename, f"le code INSEE {commune.insee} apparaît deux fois."
                    )
                communes[commune.insee] = commune
    except FileNotFoundError:
        raise ReferenceDataError(filename, "fichier introuvable.") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceDataError(filename, f"lecture impossible ({exc}).") from exc
    if not communes:
        raise ReferenceDataError(filename, "aucune commune.")
    return communes


def _parse_commune(row: dict[str, str], filename: str, line: int) -> Commune:
    where = f"ligne {line}"
    insee = (row["code_insee"] or "").strip()
    if not re.fullmatch(r"\d[\dAB]\d{3}", insee):
        raise ReferenceDataError(filename, f"{where} : code INSEE {insee!r} invalide.")
    name = (row["nom"] or "").strip()
    if not name:
        raise ReferenceDataError(filename, f"{where} : nom de commune manquant.")
    try:
        population = int(row["population_municipale"] or 0)
        latitude = float(row["latitude"])
        longitude = float(row["longitude"])
    except (TypeError, ValueError):
        raise ReferenceDataError(
            filename, f"{where} : population, latitude ou longitude illisible."
        ) from None
    try:
        hours = parse_opening_hours(row["mairie_horaires"] or "")
    except ValueError as exc:
        raise ReferenceDataError(
            filename, f"{where} : horaires de mairie illisibles ({exc})."
        ) from exc
    return Commune(
        insee=insee,
        name=name,
        postal_codes=tuple((row["codes_postaux"] or "").split()),
        population=population,
        epci=(row["epci"] or "").strip(),
        latitude=latitude,
        longitude=longitude,
        town_hall_address=(row["mairie_adresse"] or "").strip(),
        town_hall_phone=(row["mairie_telephone"] or "").strip() or None,
        town_hall_email=(row["mairie_email"] or "").strip() or None,
        opening_hours=hours,
        opening_hours_text=opening_hours_text(hours),
    )


# -- opening hours ---------------------------------------------------------------------------


def parse_opening_hours(raw: str) -> tuple[OpeningPeriod, ...]:
    """Parse ``[[first_day, last_day, [[open, close], ...]], ...]``; empty text gives ()."""
    if not raw.strip():
        return ()
    data = json.loads(raw)
    if not isinstance(data, list):
        raise ValueError("liste attendue")
    periods: list[OpeningPeriod] = []
    for entry in data:
        if not isinstance(entry, list) or len(entry) != 3:
            raise ValueError(f"période {entry!r} mal formée")
        first, last, slots = entry
        if first not in _WEEKDAYS or last not in _WEEKDAYS:
            raise ValueError(f"jour inconnu dans {entry!r}")
        if _WEEKDAYS.index(last) < _WEEKDAYS.index(first):
            raise ValueError(f"jours dans le désordre dans {entry!r}")
        parsed: list[tuple[dt.time, dt.time]] = []
        for slot in slots:
            if not isinstance(slot, list) or len(slot) != 2:
                raise ValueError(f"créneau {slot!r} mal formé")
            opens, closes = dt.time.fromisoformat(slot[0]), dt.time.fromisoformat(slot[1])
            if closes <= opens:
                raise ValueError(f"créneau {slot!r} : fermeture avant ouverture")
            parsed.append((opens, closes))
        periods.append(OpeningPeriod(first, last, tuple(parsed)))
    return tuple(periods)


def format_hours(value: dt.time) -> str:
    """An hour as the whole app writes it: 9:00 -> "9 h 00", 9:30 -> "9 h 30"."""
    return time_text(value)


def _days_text(first: str, last: str) -> str:
    if first == last:
        return f"Le {first}"
    if _WEEKDAYS.index(last) - _WEEKDAYS.index(first) == 1:
        return f"Le {first} et le {last}"
    return f"Du {first} au {last}"


def opening_hours_text(periods: tuple[OpeningPeriod, ...]) -> str:
    """French text, one line per period: "Du lundi au jeudi, de 8 h 30 à 12 h et de 13 h à 17 h."

    Town-hall hours are read aloud on the phone and printed on posters, so they read as prose.
    """
    if not periods:
        return "Horaires non renseignés."
    lines = []
    for period in periods:
        slots = [f"de {format_hours(a)} à {format_hours(b)}" for a, b in period.slots]
        if not slots:
            lines.append(f"{_days_text(period.first_day, period.last_day)} : fermé.")
            continue
        joined = slots[0] if len(slots) == 1 else ", ".join(slots[:-1]) + " et " + slots[-1]
        lines.append(f"{_days_text(period.first_day, period.last_day)}, {joined}.")
    return "\n".join(lines)
