"""The supervisor's tour planning: one-off stops, repeating patterns and their dated stops.

A pattern ("2e mardi de chaque mois") generates one TourStop per date over the next twelve
months; those stops are what syncs to the vans and what the Today screen reads. Past stops and
stops where someone was received (a consultation or a satisfaction answer points at them) are
history: no change of plan touches them. A cancelled or moved occurrence leaves its date in the
pattern's ``skipped_dates`` so that regenerating never brings it back; a stop edited on its own
(other hours, another date) is an exception that a later change of the rule leaves alone.
Only the supervisor writes, always through ``store.session()`` so the outbox queues each change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from van_app.core.cms_contacts import CmsContact, cms_contact, load_cms_contacts
from van_app.core.confidentiality import Role
from van_app.core.ids import new_id
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import TourPattern, TourStop
from van_app.core.reference import ReferenceData
from van_app.core.today import SERVICE_LABELS
from van_app.core.tour_calendar import (
    HORIZON_MONTHS,
    add_months,
    occurrences,
    public_holiday,
    rule_text,
)
from van_app.core.tour_checks import (
    STOP_FIELDS,
    PatternInput,
    RuleSnapshot,
    StopInput,
    TourAccessError,
    TourNotFoundError,
    active_stop_ids,
    clash_errors,
    is_plain_stop,
    validate_pattern_input,
    validate_stop_input,
)
from van_app.core.validation import ValidationError, raise_if_errors

__all__ = [
    "CmsContact",
    "PatternInput",
    "PatternSaved",
    "PlannedStop",
    "StopInput",
    "TourAccessError",
    "TourNotFoundError",
    "ValidationError",
    "cancel_stop",
    "cms_contact",
    "count_stops_after",
    "end_pattern",
    "extend_horizon",
    "list_planned_stops",
    "load_cms_contacts",
    "load_pattern",
    "load_stop",
    "occurrences",
    "require_supervisor",
    "save_pattern",
    "save_stop",
    "validate_pattern_input",
    "validate_stop_input",
]


@dataclass(frozen=True)
class PatternSaved:
    """What saving a pattern did to its dated stops (shown to the supervisor)."""

    pattern_id: str
    created: int = 0
    updated: int = 0
    removed: int = 0
    holidays: tuple[dt.date, ...] = ()  # dates of the rule left out: public holidays


@dataclass(frozen=True)
class PlannedStop:
    """One stop as the planning screen lists it."""

    stop_id: str
    stop_date: dt.date
    start_time: dt.time
    end_time: dt.time
    commune_insee: str
    commune_name: str
    place: str
    services: str
    services_label: str
    pattern_id: str | None = None
    rule: str | None = None  # "2e mardi de chaque mois" for a stop of a repeating tour
    exception: bool = False  # a stop of a repeating tour edited or moved on its own
    has_activity: bool = False  # someone was received: the stop is history
    past: bool = False

    @property
    def editable(self) -> bool:
        return not (self.past or self.has_activity)


# -- permissions and look-ups ------------------------------------------------------------------


def require_supervisor(user: CurrentUser) -> None:
    """The plan is the supervisor's: the vans only read it."""
    if Role.SUPERVISOR.value not in user.roles:
        raise TourAccessError("Seul·e le ou la responsable du CMS peut modifier la tournée.")


def _pattern(session: Session, user: CurrentUser, pattern_id: str) -> TourPattern:
    pattern = session.get(TourPattern, pattern_id)
    if pattern is None or pattern.deleted or pattern.cms_code != user.cms_code:
        raise TourNotFoundError("Cette tournée régulière n'existe pas ou a été supprimée.")
    return pattern


def _stop(session: Session, user: CurrentUser, stop_id: str) -> TourStop:
    stop = session.get(TourStop, stop_id)
    if stop is None or stop.deleted or stop.cms_code != user.cms_code:
        raise TourNotFoundError("Cet arrêt n'existe pas ou a été annulé.")
    return stop


def _editable_stop(session: Session, user: CurrentUser, stop_id: str, today: dt.date) -> TourStop:
    """The stop, if the plan may still change it: not past, nobody received there yet."""
    stop = _stop(session, user, stop_id)
    if stop.stop_date < today:
        raise TourAccessError("Cet arrêt est passé : il ne peut plus être modifié ni annulé.")
    if active_stop_ids(session, [stop.id]):
        raise TourAccessError(
            "Des personnes ont déjà été reçues lors de cet arrêt : "
            "il ne peut plus être modifié ni annulé."
        )
    return stop


