"""The fixed data set of the activity indicator, bilan and dashboard tests.

The last quarter of 2026 in two communes of the Diois; every figure the tests expect is
worked out by hand from this list. Who is who:

Stops: S1 Luc-en-Diois 06/10 (both services), S2 Luc-en-Diois 03/11 (both), S3
Châtillon-en-Diois 13/10 (social only), S4 Châtillon-en-Diois 10/11 (social, nobody came),
S5 Luc-en-Diois 01/12 (cancelled: deleted), S0 Luc-en-Diois 28/09 (before the period).

People's own "known to the CMS before" flag (asked once, at registration): known are P2, P10,
P13 and the duplicate P3b (P3, the kept record, says not known); everyone else is not known.
The consultations' "known before" column (below) is an old copy that no figure reads.

Signed social consultations in the period (C1…C8):
  C1 P1  S1 06/10 unknown  resolved_on_spot  rsa, digital_access
  C2 P2  S1 06/10 known    oriented          health_insurance           → cpam
  C3 P10 S1 06/10 unknown  resolved_on_spot  family_benefits
  C4 P3  S3 13/10 unknown  follow_up_opened  housing, energy
  C5 P6  —  20/10 unknown  oriented          rsa                        → caf, france_travail
  C6 P1  S2 03/11 known    follow_up_opened  rsa
  C7 P3b S2 03/11 known    oriented          housing                    → adil, caf
  C8 P14 S2 03/11 unknown  follow_up_opened  budget_debt
  (P3b is a duplicate merged into P3.) Not counted: D1 draft of P4 at S3 (with an orientation
  and a follow-up), a deleted consultation of P5 at S1, a signed one of the deleted person P12
  at S3, and P13's of 28/09 at S0 (before the period).
Signed PMI consultations in the period (M1…M5):
  M1 P7  S1 06/10 unknown (baby born 01/03/2026)      M2 P7  S2 03/11 known
  M3 P8  S2 03/11 known   (child born 15/01/2021)     M4 P10 S1 06/10 known (woman, prenatal)
  M5 P10 S2 03/11 known   (prenatal)
  Not counted: a draft of P11 (baby) at S2; M0 of 10/07/2026 on P7b (duplicate of P7).
Follow-ups (opened → closed, outcome):
  F1  C4  13/10 → 16/10 resolved (3 days)           F2  C6 03/11 → 03/11 resolved (0 day)
  F3  C8  03/11 → 20/11 partially_resolved (17)    F4  C8 03/11, due 17/11, open
  F5  C4  13/10 → 30/11 unreachable (not resolved)  F6  C2 06/10, due 31/12, open
  F7  P13's consultation of 28/09, due 12/10, open   F8  C6, deleted
  F9  D1 (draft), open                               F10 C1 06/10, due 20/10 → closed 05/01/2027
  F11 C3  06/10 → 10/11 resolved (35 days)          F12 P13's 28/09 → 30/09 resolved (before)
Satisfaction answers (service rendered, reception, waiting time):
  A1 S1 social (4, 4, 3)   A2 S1 pmi (3, 2, 1)   A3 S3 social (2, 3, 4)   A4 no stop (1, 4, 2)
  Not counted: A5 deleted, A6 answered on 30/09.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from van_app.core.db import add_in_dependency_order
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    SocialOrientation,
    SyncedRecord,
    TourStop,
)
from van_app.core.reference import reference

LUC, CHATILLON = "26167", "26086"
Q4_START, Q4_END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
AFTER_Q4 = dt.date(2027, 1, 10)
SUPERVISOR = ("supervisor",)
NURSE = ("pmi_nurse",)


def d(day: int, month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


@dataclass
class ActivityData:
    """Ids of the data set's records, by the names of the module docstring."""

    ids: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


