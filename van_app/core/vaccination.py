"""A child's vaccinations checked against the French calendar of the reference data.

Each dose of ``ref.vaccine_doses_for(birth_date)`` is done (recorded in a consultation's
``vaccinations`` list), due now, late, not yet due, or past its age limit. The count of late
doses is what the supervisor's "vaccinations found late" indicator adds up.

Two doses of one vaccine (the calendar's ``vaccine`` group: the hexavalent's three doses, the
pneumococcal ones…) closer than ``MIN_DAYS_BETWEEN_DOSES`` are flagged: the same day is
always a slip (two boxes ticked for one injection), a few days apart a dose that does not
count. The flag is a warning that the nurse confirms, never a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.local_store import CurrentUser
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import PmiConsultation
from van_app.core.reference import ReferenceData, ReferenceItem, is_mandatory_dose

# The general minimum interval between two doses of the same vaccine (4 weeks: the shortest
# the French calendar and the manufacturers allow for any of the infant series, rotavirus
# included). Longer calendar gaps (the 11-month booster) are advice, not a validity limit.
MIN_DAYS_BETWEEN_DOSES = 28
PMI_HORIZON_DAYS = 2191  # 6 years: the doses a PMI nurse follows (the 6-year booster included)


class DoseStatus(StrEnum):
    DONE = "done"
    DUE = "due"  # "à faire": the recommended age is reached, not yet late
    LATE = "late"  # "en retard": past the tolerance of the calendar
    NOT_YET = "not_yet"  # "pas encore"
    TARGETED = "targeted"  # only for children at risk (BCG): never "late" by the calendar
    MISSED = "missed"  # past the age limit of the vaccine (rotavirus): can no longer be given


STATUS_LABELS = {
    DoseStatus.DONE: "fait",
    DoseStatus.DUE: "à faire",
    DoseStatus.LATE: "en retard",
    DoseStatus.NOT_YET: "pas encore",
    DoseStatus.TARGETED: "selon le risque",
    DoseStatus.MISSED: "âge limite dépassé",
}


@dataclass(frozen=True)
class DoseCheck:
    """One dose of the calendar for one child on one day."""

    code: str
    label: str
    mandatory: bool
    due_on: dt.date
    late_after: dt.date
    status: DoseStatus
    done_on: dt.date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class VaccinationCheck:
    doses: tuple[DoseCheck, ...]

    @property
    def late_count(self) -> int:
        return sum(1 for dose in self.doses if dose.status is DoseStatus.LATE)

    @property
    def due_count(self) -> int:
        return sum(1 for dose in self.doses if dose.status is DoseStatus.DUE)

    def late(self) -> tuple[DoseCheck, ...]:
        return tuple(dose for dose in self.doses if dose.status is DoseStatus.LATE)


def dose_status(dose: ReferenceItem, birth_date: dt.date, on: dt.date, done: bool) -> DoseStatus:
    """The status of one dose for a child born on ``birth_date``, seen on ``on``."""
    if done:
        return DoseStatus.DONE
    if dose.get("targeted"):
        return DoseStatus.TARGETED
    age = (on - birth_date).days
    limit = dose.get("max_age_days")
    if limit is not None and age > limit:
        return DoseStatus.MISSED
    if age < dose.get("due_age_days"):
        return DoseStatus.NOT_YET
    if age <= dose.get("late_after_days"):
        return DoseStatus.DUE
    return DoseStatus.LATE


def check_vaccinations(
    ref: ReferenceData,
    birth_date: dt.date,
    on: dt.date,
    done: Mapping[str, dt.date] | Iterable[str],
    *,
    horizon_days: int | None = PMI_HORIZON_DAYS,
) -> VaccinationCheck:
    """Every applicable dose with its status; ``done`` maps dose codes to the day recorded.

    ``horizon_days`` leaves out the doses of older children (adolescent boosters) unless one
    is already recorded; None keeps the whole calendar.
    """
    done_on: dict[str, dt.date | None] = (
        dict(done) if isinstance(done, Mapping) else dict.fromkeys(done)
    )
    checks = []
    for dose in ref.vaccine_doses_for(birth_date):
        due_days = dose.get("due_age_days")
        if horizon_days is not None and due_days > horizon_days and dose.code not in done_on:
            continue
        checks.append(
            DoseCheck(
                code=dose.code,
                label=dose.label,
                mandatory=is_mandatory_dose(dose, birth_date),
                due_on=birth_date + dt.timedelta(days=due_days),
                late_after=birth_date + dt.timedelta(days=dose.get("late_after_days")),
                status=dose_status(dose, birth_date, on, dose.code in done_on),
                done_on=done_on.get(dose.code),
            )
        )
    return VaccinationCheck(tuple(checks))


def doses_recorded(
    session: Session,
    user: CurrentUser,
    beneficiary_id: str,
    *,
    until: dt.date | None = None,
    exclude_consultation_id: str | None = None,
) -> dict[str, dt.date]:
    """Dose code → the day of the first consultation recording it (medical secret: PMI only).

    The child's consultations are those of every record merged into the person
    ``beneficiary_id`` now stands for (``merge_people``): a dose given before a duplicate was
    merged stays given.
    """
    if Conf.MEDICAL not in readable_classes(user.roles):
        raise PermissionError(
            "Les vaccinations de l'enfant relèvent du secret médical : elles sont réservées "
            "au personnel de PMI."
        )
    records = merged_group(session, resolve_person(session, beneficiary_id))
    query = (
        select(PmiConsultation)
        .where(col(PmiConsultation.beneficiary_id).in_(records))
        .where(col(PmiConsultation.deleted).is_(False))
        .order_by(col(PmiConsultation.consultation_date))
    )
    if until is not None:
        query = query.where(PmiConsultation.consultation_date <= until)
    recorded: dict[str, dt.date] = {}
    for record in session.exec(query).all():
        if record.id == exclude_consultation_id:
            continue
        for code in record.vaccinations or []:
            recorded.setdefault(code, record.consultation_date)
    return recorded


@dataclass(frozen=True)
class IntervalWarning:
    """Two doses of the same vaccine given too close together (French message)."""

    code: str  # the later dose (on the same day: the later one in the calendar)
    earlier_code: str
    message: str


def interval_warnings(
    ref: ReferenceData, given: Iterable[tuple[str, dt.date]]
) -> list[IntervalWarning]:
    """Each dose given less than ``MIN_DAYS_BETWEEN_DOSES`` after the previous dose of its
    vaccine, for a child's doses as (code, day given); the same day counts."""
    order = {item.code: index for index, item in enumerate(ref.vaccines)}
    by_vaccine: dict[str, list[tuple[dt.date, int, str]]] = {}
    for code, day in given:
        item = ref.item("vaccines", code)
        vaccine = item.get("vaccine") if item is not None else None
        by_vaccine.setdefault(vaccine or code, []).append((day, order.get(code, 0), code))
    warnings = []
    for doses in by_vaccine.values():
        doses.sort()
        for (day_before, _, before), (day, _, code) in pairwise(doses):
            gap = (day - day_before).days
            if gap >= MIN_DAYS_BETWEEN_DOSES:
                continue
            first, second = ref.label("vaccines", before), ref.label("vaccines", code)
            if gap == 0:
                message = (
                    f"« {first} » et « {second} » le même jour ({day:%d/%m/%Y}) : deux doses "
                    f"du même vaccin doivent être espacées d'au moins {MIN_DAYS_BETWEEN_DOSES} "
                    "jours. Vérifiez la saisie."
                )
            else:
                message = (
                    f"« {second} » (le {day:%d/%m/%Y}) vient {gap} jour{'s' if gap > 1 else ''} "
                    f"seulement après « {first} » (le {day_before:%d/%m/%Y}) : deux doses du "
                    f"même vaccin doivent être espacées d'au moins {MIN_DAYS_BETWEEN_DOSES} "
                    "jours. Vérifiez la saisie."
                )
            warnings.append(IntervalWarning(code, before, message))
    return warnings


def new_dose_interval_warnings(
    ref: ReferenceData,
    before: Mapping[str, dt.date],
    given_now: Iterable[str],
    day: dt.date,
) -> list[IntervalWarning]:
    """The interval warnings that involve a dose ticked at this consultation (on ``day``)."""
    now = list(dict.fromkeys(given_now))
    doses = [(code, on) for code, on in before.items() if code not in now]
    doses += [(code, day) for code in now]
    return [w for w in interval_warnings(ref, doses) if w.code in now or w.earlier_code in now]
