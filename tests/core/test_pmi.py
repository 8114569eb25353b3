"""PMI consultations: who writes and reads them, drafts, signature, addenda, no half-writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests import factories
from van_app.core.local_store import LocalStore
from van_app.core.models import PmiAddendum, PmiConsultation
from van_app.core.outbox import OutboxEntry
from van_app.core.pmi import (
    PmiForm,
    PmiRefusedError,
    add_pmi_addendum,
    allowed_kinds,
    load_pmi_screen,
    save_pmi_draft,
    sign_pmi_consultation,
)
from van_app.core.reference import reference
from van_app.core.validation import ValidationError

TODAY = dt.date(2026, 11, 23)
PASSWORD = "Petite-Enfance-2026"
REF = reference()


@pytest.fixture
def nurse_store(data_dir: Path) -> Iterator[LocalStore]:
    store = factories.new_store(data_dir, "bnguyen", PASSWORD, "Binh Nguyen", ["pmi_nurse"])
    factories.add_professional(store, "croux", PASSWORD, "Claire Roux", ["pmi_nurse"])
    factories.add_professional(store, "amartin", PASSWORD, "Agnès Martin", ["social_worker"])
    yield store
    store.close()


def as_user(store: LocalStore, data_dir: Path, username: str) -> LocalStore:
    store.close()
    return LocalStore.open(data_dir, username, PASSWORD)


def add_person(store: LocalStore, birth: dt.date, sex: str = "F", name: str = "Roux") -> str:
    return factories.add_person(
        store, birth_name=name, first_names="Léa", birth_date=birth, sex=sex
    )


def child_form(child: str, **changes: object) -> PmiForm:
    form = PmiForm(
        beneficiary_id=child,
        kind="child",
        duration_minutes=30,
        weight_g=6400,
        length_mm=630,
        head_circumference_mm=415,
        feeding_mode="exclusive_breastfeeding",
        vaccinations=["hexa_1", "pcv_1"],
        next_appointment=TODAY + dt.timedelta(days=30),
        note="Bonne prise de poids.",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def rows(store: LocalStore, model) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_kinds_follow_age_and_sex() -> None:
    assert allowed_kinds(dt.date(2024, 1, 1), "M", TODAY) == ("child",)
    assert allowed_kinds(dt.date(1995, 1, 1), "F", TODAY) == ("prenatal",)
    assert allowed_kinds(dt.date(1995, 1, 1), "M", TODAY) == ()
    assert allowed_kinds(TODAY + dt.timedelta(days=1), "F", TODAY) == ()


def test_draft_then_signed_then_only_addenda(nurse_store: LocalStore) -> None:
    child = add_person(nurse_store, dt.date(2026, 7, 1))
    draft_id = save_pmi_draft(nurse_store, child_form(child), REF, TODAY)
    with nurse_store.session() as session:
        draft = session.get(PmiConsultation, draft_id)
        assert (draft.status, draft.weight_g, draft.length_mm) == ("draft", 6400, 630)
        assert draft.vaccinations == ["hexa_1", "pcv_1"]
        assert draft.author == "bnguyen"

    signed_id = sign_pmi_consultation(
        nurse_store, child_form(child, consultation_id=draft_id, weight_g=6450), REF, TODAY
    )
    assert signed_id == draft_id
    with nurse_store.session() as session:
        record = session.get(PmiConsultation, draft_id)
        assert (record.status, record.weight_g) == ("signed", 6450)
        assert record.signed_at is not None

    with pytest.raises(PmiRefusedError, match="signée"):
        save_pmi_draft(nurse_store, child_form(child, consultation_id=draft_id), REF, TODAY)
    with pytest.raises(ValidationError) as refused:
        add_pmi_addendum(nurse_store, draft_id, "   ")
    assert "complément" in refused.value.errors["note"]
    add_pmi_addendum(nurse_store, draft_id, "Vaccin ROR prévu au prochain rendez-vous.")
    assert rows(nurse_store, PmiAddendum) == 1
    screen = load_pmi_screen(nurse_store, child, draft_id, REF, TODAY)
    assert not screen.editable and screen.can_add_addendum
    assert screen.consultation.addenda[0].note.startswith("Vaccin ROR")


def test_an_implausible_measure_writes_nothing(nurse_store: LocalStore) -> None:
    child = add_person(nurse_store, dt.date(2026, 7, 1))
    before = (rows(nurse_store, PmiConsultation), rows(nurse_store, OutboxEntry))
    with pytest.raises(ValidationError) as refused:
        save_pmi_draft(nurse_store, child_form(child, weight_g=64_000), REF, TODAY)
    assert "weight_g" in refused.value.errors
    assert (rows(nurse_store, PmiConsultation), rows(nurse_store, OutboxEntry)) == before


def test_a_dose_already_recorded_is_refused(nurse_store: LocalStore) -> None:
    child = add_person(nurse_store, dt.date(2026, 7, 1))
    sign_pmi_consultation(nurse_store, child_form(child), REF, TODAY - dt.timedelta(days=20))
    with pytest.raises(ValidationError) as refused:
        save_pmi_draft(nurse_store, child_form(child, vaccinations=["hexa_1"]), REF, TODAY)
    assert "déjà enregistrée" in refused.value.errors["vaccinations"]


def test_prenatal_follow_up_for_a_woman_only(nurse_store: LocalStore) -> None:
    mother = add_person(nurse_store, dt.date(1994, 5, 2))
    form = PmiForm(
        beneficiary_id=mother,
        kind="prenatal",
        gestational_age_weeks=24,
        expected_term_date=TODAY + dt.timedelta(weeks=17),
        maternal_weight_g=68_500,
        blood_pressure_systolic=118,
        blood_pressure_diastolic=72,
        early_prenatal_interview_done=True,
    )
    consultation = sign_pmi_consultation(nurse_store, form, REF, TODAY)
    with nurse_store.session() as session:
        assert session.get(PmiConsultation, consultation).gestational_age_weeks == 24
    father = add_person(nurse_store, dt.date(1990, 3, 3), sex="M")
    with pytest.raises(ValidationError) as refused:
        save_pmi_draft(nurse_store, PmiForm(beneficiary_id=father, kind="prenatal"), REF, TODAY)
    assert "kind" in refused.value.errors


def test_only_the_author_completes_and_a_social_worker_neither_reads_nor_writes(
    nurse_store: LocalStore, data_dir: Path
) -> None:
    child = add_person(nurse_store, dt.date(2026, 7, 1))
    consultation = sign_pmi_consultation(nurse_store, child_form(child), REF, TODAY)

    colleague = as_user(nurse_store, data_dir, "croux")
    with pytest.raises(PmiRefusedError, match="Binh Nguyen"):
        add_pmi_addendum(colleague, consultation, "Ajout par une collègue.")
    screen = load_pmi_screen(colleague, child, consultation, REF, TODAY)
    assert not screen.editable and not screen.can_add_addendum
    assert "Binh Nguyen" in screen.read_only_reason

    social = as_user(colleague, data_dir, "amartin")
    try:
        with pytest.raises(PmiRefusedError, match="secret médical"):
            load_pmi_screen(social, child, consultation, REF, TODAY)
        with pytest.raises(PmiRefusedError):
            save_pmi_draft(social, child_form(child), REF, TODAY)
        assert rows(social, PmiConsultation) == 1
    finally:
        social.close()