def build_activity_data(store: LocalStore) -> ActivityData:
    """Write the data set of the module docstring to ``store`` (as its user)."""
    ids: dict[str, str] = {}
    records: list[SyncedRecord] = []

    def add(name: str, record: SyncedRecord) -> SyncedRecord:
        store.stamp(record)
        ids[name] = record.id
        records.append(record)
        return record

    def stop(name: str, insee: str, day: dt.date, services: str, **extra: Any) -> None:
        add(
            name,
            TourStop(
                commune_insee=insee,
                stop_date=day,
                start_time=dt.time(9, 30),
                end_time=dt.time(12, 30),
                place="Place de la mairie" if insee == CHATILLON else "Parking de la salle",
                services=services,
                cms_code="CMS-DIE",
                author="",
                device="",
                **extra,
            ),
        )

    stop("S0", LUC, d(28, 9), "both")
    stop("S1", LUC, d(6, 10), "both")
    stop("S2", LUC, d(3, 11), "both")
    stop("S3", CHATILLON, d(13, 10), "social")
    stop("S4", CHATILLON, d(10, 11), "social")
    stop("S5", LUC, d(1, 12), "both", deleted=True)

    def person(name: str, born: dt.date, sex: str, **extra: Any) -> None:
        add(
            name,
            Beneficiary(
                birth_name=f"Nom{name}",
                first_names=f"Prénom{name}",
                birth_date=born,
                sex=sex,
                author="",
                device="",
                **extra,
            ),
        )

    person("P1", d(4, 5, 1980), "F")
    person("P2", d(9, 2, 1955), "M", known_to_cms=True)
    person("P3", d(23, 8, 1990), "F")
    person("P4", d(1, 1, 1970), "M")
    person("P5", d(1, 1, 1960), "F")
    person("P6", d(12, 12, 1985), "M")
    person("P7", d(1, 3, 2026), "F")
    person("P8", d(15, 1, 2021), "M")
    person("P10", d(30, 6, 1995), "F", known_to_cms=True)
    person("P11", d(1, 8, 2026), "M")
    person("P12", d(1, 1, 1975), "M", deleted=True)
    person("P13", d(1, 1, 1965), "F", known_to_cms=True)
    person("P14", d(7, 7, 1977), "M")
    person("P3b", d(23, 8, 1990), "F", known_to_cms=True)
    person("P7b", d(1, 3, 2026), "F")
    records_by_name = {name: r for name, r in zip(ids, records, strict=True)}
    records_by_name["P3b"].merged_into_id = ids["P3"]  # type: ignore[attr-defined]
    records_by_name["P7b"].merged_into_id = ids["P7"]  # type: ignore[attr-defined]

    def social(
        name: str,
        who: str,
        where: str | None,
        day: dt.date,
        known: bool,
        outcome: str,
        demands: list[str],
        status: str = "signed",
        **extra: Any,
    ) -> None:
        add(
            name,
            SocialConsultation(
                beneficiary_id=ids[who],
                stop_id=ids[where] if where else None,
                consultation_date=day,
                known_before=known,
                status=status,
                arrival_mode="mairie",
                demand_types=demands,
                outcome=outcome,
                author="",
                device="",
                **extra,
            ),
        )

    social("C1", "P1", "S1", d(6, 10), False, "resolved_on_spot", ["rsa", "digital_access"])
    social("C2", "P2", "S1", d(6, 10), True, "oriented", ["health_insurance"])
    social("C3", "P10", "S1", d(6, 10), False, "resolved_on_spot", ["family_benefits"])
    social("C4", "P3", "S3", d(13, 10), False, "follow_up_opened", ["housing", "energy"])
    social("C5", "P6", None, d(20, 10), False, "oriented", ["rsa"])
    social("C6", "P1", "S2", d(3, 11), True, "follow_up_opened", ["rsa"])
    social("C7", "P3b", "S2", d(3, 11), True, "oriented", ["housing"])
    social("C8", "P14", "S2", d(3, 11), False, "follow_up_opened", ["budget_debt"])
    social("D1", "P4", "S3", d(13, 10), False, "oriented", ["rsa"], status="draft")
    social("Cdel", "P5", "S1", d(6, 10), False, "resolved_on_spot", ["rsa"], deleted=True)
    social("C12", "P12", "S3", d(13, 10), False, "resolved_on_spot", ["rsa"])
    social("C13", "P13", "S0", d(28, 9), False, "follow_up_opened", ["housing"])

    def orientation(name: str, consultation: str, partner: str, **extra: Any) -> None:
        add(
            name,
            SocialOrientation(
                consultation_id=ids[consultation],
                partner_code=partner,
                orientation_date=d(6, 10),
                author="",
                device="",
                **extra,
            ),
        )

    orientation("O1", "C2", "cpam")
    orientation("O2", "C5", "caf")
    orientation("O3", "C5", "france_travail")
    orientation("O4", "C7", "adil")
    orientation("O5", "C7", "caf")
    orientation("O6", "C7", "mission_locale", deleted=True)
    orientation("O7", "D1", "msa")

    def pmi(name: str, who: str, where: str | None, day: dt.date, known: bool, **extra: Any):
        extra.setdefault("status", "signed")
        add(
            name,
            PmiConsultation(
                beneficiary_id=ids[who],
                stop_id=ids[where] if where else None,
                consultation_date=day,
                known_before=known,
                kind="prenatal" if who == "P10" else "child",
                author="",
                device="",
                **extra,
            ),
        )

    # P7's vaccinations: M0 (on the duplicate P7b, before the period) recorded every dose of
    # 2 and 4 months; at M1 (219 days old) menb_2 (late after 213 days) is late and is not
    # recorded; M2 (247 days) records it (caught up) but menacwy_1 (late after 243 days) is
    # late and is not recorded.
    two_and_four_months = [
        *("hexa_1", "hexa_2", "pcv_1", "pcv_2", "rota_1", "rota_2", "rota_3", "menb_1")
    ]
    pmi("M0", "P7b", None, d(10, 7), False, vaccinations=two_and_four_months)
    pmi("M1", "P7", "S1", d(6, 10), False, orientation_partner="camsp")
    pmi("M2", "P7", "S2", d(3, 11), True, vaccinations=["menb_2"])
    # P8 (5 years 9 months at M3, a first visit): the nurse records at M3 every dose due by
    # then, from the child's health record; none is late.
    p8_doses = [
        dose.code
        for dose in reference().vaccine_doses_for(d(15, 1, 2021))
        if dose.get("due_age_days") <= 2000 and not dose.get("targeted")
    ]
    pmi("M3", "P8", "S2", d(3, 11), True, vaccinations=p8_doses)
    pmi("M4", "P10", "S1", d(6, 10), True, orientation_partner="midwife")
    pmi("M5", "P10", "S2", d(3, 11), True)
    pmi("Mdraft", "P11", "S2", d(3, 11), False, status="draft")

    def follow_up(
        name: str,
        consultation: str,
        opened: dt.date,
        due: dt.date,
        closed: dt.date | None = None,
        outcome: str | None = None,
        **extra: Any,
    ) -> None:
        record = next(r for r in records if r.id == ids[consultation])
        add(
            name,
            FollowUp(
                beneficiary_id=record.beneficiary_id,  # type: ignore[attr-defined]
                consultation_id=record.id,
                demand_type="housing",
                opened_on=opened,
                due_on=due,
                closed_on=closed,
                outcome=outcome,
                author="",
                device="",
                **extra,
            ),
        )

    follow_up("F1", "C4", d(13, 10), d(27, 10), d(16, 10), "resolved")
    follow_up("F2", "C6", d(3, 11), d(17, 11), d(3, 11), "resolved")
    follow_up("F3", "C8", d(3, 11), d(17, 11), d(20, 11), "partially_resolved")
    follow_up("F4", "C8", d(3, 11), d(17, 11))
    follow_up("F5", "C4", d(13, 10), d(27, 10), d(30, 11), "unreachable")
    follow_up("F6", "C2", d(6, 10), d(31, 12))
    follow_up("F7", "C13", d(28, 9), d(12, 10))
    follow_up("F8", "C6", d(3, 11), d(17, 11), d(4, 11), "resolved", deleted=True)
    follow_up("F9", "D1", d(13, 10), d(27, 10))
    follow_up("F10", "C1", d(6, 10), d(20, 10), d(5, 1, 2027), "resolved")
    follow_up("F11", "C3", d(6, 10), d(20, 10), d(10, 11), "resolved")
    follow_up("F12", "C13", d(28, 9), d(12, 10), d(30, 9), "resolved")

    def answer(name: str, where: str | None, day: dt.date, service: str, scores, **extra):  # type: ignore[no-untyped-def]
        add(
            name,
            SatisfactionAnswer(
                stop_id=ids[where] if where else None,
                answered_on=day,
                service=service,
                service_rendered=scores[0],
                reception=scores[1],
                waiting_time=scores[2],
                author="",
                device="",
                **extra,
            ),
        )

    answer("A1", "S1", d(6, 10), "social", (4, 4, 3))
    answer("A2", "S1", d(6, 10), "pmi", (3, 2, 1))
    answer("A3", "S3", d(13, 10), "social", (2, 3, 4))
    answer("A4", None, d(20, 10), "social", (1, 4, 2))
    answer("A5", "S2", d(3, 11), "social", (4, 4, 4), deleted=True)
    answer("A6", "S0", d(30, 9), "social", (4, 4, 4))

    with store.session() as session:
        add_in_dependency_order(session, records)
    return ActivityData(ids)
