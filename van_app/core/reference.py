"""Reference lists (demand types, partners, PMI topics, vaccines, communes…) read at run time.

They are data files under ``drome_resources/reference`` so the Département can change them without a
new release. Records store the stable ``code`` of an item, never its label: a label can be
reworded in the file and every screen follows. A malformed file stops loading with a message
naming the file, because silently dropping an item would later refuse valid records.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from van_app.core.communes import (
    Commune,
    OpeningPeriod,
    ReferenceDataError,
    _read_communes,
    opening_hours_text,
    parse_opening_hours,
)
from van_app.core.data_protection import CMS_FILE, DataProtection, parse_data_protection
from van_app.core.text import fold

__all__ = [
    "AVERAGE_DAYS_PER_MONTH",
    "CODE_MAX_LENGTH",
    "COMMUNES_FILE",
    "CONSULTATION_KINDS",
    "LIST_NAMES",
    "MEASURES_FILE",
    "SERVICES",
    "Commune",
    "MeasureBand",
    "OpeningPeriod",
    "PrenatalLimits",
    "ReferenceData",
    "ReferenceDataError",
    "ReferenceItem",
    "is_mandatory_dose",
    "opening_hours_text",
    "parse_opening_hours",
    "reference",
    "vaccine_applies",
]

LIST_NAMES: tuple[str, ...] = (
    "demand_types",
    "actions",
    "partners",
    "outcomes",
    "follow_up_outcomes",
    "arrival_modes",
    "pmi_advice_topics",
    "feeding_modes",
    "development_milestones",
    "vaccines",
)
"""The code/label lists; each is read from ``<name>.json``."""

COMMUNES_FILE = "communes_drome.csv"
MEASURES_FILE = "plausible_measures.json"
SERVICES = frozenset({"social", "pmi"})
CONSULTATION_KINDS = frozenset({"child", "prenatal"})
CODE_MAX_LENGTH = 32  # the width of the code columns in the models
AVERAGE_DAYS_PER_MONTH = 365.25 / 12

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ReferenceItem:
    """One entry of a list: its stored code, its French label, and any extra keys of the file."""

    code: str
    label: str
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def get(self, key: str, default: Any = None) -> Any:
        return self.extra.get(key, default)


@dataclass(frozen=True)
class MeasureBand:
    """Plausible child measures for ages up to ``max_age_months`` (since the previous band)."""

    max_age_months: int
    weight_g: tuple[int, int]
    length_mm: tuple[int, int]
    head_circumference_mm: tuple[int, int]


@dataclass(frozen=True)
class PrenatalLimits:
    """Plausible values for a pregnancy follow-up (weights in grams, pressures in mmHg)."""

    maternal_weight_g: tuple[int, int]
    blood_pressure_systolic_mmhg: tuple[int, int]
    blood_pressure_diastolic_mmhg: tuple[int, int]
    gestational_age_weeks: tuple[int, int]


@dataclass(frozen=True)
class ReferenceData:
    """Every reference list, as loaded from one directory. Lists keep the file's order."""

    demand_types: tuple[ReferenceItem, ...]
    actions: tuple[ReferenceItem, ...]
    partners: tuple[ReferenceItem, ...]
    outcomes: tuple[ReferenceItem, ...]
    follow_up_outcomes: tuple[ReferenceItem, ...]
    arrival_modes: tuple[ReferenceItem, ...]
    pmi_advice_topics: tuple[ReferenceItem, ...]
    feeding_modes: tuple[ReferenceItem, ...]
    development_milestones: tuple[ReferenceItem, ...]
    vaccines: tuple[ReferenceItem, ...]
    plausible_measures: tuple[MeasureBand, ...]
    prenatal_limits: PrenatalLimits
    communes: Mapping[str, Commune]
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The controller, the DPO and the RGPD article 15 texts (``cms.json``, block
    # ``data_protection``); None only for data built by hand without it.
    data_protection: DataProtection | None = field(default=None, hash=False, compare=False)
    _index: Mapping[str, Mapping[str, ReferenceItem]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index = {
            name: MappingProxyType({item.code: item for item in getattr(self, name)})
            for name in LIST_NAMES
        }
        object.__setattr__(self, "_index", MappingProxyType(index))

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path) -> ReferenceData:
        """Read and check every file of ``directory``; raise ReferenceDataError if one is bad."""
        directory = Path(directory)
        lists: dict[str, tuple[ReferenceItem, ...]] = {}
        descriptions: dict[str, str] = {}
        for name in LIST_NAMES:
            filename = f"{name}.json"
            raw = _read_json(directory / filename)
            descriptions[name] = _description(raw, filename)
            lists[name] = _parse_items(name, filename, raw)
        raw_measures = _read_json(directory / MEASURES_FILE)
        descriptions["plausible_measures"] = _description(raw_measures, MEASURES_FILE)
        bands = _parse_bands(raw_measures)
        prenatal = _parse_prenatal(raw_measures)
        communes = _read_communes(directory / COMMUNES_FILE)
        return cls(
            data_protection=parse_data_protection(_read_json(directory / CMS_FILE)),
            plausible_measures=bands,
            prenatal_limits=prenatal,
            communes=MappingProxyType(communes),
            descriptions=MappingProxyType(descriptions),
            **lists,
        )

    # -- look-ups --------------------------------------------------------------------------

    def items(self, list_name: str) -> tuple[ReferenceItem, ...]:
        """The items of a list in file order; KeyError for a list that does not exist."""
        if list_name not in self._index:
            raise KeyError(f"unknown reference list: {list_name!r}")
        return getattr(self, list_name)

    def item(self, list_name: str, code: str | None) -> ReferenceItem | None:
        if list_name not in self._index:
            raise KeyError(f"unknown reference list: {list_name!r}")
        if code is None:
            return None
        return self._index[list_name].get(code)

    def is_known(self, list_name: str, code: str | None) -> bool:
        """Whether ``code`` is in the list (``"communes"`` checks an INSEE code)."""
        if list_name == "communes":
            return code is not None and code in self.communes
        return self.item(list_name, code) is not None

    def label(self, list_name: str, code: str | None) -> str:
        """The French label of ``code``; the code itself when the file no longer has it.

        Falling back to the code keeps records made with a since-removed item readable.
        """
        if code is None:
            return ""
        if list_name == "communes":
            commune = self.communes.get(code)
            return commune.name if commune else code
        item = self.item(list_name, code)
        return item.label if item else code

    def partners_for(self, service: str) -> tuple[ReferenceItem, ...]:
        """The partners that ``service`` ("social" or "pmi") may orient to, in file order."""
        return tuple(p for p in self.partners if service in p.extra.get("services", ()))

    def advice_topics_for(self, kind: str) -> tuple[ReferenceItem, ...]:
        """The PMI advice topics offered for a consultation kind ("child" or "prenatal")."""
        return tuple(t for t in self.pmi_advice_topics if kind in t.extra.get("kinds", ()))

    def measure_band(self, age_days: int) -> MeasureBand | None:
        """The plausibility band for a child of ``age_days``; None past the last band."""
        if age_days < 0:
            return None
        for band in self.plausible_measures:
            if age_days <= band.max_age_months * AVERAGE_DAYS_PER_MONTH:
                return band
        return None

    def vaccine_doses_for(self, birth_date: dt.date) -> tuple[ReferenceItem, ...]:
        """The doses of the calendar that apply to a child born on ``birth_date``."""
        return tuple(v for v in self.vaccines if vaccine_applies(v, birth_date))

    def communes_by_postal_code(self, postal_code: str) -> tuple[Commune, ...]:
        code = postal_code.strip()
        return tuple(c for c in self.communes.values() if code in c.postal_codes)

    def find_communes(self, text: str, limit: int = 20) -> tuple[Commune, ...]:
        """Communes whose name starts with, then contains, ``text`` (accents and case ignored).

        A postal code or an INSEE code is accepted too.
        """
        query = fold(text)
        if not query:
            return ()
        if query.isdigit():
            found = [
                c
                for c in self.communes.values()
                if c.insee.startswith(query) or any(p.startswith(query) for p in c.postal_codes)
            ]
            return tuple(found[:limit])
        starts: list[Commune] = []
        contains: list[Commune] = []
        for commune in self.communes.values():
            name = fold(commune.name)
            if name.startswith(query):
                starts.append(commune)
            elif query in name:
                contains.append(commune)
        return tuple((starts + contains)[:limit])


def vaccine_applies(dose: ReferenceItem, birth_date: dt.date) -> bool:
    """Whether a dose is in the calendar of a child born on ``birth_date``."""
    born_from = dose.extra.get("applies_to_born_from")
    born_until = dose.extra.get("applies_to_born_until")
    if born_from and birth_date < dt.date.fromisoformat(born_from):
        return False
    return not (born_until and birth_date > dt.date.fromisoformat(born_until))


def is_mandatory_dose(dose: ReferenceItem, birth_date: dt.date) -> bool:
    """Whether the law makes this dose mandatory for a child born on ``birth_date``."""
    if not dose.extra.get("mandatory") or not vaccine_applies(dose, birth_date):
        return False
    since = dose.extra.get("mandatory_for_born_from")
    return not (since and birth_date < dt.date.fromisoformat(since))


@lru_cache(maxsize=1)
def reference() -> ReferenceData:
    """The shipped reference data, loaded once (``reference.cache_clear()`` reloads it)."""
    from van_app.config import resources_dir

    return ReferenceData.load(resources_dir() / "reference")


# -- file parsing ----------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError(path.name, "fichier introuvable.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(path.name, f"lecture impossible ({exc}).") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(
            path.name, f"JSON mal formé à la ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})."
        ) from exc