def _pattern_stops(session: Session, pattern_id: str) -> list[TourStop]:
    return list(
        session.exec(
            select(TourStop)
            .where(TourStop.pattern_id == pattern_id)
            .where(col(TourStop.deleted).is_(False))
            .order_by(TourStop.stop_date)
        ).all()
    )


def _generated_id(session: Session, pattern_id: str, day: dt.date) -> str:
    """The same id for the same occurrence on every device, so two supervisor PCs extending
    the plan offline create one record, not two; a fresh one if that id was cancelled before.
    """
    candidate = str(uuid.uuid5(uuid.NAMESPACE_OID, f"tour_stop:{pattern_id}:{day.isoformat()}"))
    return candidate if session.get(TourStop, candidate) is None else new_id()


def _tombstone(session: Session, store: LocalStore, record: TourStop | TourPattern) -> None:
    record.deleted = True
    session.add(store.stamp(record))


def _skip(session: Session, store: LocalStore, pattern_id: str | None, day: dt.date) -> None:
    """Remember that ``pattern_id`` must not generate ``day`` again."""
    pattern = session.get(TourPattern, pattern_id) if pattern_id else None
    if pattern is None or pattern.deleted or day.isoformat() in (pattern.skipped_dates or []):
        return
    # A new list: JSON columns do not notice changes made in place.
    pattern.skipped_dates = sorted([*(pattern.skipped_dates or []), day.isoformat()])
    session.add(store.stamp(pattern))


# -- patterns ----------------------------------------------------------------------------------


def _regenerate(
    session: Session,
    store: LocalStore,
    pattern: TourPattern,
    old: RuleSnapshot | None,
    today: dt.date,
) -> PatternSaved:
    """Bring the pattern's dated stops from today to the horizon in line with the pattern."""
    dates = (
        [] if pattern.deleted else _generated_dates(pattern, today, pattern.skipped_dates)  # type: ignore[arg-type]
    )
    wanted = {d for d in dates if not public_holiday(d)}
    holidays = tuple(d for d in dates if public_holiday(d))
    stops = _pattern_stops(session, pattern.id)
    active = active_stop_ids(session, [s.id for s in stops])
    created = updated = removed = 0
    for stop in stops:
        if stop.stop_date < today or stop.id in active:
            wanted.discard(stop.stop_date)  # history stays, and is not doubled
            continue
        in_span = (
            not pattern.deleted
            and stop.stop_date >= pattern.first_date
            and (pattern.last_date is None or stop.stop_date <= pattern.last_date)
        )
        if not in_span:
            _tombstone(session, store, stop)
            removed += 1
        elif old is not None and not is_plain_stop(stop, old):
            wanted.discard(stop.stop_date)  # an exception made for this date: kept as it is
        elif stop.stop_date in wanted:
            wanted.discard(stop.stop_date)
            changes = {
                name: getattr(pattern, name)
                for name in STOP_FIELDS
                if getattr(stop, name) != getattr(pattern, name)
            }
            if changes:
                for name, value in changes.items():
                    setattr(stop, name, value)
                session.add(store.stamp(stop))
                updated += 1
        else:
            _tombstone(session, store, stop)
            removed += 1
    for day in sorted(wanted):
        stop = TourStop(
            id=_generated_id(session, pattern.id, day),
            commune_insee=pattern.commune_insee,
            stop_date=day,
            start_time=pattern.start_time,
            end_time=pattern.end_time,
            place=pattern.place,
            services=pattern.services,
            cms_code=pattern.cms_code,
            pattern_id=pattern.id,
            author="",
            device="",
        )
        session.add(store.stamp(stop))
        created += 1
    return PatternSaved(pattern.id, created, updated, removed, holidays)


def _generated_dates(rule: PatternInput | TourPattern, today: dt.date, skipped) -> list[dt.date]:  # type: ignore[no-untyped-def]
    """The rule's dates from today to the horizon, public holidays included."""
    return occurrences(rule, today, add_months(today, HORIZON_MONTHS), skipped)  # type: ignore[arg-type]


