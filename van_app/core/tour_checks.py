"""What the tour planning accepts: the forms' values, their checks, clashes between stops.

Each check returns ``{field: French message}`` with the form's field names, as the rest of
``van_app.core.validation`` does, so a dialog puts each message under its field; the planning
core refuses the whole record when the dict is not empty. A stop's own rules (commune, hours,
place, services) are ``validate_tour_stop``'s; this module adds what only planning knows:
dates to come, repeating rules, and the van not being in two places at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from van_app.core.measures import format_date
from van_app.core.models import (
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    TourPattern,
    TourStop,
)
from van_app.core.reference import ReferenceData
from van_app.core.tour_calendar import (
    WEEKDAYS,
    WEEKS_OF_MONTH,
    add_months,
    french_long_date,
    hours_range_text,
    is_occurrence,
    occurrences,
    public_holiday,
)
from van_app.core.validation import validate_tour_stop

__all__ = [
    "MAX_MONTHS_AHEAD",
    "STOP_FIELDS",
    "PatternInput",
    "RuleSnapshot",
    "StopInput",
    "TourAccessError",
    "TourNotFoundError",
    "active_stop_ids",
    "clash_errors",
    "is_plain_stop",
    "validate_pattern_input",
    "validate_stop_input",
]

STOP_FIELDS = ("commune_insee", "start_time", "end_time", "place", "services")
MAX_MONTHS_AHEAD = 24  # a one-off stop or a tour's start further ahead is a typing error
_MAX_CLASHES_SHOWN = 3


class TourAccessError(PermissionError):
    """Refused because of who asks or because the stop is history; ``str()`` is French."""


class TourNotFoundError(LookupError):
    """The stop or the repeating tour does not exist (or was cancelled) on this device."""


@dataclass
class StopInput:
    """The stop form's values; ``stop_id`` set when changing an existing stop."""

    commune_insee: str = ""
    stop_date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: str = ""
    services: str = "both"
    stop_id: str | None = None
    pattern_id: str | None = None  # read only: the repeating tour the stop belongs to


@dataclass
class PatternInput:
    """The repeating tour form's values; ``pattern_id`` set when changing an existing one."""

    commune_insee: str = ""
    weekday: int | None = None
    week_of_month: int | None = None
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: str = ""
    services: str = "both"
    pattern_id: str | None = None
    skipped_dates: tuple[str, ...] = ()  # read only: dates cancelled or moved


@dataclass(frozen=True)
class RuleSnapshot:
    """A pattern's values before a change, to tell its plain stops from its exceptions."""

    commune_insee: str
    weekday: int
    week_of_month: int
    first_date: dt.date
    last_date: dt.date | None
    start_time: dt.time
    end_time: dt.time
    place: str
    services: str
    skipped_dates: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, p: TourPattern) -> RuleSnapshot:
        return cls(
            p.commune_insee,
            p.weekday,
            p.week_of_month,
            p.first_date,
            p.last_date,
            p.start_time,
            p.end_time,
            p.place,
            p.services,
            tuple(p.skipped_dates or ()),
        )


def is_plain_stop(stop: TourStop, rule: RuleSnapshot) -> bool:
    """Whether the stop is exactly what ``rule`` generates (not edited or moved on its own)."""
    return is_occurrence(rule, stop.stop_date) and all(  # type: ignore[arg-type]
        getattr(stop, name) == getattr(rule, name) for name in STOP_FIELDS
    )


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _commune_error(ref: ReferenceData, code: str | None) -> str | None:
    if not code or not code.strip():
        return "Choisissez la commune dans la liste."
    if code not in ref.communes:
        return (
            f"Commune inconnue : « {code} » n'est pas une commune de la Drôme. "
            "Choisissez-la dans la liste."
        )
    return None


def _stop_rules(
    ref: ReferenceData,
    commune: str,
    day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
    place: str,
    services: str,
) -> dict[str, str]:
    """The shared rules of a stop (hours, place, services) through ``validate_tour_stop``."""
    candidate = TourStop(
        commune_insee=commune,
        stop_date=day,  # type: ignore[arg-type]
        start_time=start,  # type: ignore[arg-type]
        end_time=end,  # type: ignore[arg-type]
        place=place or "",
        services=services,
        cms_code="-",  # the CMS is the user's, never typed
        author="",
        device="",
    )
    errors = validate_tour_stop(candidate, ref)
    errors.pop("commune_insee", None)  # said in the planning's own words below
    message = _commune_error(ref, commune)
    if message:
        errors["commune_insee"] = message
    return errors


def validate_stop_input(form: StopInput, ref: ReferenceData, today: dt.date) -> dict[str, str]:
    """A one-off stop, or one date of a repeating tour, as the supervisor plans it."""
    errors = _stop_rules(
        ref,
        form.commune_insee,
        form.stop_date,
        form.start_time,
        form.end_time,
        form.place,
        form.services,
    )
    if "stop_date" not in errors and _is_date(form.stop_date):
        assert form.stop_date is not None
        if form.stop_date < today:
            errors["stop_date"] = (
                "Cette date est passée : choisissez aujourd'hui ou une date à venir."
            )
        elif form.stop_date > add_months(today, MAX_MONTHS_AHEAD):
            errors["stop_date"] = (
                f"Date trop lointaine : le planning porte sur les {MAX_MONTHS_AHEAD} "
                "prochains mois au plus."
            )
        elif holiday := public_holiday(form.stop_date):
            errors["stop_date"] = (
                f"Le {format_date(form.stop_date)} est un jour férié ({holiday}) : "
                "choisissez un autre jour."
            )
    return errors


