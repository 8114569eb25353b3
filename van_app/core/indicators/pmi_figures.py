"""PMI activity: children seen, prenatal consultations, and (PMI staff only) late vaccinations.

A supervisor reads class S only of a PMI consultation: its kind ("child" / "prenatal") is
medical secret and arrives blank on their device. The kind is therefore derived from class S
data, with the PMI's own rule (``pmi.allowed_kinds``): under 6 years a child's consultation,
from 6 years a pregnancy follow-up, the only other consultation the PMI records. Vaccinations
and PMI orientations are class M: computed only for a reader of M, otherwise None.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlmodel import Session

from van_app.core.indicators.figures import (
    ActivityFilter,
    PmiFigures,
    VaccinationFigures,
    count_items,
)
from van_app.core.indicators.loading import People, Visit, load_pmi_history
from van_app.core.measures import age_in_months
from van_app.core.pmi import CHILD_MAX_AGE_MONTHS
from van_app.core.reference import ReferenceData
from van_app.core.vaccination import check_vaccinations


def is_child_visit(visit: Visit) -> bool:
    """Under 6 at the consultation date (a birth date after it, a typing error, counts as one)."""
    if visit.day < visit.birth_date:
        return True
    return age_in_months(visit.birth_date, visit.day) < CHILD_MAX_AGE_MONTHS


def pmi_figures(
    session: Session,
    people: People,
    pmi: list[Visit],
    activity_filter: ActivityFilter,
    ref: ReferenceData,
    *,
    read_medical: bool,
    reserved: str,
) -> PmiFigures:
    """The PMI figures of the signed PMI consultations ``pmi`` (already filtered)."""
    children = [v for v in pmi if is_child_visit(v)]
    prenatal = [v for v in pmi if not is_child_visit(v)]
    vaccination = orientations = None
    if read_medical:
        vaccination = _late_vaccinations(session, people, children, activity_filter.end, ref)
        partners = Counter(v.orientation_partner for v in pmi if v.orientation_partner)
        orientations = count_items(partners, ref, "partners", sum(partners.values()))
    return PmiFigures(
        pmi_consultations=len(pmi),
        children_seen=len({v.person for v in children}),
        child_consultations=len(children),
        prenatal_consultations=len(prenatal),
        women_followed=len({v.person for v in prenatal}),
        vaccination=vaccination,
        orientations=orientations,
    )


def _late_vaccinations(
    session: Session, people: People, children: list[Visit], end: dt.date, ref: ReferenceData
) -> VaccinationFigures:
    """Doses still late at the end of each child's consultation, by the calendar.

    What the nurse records in a consultation's ``vaccinations`` is what the child's health
    record shows as done (given here or elsewhere), so a dose counts as done from the first
    non-deleted PMI consultation recording it, that day's included, as on the PMI form
    (``vaccination.doses_recorded``); the child's duplicates count too. A late dose is counted
    once per child; it is "caught up" when a later consultation of the period records it.
    """
    history = load_pmi_history(session, people, {v.person for v in children}, end)
    found: dict[tuple[str, str], dt.date] = {}
    for visit in children:  # by day
        done: dict[str, dt.date] = {}
        for record in history.get(visit.person, []):
            if record.consultation_date <= visit.day:
                for code in record.vaccinations or []:
                    done.setdefault(code, record.consultation_date)
        for dose in check_vaccinations(ref, visit.birth_date, visit.day, done).late():
            found.setdefault((visit.person, dose.code), visit.day)
    given = sum(
        1
        for (person, code), day in found.items()
        if any(
            code in (r.vaccinations or []) and day < r.consultation_date <= end
            for r in history.get(person, [])
        )
    )
    return VaccinationFigures(
        children_checked=len({v.person for v in children}),
        children_with_late_doses=len({person for person, _ in found}),
        late_doses=len(found),
        late_doses_given=given,
    )