def save_pattern(
    store: LocalStore, form: PatternInput, ref: ReferenceData, today: dt.date
) -> PatternSaved:
    """Create or change a repeating tour and (re)generate its stops up to the horizon.

    Refused whole (ValidationError, a French message per field) when a value is wrong or a date
    it generates clashes with another stop of the van.
    """
    user = store.user
    require_supervisor(user)
    with store.session() as session:
        existing = _pattern(session, user, form.pattern_id) if form.pattern_id else None
        errors = validate_pattern_input(form, ref, today, is_new=existing is None)
        if not errors:
            skipped = tuple(existing.skipped_dates or ()) if existing else ()
            dates = [d for d in _generated_dates(form, today, skipped) if not public_holiday(d)]
            mine = [] if existing is None else [s.id for s in _pattern_stops(session, existing.id)]
            errors = clash_errors(
                session,
                ref,
                user.cms_code,
                [(d, form.start_time, form.end_time) for d in dates],  # type: ignore[misc]
                exclude_ids=mine,
                key="weekday",
            )
        raise_if_errors(errors)
        values = {
            "commune_insee": form.commune_insee,
            "weekday": form.weekday,
            "week_of_month": form.week_of_month,
            "first_date": form.first_date,
            "last_date": form.last_date,
            "start_time": form.start_time,
            "end_time": form.end_time,
            "place": form.place.strip(),
            "services": form.services,
        }
        if existing is None:
            pattern = TourPattern(
                **values, skipped_dates=[], cms_code=user.cms_code, author="", device=""
            )
            session.add(store.stamp(pattern))
            old = None
        else:
            pattern, old = existing, RuleSnapshot.of(existing)
            if any(getattr(pattern, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(pattern, name, value)
                session.add(store.stamp(pattern))
        return _regenerate(session, store, pattern, old, today)


def end_pattern(
    store: LocalStore, pattern_id: str, last_date: dt.date | None, today: dt.date
) -> PatternSaved:
    """Stop a repeating tour after ``last_date``: later stops with nobody received go.

    A last date before the tour's first one removes the tour altogether (it never ran).
    """
    user = store.user
    require_supervisor(user)
    if not isinstance(last_date, dt.date):
        raise ValidationError({"last_date": "Indiquez la date du dernier passage."})
    with store.session() as session:
        pattern = _pattern(session, user, pattern_id)
        old = RuleSnapshot.of(pattern)
        if last_date < pattern.first_date:
            pattern.deleted = True
        else:
            pattern.last_date = last_date
        session.add(store.stamp(pattern))
        return _regenerate(session, store, pattern, old, today)


def count_stops_after(session: Session, pattern_id: str, last_date: dt.date, today: dt.date) -> int:
    """How many stops ``end_pattern`` would remove: for the supervisor to see before choosing."""
    stops = [
        s
        for s in _pattern_stops(session, pattern_id)
        if s.stop_date > last_date and s.stop_date >= today
    ]
    active = active_stop_ids(session, [s.id for s in stops])
    return sum(1 for s in stops if s.id not in active)


def extend_horizon(store: LocalStore, today: dt.date) -> int:
    """Generate the dates that came within the horizon since the last time; how many.

    The horizon slides with the days; the supervisor's device tops the plan up (on opening the
    planning screen) so the vans always know the coming twelve months.
    """
    user = store.user
    require_supervisor(user)
    created = 0
    with store.session() as session:
        patterns = session.exec(
            select(TourPattern)
            .where(TourPattern.cms_code == user.cms_code)
            .where(col(TourPattern.deleted).is_(False))
        ).all()
        for pattern in patterns:
            if pattern.last_date is None or pattern.last_date >= today:
                created += _regenerate(
                    session, store, pattern, RuleSnapshot.of(pattern), today
                ).created
    return created


def load_pattern(session: Session, user: CurrentUser, pattern_id: str) -> PatternInput:
    """A pattern as its form shows it, with the dates it skips."""
    p = _pattern(session, user, pattern_id)
    return PatternInput(
        commune_insee=p.commune_insee,
        weekday=p.weekday,
        week_of_month=p.week_of_month,
        first_date=p.first_date,
        last_date=p.last_date,
        start_time=p.start_time,
        end_time=p.end_time,
        place=p.place,
        services=p.services,
        pattern_id=p.id,
        skipped_dates=tuple(p.skipped_dates or ()),
    )


# -- one stop ----------------------------------------------------------------------------------


def save_stop(store: LocalStore, form: StopInput, ref: ReferenceData, today: dt.date) -> str:
    """Create a one-off stop, or change one stop (of a repeating tour: this date only).

    Moving a repeating tour's stop to another date skips its original date in the pattern, so
    regenerating does not bring it back. Returns the stop's id.
    """
    user = store.user
    require_supervisor(user)
    with store.session() as session:
        existing = _editable_stop(session, user, form.stop_id, today) if form.stop_id else None
        errors = validate_stop_input(form, ref, today)
        if not errors:
            errors = clash_errors(
                session,
                ref,
                user.cms_code,
                [(form.stop_date, form.start_time, form.end_time)],  # type: ignore[list-item]
                exclude_ids=[existing.id] if existing else [],
                key="stop_date",
            )
        raise_if_errors(errors)
        values = {
            "commune_insee": form.commune_insee,
            "stop_date": form.stop_date,
            "start_time": form.start_time,
            "end_time": form.end_time,
            "place": form.place.strip(),
            "services": form.services,
        }
        if existing is None:
            stop = TourStop(**values, cms_code=user.cms_code, author="", device="")
            session.add(store.stamp(stop))
            return stop.id
        if existing.stop_date != form.stop_date:
            _skip(session, store, existing.pattern_id, existing.stop_date)
        if any(getattr(existing, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(existing, name, value)
            session.add(store.stamp(existing))
        return existing.id


def cancel_stop(store: LocalStore, stop_id: str, today: dt.date) -> None:
    """Cancel one stop (tombstone); a repeating tour's date is skipped from then on."""
    user = store.user
    require_supervisor(user)
    with store.session() as session:
        stop = _editable_stop(session, user, stop_id, today)
        _tombstone(session, store, stop)
        _skip(session, store, stop.pattern_id, stop.stop_date)


def load_stop(session: Session, user: CurrentUser, stop_id: str) -> StopInput:
    """A stop as its form shows it."""
    s = _stop(session, user, stop_id)
    return StopInput(
        commune_insee=s.commune_insee,
        stop_date=s.stop_date,
        start_time=s.start_time,
        end_time=s.end_time,
        place=s.place,
        services=s.services,
        stop_id=s.id,
        pattern_id=s.pattern_id,
    )


# -- listing -----------------------------------------------------------------------------------


def list_planned_stops(
    session: Session,
    user: CurrentUser,
    ref: ReferenceData,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    commune_insee: str | None = None,
) -> list[PlannedStop]:
    """The CMS's stops from ``start`` to ``end`` (included), by date and hour."""
    query = (
        select(TourStop)
        .where(TourStop.cms_code == user.cms_code)
        .where(col(TourStop.deleted).is_(False))
        .where(TourStop.stop_date >= start, TourStop.stop_date <= end)
    )
    if commune_insee:
        query = query.where(TourStop.commune_insee == commune_insee)
    stops = session.exec(query.order_by(TourStop.stop_date, TourStop.start_time)).all()
    return _views(session, ref, stops, today)


def _views(
    session: Session, ref: ReferenceData, stops: Iterable[TourStop], today: dt.date
) -> list[PlannedStop]:
    stops = list(stops)
    pattern_ids = sorted({s.pattern_id for s in stops if s.pattern_id})
    patterns = {
        p.id: p
        for p in session.exec(select(TourPattern).where(col(TourPattern.id).in_(pattern_ids)))
    }
    active = active_stop_ids(session, [s.id for s in stops])
    views = []
    for stop in stops:
        pattern = patterns.get(stop.pattern_id or "")
        if pattern is not None and pattern.deleted:
            pattern = None  # a tour removed before it ran: its kept stops read as one-offs
        views.append(
            PlannedStop(
                stop_id=stop.id,
                stop_date=stop.stop_date,
                start_time=stop.start_time,
                end_time=stop.end_time,
                commune_insee=stop.commune_insee,
                commune_name=ref.label("communes", stop.commune_insee),
                place=stop.place,
                services=stop.services,
                services_label=SERVICE_LABELS.get(stop.services, stop.services),
                pattern_id=pattern.id if pattern else None,
                rule=rule_text(pattern.weekday, pattern.week_of_month) if pattern else None,
                exception=pattern is not None and not is_plain_stop(stop, RuleSnapshot.of(pattern)),
                has_activity=stop.id in active,
                past=stop.stop_date < today,
            )
        )
    return views
