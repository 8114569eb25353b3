"""A child's vaccinations checked against the French calendar of the reference data.

Each dose of ``ref.vaccine_doses_for(birth_date)`` is done (recorded in a consultation's
``vaccinations`` list), due now, late, not yet due, or past its age limit. The count of late
doses is what the supervisor's "vaccinations found late" indicator adds up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Conf, readable_classes
from van_app.core.local_store import CurrentUser
from van_app.core.merge_people import merged_group, resolve_person
from van_app.core.models import PmiConsultation
from van_app.core.reference import ReferenceData, ReferenceItem, is_mandatory_dose

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
