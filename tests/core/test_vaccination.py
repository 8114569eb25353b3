"""Vaccination statuses against the French calendar, for a fixed birth date and days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from van_app.core.reference import ReferenceData
from van_app.core.vaccination import (
    MIN_DAYS_BETWEEN_DOSES,
    DoseStatus,
    check_vaccinations,
    dose_status,
    interval_warnings,
    new_dose_interval_warnings,
)

REF = ReferenceData.load(Path(__file__).resolve().parents[2] / "drome_resources" / "reference")
BORN = dt.date(2026, 1, 10)  # born after 2025: MenB and ACWY calendar


def statuses(on: dt.date, done: dict[str, dt.date] | None = None) -> dict[str, DoseStatus]:
    check = check_vaccinations(REF, BORN, on, done or {})
    return {dose.code: dose.status for dose in check.doses}


def test_two_month_old_has_first_doses_due() -> None:
    on = BORN + dt.timedelta(days=70)
    result = statuses(on)
    assert result["hexa_1"] is DoseStatus.DUE
    assert result["pcv_1"] is DoseStatus.DUE
    assert result["rota_1"] is DoseStatus.DUE
    assert result["hexa_2"] is DoseStatus.NOT_YET
    assert result["mmr_1"] is DoseStatus.NOT_YET
    assert result["bcg"] is DoseStatus.TARGETED  # never "late" by the calendar alone
    assert "menc_1" not in result  # born after 2024: replaced by ACWY
    assert "hpv_1" not in result  # beyond the PMI horizon
    assert check_vaccinations(REF, BORN, on, {}).late_count == 0


def test_doses_become_late_after_the_tolerance() -> None:
    on = BORN + dt.timedelta(days=121)  # hexa_1 late after 120 days
    check = check_vaccinations(REF, BORN, on, {"pcv_1": BORN + dt.timedelta(days=65)})
    by_code = {dose.code: dose for dose in check.doses}
    assert by_code["hexa_1"].status is DoseStatus.LATE
    assert by_code["hexa_1"].status_label == "en retard"
    assert by_code["hexa_1"].mandatory
    assert by_code["pcv_1"].status is DoseStatus.DONE
    assert by_code["pcv_1"].done_on == BORN + dt.timedelta(days=65)
    assert by_code["rota_1"].status is DoseStatus.LATE  # late after 84 days, limit 140
    assert not by_code["rota_1"].mandatory
    assert {d.code for d in check.late()} == {"hexa_1", "rota_1", "rota_2"}
    assert check.late_count == 3
    # On the boundary day itself the dose is still only due.
    assert statuses(BORN + dt.timedelta(days=120))["hexa_1"] is DoseStatus.DUE


def test_rotavirus_past_its_age_limit_is_missed_not_late() -> None:
    on = BORN + dt.timedelta(days=141)
    dose = REF.item("vaccines", "rota_1")
    assert dose is not None
    assert dose_status(dose, BORN, on, done=False) is DoseStatus.MISSED
    assert statuses(on)["rota_1"] is DoseStatus.MISSED


def test_child_born_in_2020_follows_the_older_calendar() -> None:
    born = dt.date(2020, 3, 1)
    on = dt.date(2021, 9, 1)
    done = dict.fromkeys(
        ["hexa_1", "hexa_2", "hexa_3", "pcv_1", "pcv_2", "pcv_3", "menc_1", "mmr_1"],
        dt.date(2021, 3, 1),
    )
    check = check_vaccinations(REF, born, on, done)
    by_code = {dose.code: dose for dose in check.doses}
    assert "menacwy_1" not in by_code
    assert by_code["menc_2"].status is DoseStatus.LATE
    assert by_code["mmr_2"].status is DoseStatus.DUE
    assert not by_code["menb_1"].mandatory  # MenB is mandatory only from 2025 births
    assert by_code["dtcap_6y"].status is DoseStatus.NOT_YET


def test_a_done_code_is_accepted_as_a_plain_list() -> None:
    check = check_vaccinations(REF, BORN, BORN + dt.timedelta(days=200), ["hexa_1", "hexa_2"])
    by_code = {dose.code: dose for dose in check.doses}
    assert by_code["hexa_1"].status is DoseStatus.DONE and by_code["hexa_1"].done_on is None
    assert by_code["hexa_1"].due_on == BORN + dt.timedelta(days=61)


def test_two_doses_of_one_vaccine_on_the_same_day_are_flagged() -> None:
    day = BORN + dt.timedelta(days=122)
    [warning] = new_dose_interval_warnings(REF, {}, ["hexa_1", "hexa_2", "pcv_1"], day)
    assert (warning.earlier_code, warning.code) == ("hexa_1", "hexa_2")
    assert warning.message == (
        "« DTCaP-Hib-HepB (hexavalent) – 1re dose » et « DTCaP-Hib-HepB (hexavalent) – "
        "2e dose » le même jour (12/05/2026) : deux doses du même vaccin doivent être "
        "espacées d'au moins 28 jours. Vérifiez la saisie."
    )


def test_a_dose_less_than_28_days_after_the_previous_one_is_flagged() -> None:
    first = BORN + dt.timedelta(days=61)
    [warning] = new_dose_interval_warnings(
        REF, {"hexa_1": first, "pcv_1": first}, ["hexa_2"], first + dt.timedelta(days=14)
    )
    assert warning.code == "hexa_2"
    assert warning.message.startswith(
        "« DTCaP-Hib-HepB (hexavalent) – 2e dose » (le 26/03/2026) vient 14 jours seulement "
        "après « DTCaP-Hib-HepB (hexavalent) – 1re dose » (le 12/03/2026)"
    )
    # 28 days is the minimum: allowed; the calendar's two months obviously too.
    assert (
        new_dose_interval_warnings(
            REF, {"hexa_1": first}, ["hexa_2"], first + dt.timedelta(days=MIN_DAYS_BETWEEN_DOSES)
        )
        == []
    )
    assert (
        new_dose_interval_warnings(
            REF, {"hexa_1": first}, ["hexa_2", "pcv_2", "rota_2"], first + dt.timedelta(days=61)
        )
        == []
    )


def test_interval_rule_over_a_whole_file_and_only_new_doses_in_the_form() -> None:
    first = BORN + dt.timedelta(days=61)
    history = [("rota_1", first), ("rota_2", first + dt.timedelta(days=20))]
    [old] = interval_warnings(REF, history)
    assert old.code == "rota_2" and "20 jours seulement" in old.message
    # A form flags only what it ticks: an old slip is not its business.
    before = dict(history)
    assert new_dose_interval_warnings(REF, before, ["pcv_1"], first + dt.timedelta(days=60)) == []
    # Doses of different vaccines on one day are the calendar's rule, not a slip.
    assert interval_warnings(REF, [("hexa_1", first), ("pcv_1", first), ("rota_1", first)]) == []