def _description(raw: Any, filename: str) -> str:
    if not isinstance(raw, dict):
        raise ReferenceDataError(filename, 'un objet JSON {"description", "items"} est attendu.')
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ReferenceDataError(filename, "« description » doit être un texte.")
    if not isinstance(raw.get("items"), list):
        raise ReferenceDataError(filename, "« items » doit être une liste.")
    return description


def _parse_items(name: str, filename: str, raw: dict[str, Any]) -> tuple[ReferenceItem, ...]:
    items: list[ReferenceItem] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw["items"], start=1):
        where = f"élément n° {position}"
        if not isinstance(entry, dict):
            raise ReferenceDataError(filename, f"{where} : un objet JSON est attendu.")
        code = entry.get("code")
        label = entry.get("label")
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise ReferenceDataError(
                filename,
                f"{where} : code {code!r} invalide (lettres minuscules, chiffres et « _ », "
                "commençant par une lettre).",
            )
        if len(code) > CODE_MAX_LENGTH:
            raise ReferenceDataError(
                filename, f"code « {code} » trop long ({CODE_MAX_LENGTH} caractères au plus)."
            )
        if code in seen:
            raise ReferenceDataError(filename, f"le code « {code} » apparaît deux fois.")
        if not isinstance(label, str) or not label.strip():
            raise ReferenceDataError(filename, f"code « {code} » : libellé manquant.")
        seen.add(code)
        extra = {k: v for k, v in entry.items() if k not in ("code", "label")}
        _check_extra(name, filename, code, extra)
        items.append(ReferenceItem(code, label.strip(), MappingProxyType(extra)))
    if not items:
        raise ReferenceDataError(filename, "la liste est vide.")
    return tuple(items)