def validate_pattern_input(
    form: PatternInput, ref: ReferenceData, today: dt.date, *, is_new: bool
) -> dict[str, str]:
    """A repeating tour: its rule, its span, and the stops' shared values."""
    errors = _stop_rules(
        ref,
        form.commune_insee,
        form.first_date,
        form.start_time,
        form.end_time,
        form.place,
        form.services,
    )
    if "stop_date" in errors:
        errors["first_date"] = "Indiquez la date de début de la tournée."
    errors.pop("stop_date", None)
    if not isinstance(form.weekday, int) or not 0 <= form.weekday < len(WEEKDAYS):
        errors["weekday"] = "Choisissez le jour de la semaine."
    if form.week_of_month not in WEEKS_OF_MONTH:
        errors["week_of_month"] = "Choisissez la semaine du mois : 1er, 2e, 3e, 4e ou dernier."
    first, last = form.first_date, form.last_date
    if _is_date(first):
        assert first is not None
        if is_new and first < today:
            errors["first_date"] = (
                "Une nouvelle tournée ne peut pas commencer dans le passé : choisissez "
                "aujourd'hui ou une date à venir."
            )
        elif first > add_months(today, MAX_MONTHS_AHEAD):
            errors["first_date"] = (
                f"Date trop lointaine : le planning porte sur les {MAX_MONTHS_AHEAD} "
                "prochains mois au plus."
            )
    if last is not None:
        if not _is_date(last):
            errors["last_date"] = "Date invalide."
        elif _is_date(first) and last < first:  # type: ignore[operator]
            errors["last_date"] = "La date de fin doit être postérieure à la date de début."
        elif last < today:
            errors["last_date"] = "La date de fin est passée : choisissez une date à venir."
    if not errors and last is not None:
        start = max(today, first)  # type: ignore[type-var]
        if not occurrences(form, start, last):  # type: ignore[arg-type]
            errors["last_date"] = (
                f"Aucun passage n'a lieu entre le {format_date(start)} et le "
                f"{format_date(last)} : allongez la période ou changez le jour."
            )
    return errors


def active_stop_ids(session: Session, stop_ids: Iterable[str]) -> set[str]:
    """The stops where someone was received (a consultation or a satisfaction answer)."""
    ids = sorted(set(stop_ids))
    found: set[str] = set()
    if not ids:
        return found
    for model in (SocialConsultation, PmiConsultation, SatisfactionAnswer):
        for chunk in range(0, len(ids), 500):  # SQLite caps the parameters of one query
            rows = session.exec(
                select(model.stop_id)
                .where(col(model.stop_id).in_(ids[chunk : chunk + 500]))
                .where(col(model.deleted).is_(False))
            ).all()
            found.update(r for r in rows if r)
    return found


def clash_errors(
    session: Session,
    ref: ReferenceData,
    cms_code: str,
    slots: Sequence[tuple[dt.date, dt.time, dt.time]],
    *,
    exclude_ids: Iterable[str],
    key: str,
) -> dict[str, str]:
    """``{key: message}`` when the van is already planned elsewhere at one of ``slots``."""
    if not slots:
        return {}
    excluded = set(exclude_ids)
    days = {day for day, _, _ in slots}
    others = session.exec(
        select(TourStop)
        .where(TourStop.cms_code == cms_code)
        .where(col(TourStop.deleted).is_(False))
        .where(TourStop.stop_date >= min(days), TourStop.stop_date <= max(days))
        .order_by(TourStop.stop_date, TourStop.start_time)
    ).all()
    clashes: list[TourStop] = []
    for other in others:
        if other.id in excluded or other.stop_date not in days:
            continue
        for day, start, end in slots:
            if day == other.stop_date and start < other.end_time and other.start_time < end:
                clashes.append(other)
                break
    if not clashes:
        return {}

    def where(stop: TourStop) -> str:
        commune = ref.label("communes", stop.commune_insee)
        return f"{commune}, {hours_range_text(stop.start_time, stop.end_time)}"

    if len(slots) == 1:
        return {
            key: f"Le camion est déjà prévu ce jour-là à ces heures ({where(clashes[0])}) : "
            "changez la date ou les heures."
        }
    shown = "; ".join(
        f"{french_long_date(s.stop_date)} ({where(s)})" for s in clashes[:_MAX_CLASHES_SHOWN]
    )
    more = len(clashes) - _MAX_CLASHES_SHOWN
    if more > 0:
        shown += f" et {more} autre{'s' if more > 1 else ''}"
    return {
        key: f"Le camion est déjà prévu ailleurs à ces heures le {shown} : changez le jour, "
        "les heures, ou annulez d'abord ces arrêts."
    }
