"""The shipped reference lists load, hold what the forms and rules rely on, and bad files fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from van_app.core.reference import (
    LIST_NAMES,
    ReferenceData,
    ReferenceDataError,
    is_mandatory_dose,
    opening_hours_text,
    parse_opening_hours,
    reference,
)

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "drome_resources" / "reference"


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return ReferenceData.load(REFERENCE_DIR)


@pytest.fixture
def ref_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped files, to break one at a time."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# -- communes ----------------------------------------------------------------------------------


def test_all_362_communes_of_the_drome_load(ref: ReferenceData) -> None:
    assert len(ref.communes) == 362
    assert all(code.startswith("26") and len(code) == 5 for code in ref.communes)
    assert all(len(p) == 5 and p.isdigit() for c in ref.communes.values() for p in c.postal_codes)


def test_dieulefit_town_hall_contact_and_hours(ref: ReferenceData) -> None:
    dieulefit = ref.communes["26114"]
    assert dieulefit.name == "Dieulefit"
    assert dieulefit.postal_codes == ("26220",)
    assert dieulefit.town_hall_phone == "04 75 46 96 80"
    assert dieulefit.town_hall_email == "contact@mairie-dieulefit.fr"
    assert dieulefit.epci == "Communauté de communes Dieulefit-Bourdeaux"
    assert 44.0 < dieulefit.latitude < 45.5 and 4.5 < dieulefit.longitude < 5.9
    assert dieulefit.opening_hours[1].first_day == "mercredi"
    assert dieulefit.opening_hours[1].slots == ((dt.time(9), dt.time(12, 30)),)
    assert dieulefit.opening_hours_text.splitlines() == [
        "Le lundi et le mardi, de 9 h 00 à 12 h 00 et de 14 h 00 à 17 h 30.",
        "Le mercredi, de 9 h 00 à 12 h 30.",
        "Le jeudi et le vendredi, de 9 h 00 à 12 h 30 et de 14 h 00 à 17 h 00.",
    ]


def test_every_commune_has_readable_hours(ref: ReferenceData) -> None:
    for commune in ref.communes.values():
        assert commune.opening_hours_text
        assert "None" not in commune.opening_hours_text


def test_opening_hours_text_ranges_and_three_slots() -> None:
    periods = parse_opening_hours(
        '[["lundi","jeudi",[["08:30:00","12:00:00"],["13:00:00","16:30:00"],'
        '["17:00:00","18:15:00"]]],["samedi","samedi",[["09:00:00","11:00:00"]]]]'
    )
    assert opening_hours_text(periods) == (
        "Du lundi au jeudi, de 8 h 30 à 12 h 00, de 13 h 00 à 16 h 30 et de 17 h 00 à 18 h 15.\n"
        "Le samedi, de 9 h 00 à 11 h 00."
    )
    assert opening_hours_text(()) == "Horaires non renseignés."


def test_find_communes_ignores_accents_and_case(ref: ReferenceData) -> None:
    assert ref.find_communes("dieulefit")[0].insee == "26114"
    assert "Bégude-de-Mazenc" in [c.name for c in ref.find_communes("BEGUDE")]
    assert "26114" in [c.insee for c in ref.communes_by_postal_code("26220")]
    assert ref.find_communes("   ") == ()


# -- lists ---------------------------------------------------------------------------------


def test_every_list_is_non_empty_with_unique_codes_and_french_labels(ref: ReferenceData) -> None:
    for name in LIST_NAMES:
        items = ref.items(name)
        assert items, name
        codes = [item.code for item in items]
        assert len(codes) == len(set(codes)), name
        assert all(len(code) <= 32 for code in codes), name
        # Labels start with a capital, except the vaccine notation "dTcaP" (reduced doses).
        assert all(
            item.label == item.label.strip()
            and (item.label[0].isupper() or item.label.startswith("dTcaP"))
            for item in items
        ), name
        assert ref.descriptions[name], name


def test_rule_codes_exist(ref: ReferenceData) -> None:
    """Validation and indicators refer to these codes by name."""
    for code in ("resolved_on_spot", "oriented", "follow_up_opened", "no_further_action"):
        assert ref.is_known("outcomes", code)
    assert ref.label("outcomes", "resolved_on_spot") == "Résolu sur place"
    assert ref.label("outcomes", "oriented") == "Orienté vers un partenaire"
    assert ref.item("outcomes", "resolved_on_spot").get("resolved") is True
    assert ref.item("outcomes", "oriented").get("resolved") is False
    for code in ("resolved", "partially_resolved", "abandoned_by_person", "unreachable"):
        assert ref.is_known("follow_up_outcomes", code)


def test_partners_say_which_service_orients_there(ref: ReferenceData) -> None:
    social = {p.code for p in ref.partners_for("social")}
    pmi = {p.code for p in ref.partners_for("pmi")}
    for code in ("caf", "cpam", "msa", "carsat", "france_travail", "mission_locale", "ccas"):
        assert code in social
    for code in ("mda", "adil", "charities", "france_services"):
        assert code in social
    for code in ("pmi_doctor", "paediatrician", "camsp", "midwife", "maternity", "cmp"):
        assert code in pmi
    assert "caf" not in pmi
    assert "camsp" not in social


def test_advice_topics_by_consultation_kind(ref: ReferenceData) -> None:
    child = {t.code for t in ref.advice_topics_for("child")}
    prenatal = {t.code for t in ref.advice_topics_for("prenatal")}
    assert {"safe_sleep", "crying_shaken_baby", "food_diversification", "screens"} <= child
    assert "birth_preparation" in prenatal and "birth_preparation" not in child
    assert "food_diversification" not in prenatal


def test_label_falls_back_to_code_and_unknown_list_is_an_error(ref: ReferenceData) -> None:
    assert ref.label("partners", "caf") == "CAF (caisse d'allocations familiales)"
    assert ref.label("partners", "retired_code") == "retired_code"
    assert ref.label("communes", "26114") == "Dieulefit"
    assert ref.label("partners", None) == ""
    assert ref.is_known("communes", "26114")
    assert not ref.is_known("communes", "07010")
    assert not ref.is_known("partners", "nope")
    assert not ref.is_known("partners", None)
    with pytest.raises(KeyError):
        ref.is_known("no_such_list", "x")


def test_reference_data_is_immutable(ref: ReferenceData) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.partners = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        ref.communes["99999"] = ref.communes["26114"]  # type: ignore[index]


# -- vaccines -------------------------------------------------------------------------------

ELEVEN_MANDATORY = {
    "diphtheria",
    "tetanus",
    "poliomyelitis",
    "pertussis",
    "haemophilus_b",
    "hepatitis_b",
    "pneumococcus",
    "meningococcus_c",
    "measles",
    "mumps",
    "rubella",
}


def _mandatory_diseases(ref: ReferenceData, birth: dt.date) -> set[str]:
    return {
        disease
        for dose in ref.vaccines
        if is_mandatory_dose(dose, birth)
        for disease in dose.get("diseases", [])
    }


def test_the_eleven_mandatory_vaccines_for_children_born_2018_to_2024(ref: ReferenceData) -> None:
    assert _mandatory_diseases(ref, dt.date(2020, 6, 1)) == ELEVEN_MANDATORY


def test_meningococcal_b_and_acwy_mandatory_for_children_born_from_2025(
    ref: ReferenceData,
) -> None:
    diseases = _mandatory_diseases(ref, dt.date(2025, 3, 1))
    assert diseases == ELEVEN_MANDATORY | {
        "meningococcus_a",
        "meningococcus_w",
        "meningococcus_y",
        "meningococcus_b",
    }
    doses = {d.code for d in ref.vaccine_doses_for(dt.date(2025, 3, 1))}
    assert "menc_1" not in doses and "menacwy_1" in doses
    doses_2021 = {d.code for d in ref.vaccine_doses_for(dt.date(2021, 3, 1))}
    assert "menc_1" in doses_2021 and "menacwy_1" not in doses_2021


def test_no_mandatory_dose_after_infancy_nor_targeted(ref: ReferenceData) -> None:
    birth = dt.date(2026, 1, 1)
    for dose in ref.vaccines:
        if is_mandatory_dose(dose, birth):
            assert dose.get("due_age_days") <= 548, dose.code  # by 18 months
    assert not ref.item("vaccines", "bcg").get("mandatory")
    assert ref.item("vaccines", "bcg").get("targeted") is True
    for code in ("rota_1", "dtcap_6y", "dtcap_11y", "hpv_1", "menacwy_teen"):
        assert not ref.item("vaccines", code).get("mandatory"), code


@pytest.mark.parametrize(
    ("code", "months"),
    [
        ("hexa_1", 2),
        ("hexa_2", 4),
        ("hexa_3", 11),
        ("pcv_1", 2),
        ("pcv_2", 4),
        ("pcv_3", 11),
        ("rota_1", 2),
        ("menb_1", 3),
        ("menb_2", 5),
        ("menb_3", 12),
        ("menacwy_1", 6),
        ("menacwy_2", 12),
        ("mmr_1", 12),
        ("mmr_2", 16),
        ("dtcap_6y", 72),
        ("dtcap_11y", 132),
        ("hpv_1", 132),
        ("menacwy_teen", 132),
    ],
)
def test_vaccine_calendar_ages(ref: ReferenceData, code: str, months: int) -> None:
    dose = ref.item("vaccines", code)
    assert dose is not None
    assert abs(dose.get("due_age_days") - months * 30.4375) <= 2
    assert dose.get("late_after_days") > dose.get("due_age_days")


def test_hexavalent_example_from_the_brief(ref: ReferenceData) -> None:
    hexa = ref.item("vaccines", "hexa_1")
    assert hexa.label == "DTCaP-Hib-HepB (hexavalent) – 1re dose"
    assert hexa.get("vaccine") == "hexavalent"
    assert (hexa.get("due_age_days"), hexa.get("late_after_days")) == (61, 120)
    assert hexa.get("mandatory") is True


# -- plausible measures -----------------------------------------------------------------------


def test_measure_bands_cover_0_to_72_months_and_refuse_a_34_kg_newborn(
    ref: ReferenceData,
) -> None:
    newborn = ref.measure_band(0)
    assert newborn is not None
    assert newborn.weight_g[0] <= 2500 <= newborn.weight_g[1]
    assert not newborn.weight_g[0] <= 34500 <= newborn.weight_g[1]
    assert newborn.length_mm[0] <= 500 <= newborn.length_mm[1]
    assert newborn.head_circumference_mm[0] <= 345 <= newborn.head_circumference_mm[1]
    assert ref.measure_band(6 * 365) is not None  # 72 months
    assert ref.measure_band(7 * 365) is None
    assert ref.measure_band(-1) is None


def test_measure_bands_contain_the_who_medians(ref: ReferenceData) -> None:
    # (age in days, median weight g, median length mm, median head circumference mm)
    medians = [
        (0, 3300, 499, 345),
        (61, 5600, 584, 391),
        (183, 7900, 676, 433),
        (365, 9600, 757, 461),
        (730, 12200, 878, 483),
        (1826, 18300, 1100, 507),
    ]
    for age, weight, length, head in medians:
        band = ref.measure_band(age)
        assert band.weight_g[0] < weight < band.weight_g[1], age
        assert band.length_mm[0] < length < band.length_mm[1], age
        assert band.head_circumference_mm[0] < head < band.head_circumference_mm[1], age


def test_prenatal_limits(ref: ReferenceData) -> None:
    limits = ref.prenatal_limits
    assert limits.gestational_age_weeks == (1, 42)
    assert limits.maternal_weight_g[0] <= 60000 <= limits.maternal_weight_g[1]
    assert limits.blood_pressure_systolic_mmhg[0] <= 120 <= limits.blood_pressure_systolic_mmhg[1]


# -- run-time loading and malformed files ------------------------------------------------------


def test_reference_reads_the_resources_dir_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAN_APP_RESOURCES_DIR", str(REFERENCE_DIR.parent))
    reference.cache_clear()
    try:
        first = reference()
        assert first is reference()
        assert len(first.communes) == 362
    finally:
        reference.cache_clear()


def test_invalid_json_names_the_file(ref_copy: Path) -> None:
    (ref_copy / "partners.json").write_text('{"items": [', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"partners\.json") as excinfo:
        ReferenceData.load(ref_copy)
    assert "JSON mal formé" in str(excinfo.value)
    assert excinfo.value.filename == "partners.json"


def test_missing_file_names_the_file(ref_copy: Path) -> None:
    (ref_copy / "vaccines.json").unlink()
    with pytest.raises(ReferenceDataError, match=r"vaccines\.json.*introuvable"):
        ReferenceData.load(ref_copy)


def test_duplicate_code_is_refused(ref_copy: Path) -> None:
    _edit_json(
        ref_copy / "actions.json",
        lambda d: d["items"].append({"code": "information", "label": "Doublon"}),
    )
    with pytest.raises(ReferenceDataError, match=r"actions\.json.*« information ».*deux fois"):
        ReferenceData.load(ref_copy)


def test_partner_without_services_is_refused(ref_copy: Path) -> None:
    _edit_json(ref_copy / "partners.json", lambda d: d["items"][0].pop("services"))
    with pytest.raises(ReferenceDataError, match=r"partners\.json.*services"):
        ReferenceData.load(ref_copy)


def test_bad_code_is_refused(ref_copy: Path) -> None:
    _edit_json(
        ref_copy / "demand_types.json",
        lambda d: d["items"].append({"code": "Logement Social", "label": "Logement"}),
    )
    with pytest.raises(ReferenceDataError, match=r"demand_types\.json.*code"):
        ReferenceData.load(ref_copy)


def test_vaccine_late_before_due_is_refused(ref_copy: Path) -> None:
    def change(data: dict) -> None:
        data["items"][1]["late_after_days"] = 10

    _edit_json(ref_copy / "vaccines.json", change)
    with pytest.raises(ReferenceDataError, match=r"vaccines\.json.*late_after_days"):
        ReferenceData.load(ref_copy)


def test_unordered_measure_bands_are_refused(ref_copy: Path) -> None:
    _edit_json(ref_copy / "plausible_measures.json", lambda d: d["items"].reverse())
    with pytest.raises(ReferenceDataError, match=r"plausible_measures\.json.*max_age_months"):
        ReferenceData.load(ref_copy)


def test_bad_town_hall_hours_name_the_csv_and_line(ref_copy: Path) -> None:
    path = ref_copy / "communes_drome.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('""mercredi"",""mercredi""', '""mercredi"",""lundi""', 1))
    with pytest.raises(ReferenceDataError, match=r"communes_drome\.csv.*ligne \d+.*horaires"):
        ReferenceData.load(ref_copy)