def _check_extra(name: str, filename: str, code: str, extra: dict[str, Any]) -> None:
    """Checks the keys other code relies on, so a typo fails at start-up, not at a visit."""

    def fail(problem: str) -> None:
        raise ReferenceDataError(filename, f"code « {code} » : {problem}")

    def check_set(key: str, allowed: frozenset[str]) -> None:
        value = extra.get(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v in allowed for v in value)
        ):
            fail(f"« {key} » doit être une liste non vide parmi {', '.join(sorted(allowed))}.")

    def check_int(key: str, *, required: bool = True) -> None:
        value = extra.get(key)
        if value is None and not required:
            return
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            fail(f"« {key} » doit être un nombre entier positif.")

    def check_date(key: str) -> None:
        value = extra.get(key)
        if value is None:
            return
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            fail(f"« {key} » doit être une date AAAA-MM-JJ.")

    if name == "partners":
        check_set("services", SERVICES)
    elif name == "pmi_advice_topics":
        check_set("kinds", CONSULTATION_KINDS)
    elif name == "development_milestones":
        check_int("age_months")
        check_int("alert_after_months", required=False)
    elif name == "vaccines":
        check_int("due_age_days")
        check_int("late_after_days")
        check_int("max_age_days", required=False)
        if extra["late_after_days"] < extra["due_age_days"]:
            fail("« late_after_days » doit être postérieur à « due_age_days ».")
        if not isinstance(extra.get("mandatory"), bool):
            fail("« mandatory » doit valoir true ou false.")
        for key in ("mandatory_for_born_from", "applies_to_born_from", "applies_to_born_until"):
            check_date(key)
    elif name in ("outcomes", "follow_up_outcomes"):
        for key in ("resolved", "partial"):
            if not isinstance(extra.get(key, False), bool):
                fail(f"« {key} » doit valoir true ou false.")
        if extra.get("resolved") and extra.get("partial"):
            fail("Une issue partielle (« partial ») ne peut pas compter comme résolue.")


def _int_range(value: Any, filename: str, where: str) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        or value[0] >= value[1]
    ):
        raise ReferenceDataError(
            filename, f"{where} : un intervalle [minimum, maximum] d'entiers est attendu."
        )
    return value[0], value[1]


def _parse_bands(raw: dict[str, Any]) -> tuple[MeasureBand, ...]:
    bands: list[MeasureBand] = []
    previous = -1
    for position, entry in enumerate(raw["items"], start=1):
        where = f"bande n° {position}"
        if not isinstance(entry, dict):
            raise ReferenceDataError(MEASURES_FILE, f"{where} : un objet JSON est attendu.")
        age = entry.get("max_age_months")
        if not isinstance(age, int) or isinstance(age, bool) or age <= previous:
            raise ReferenceDataError(
                MEASURES_FILE,
                f"{where} : « max_age_months » doit être un entier, croissant d'une bande "
                "à l'autre.",
            )
        previous = age
        bands.append(
            MeasureBand(
                max_age_months=age,
                weight_g=_int_range(entry.get("weight_g"), MEASURES_FILE, f"{where}, weight_g"),
                length_mm=_int_range(entry.get("length_mm"), MEASURES_FILE, f"{where}, length_mm"),
                head_circumference_mm=_int_range(
                    entry.get("head_circumference_mm"),
                    MEASURES_FILE,
                    f"{where}, head_circumference_mm",
                ),
            )
        )
    if not bands:
        raise ReferenceDataError(MEASURES_FILE, "aucune bande de valeurs.")
    return tuple(bands)


def _parse_prenatal(raw: dict[str, Any]) -> PrenatalLimits:
    prenatal = raw.get("prenatal")
    if not isinstance(prenatal, dict):
        raise ReferenceDataError(MEASURES_FILE, "l'objet « prenatal » est manquant.")
    keys = (
        "maternal_weight_g",
        "blood_pressure_systolic_mmhg",
        "blood_pressure_diastolic_mmhg",
        "gestational_age_weeks",
    )
    return PrenatalLimits(
        **{key: _int_range(prenatal.get(key), MEASURES_FILE, f"prenatal, {key}") for key in keys}
    )
