"""After a merge, the PMI and social forms follow the whole person: both records' history.

A baby registered twice (by the nurse, then by the social worker) has a PMI consultation on
each record; once the supervisor merges them the nurse sees one growth curve, the doses and
milestones of both, and any of the consultations opens from either record. A social
consultation written for a merged record still opens for its author and takes an addendum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.core.test_review import PASSWORD, REF, Opener, make_device, mark_synced, social_form
from van_app.core.follow_ups import open_follow_ups
from van_app.core.growth import growth_history
from van_app.core.local_store import LocalStore
from van_app.core.merge_people import merge_people
from van_app.core.models import PmiConsultation, SocialConsultation, SyncedRecord
from van_app.core.pmi import (
    CompletionRequest,
    PmiForm,
    PmiRefusedError,
    add_pmi_addendum,
    blank_form,
    load_pmi_screen,
    save_pmi_draft,
    sign_pmi_consultation,
)
from van_app.core.review import request_completion
from van_app.core.social import (
    ConsultationNotFoundError,
    FollowUpInput,
    add_social_addendum,
    load_social_consultation,
    save_social_draft,
    sign_social_consultation,
)
from van_app.core.today import people_seen
from van_app.core.vaccination import DoseStatus, check_vaccinations
from van_app.core.validation import ValidationError

BIRTH = dt.date(2026, 3, 1)
FIRST_VISIT = dt.date(2026, 5, 5)  # 65 days: first doses
SECOND_VISIT = dt.date(2026, 7, 10)  # 131 days: second doses
TODAY = dt.date(2026, 9, 15)  # 198 days: the second doses are late unless recorded

__all__ = ["PASSWORD"]


@pytest.fixture
def opener(data_dir: Path) -> Iterator[Opener]:
    opened = Opener(make_device(data_dir))
    yield opened
    opened.close()


def visit(nurse: LocalStore, child: str, day: dt.date, **values: object) -> str:
    """A signed child consultation on ``day`` (the nurse's ``today`` then)."""
    form = PmiForm(beneficiary_id=child, kind="child", duration_minutes=30)
    for name, value in values.items():
        setattr(form, name, value)
    return sign_pmi_consultation(nurse, form, REF, day)


@pytest.fixture
def baby(opener: Opener) -> dict[str, str]:
    """Léa Roux: the nurse's record (first visit), the social worker's (second visit)."""
    nurse, social = opener("bnguyen"), opener("amartin")
    mine = factories.add_person(
        nurse, birth_name="Roux", first_names="Léa", birth_date=BIRTH, sex="F"
    )
    theirs = factories.add_person(
        social, birth_name="Roux", first_names="Lea", birth_date=BIRTH, sex="F"
    )
    first = visit(
        nurse,
        mine,
        FIRST_VISIT,
        weight_g=5100,
        length_mm=575,
        head_circumference_mm=385,
        vaccinations=["hexa_1", "pcv_1"],
        development=["social_smile"],
    )
    second = visit(
        nurse,
        theirs,
        SECOND_VISIT,
        weight_g=6400,
        length_mm=630,
        head_circumference_mm=405,
        vaccinations=["hexa_2", "pcv_2"],
        development=["head_control"],
    )
    return {"kept": mine, "merged": theirs, "first": first, "second": second}


def merge(opener: Opener, keep: str, other: str) -> None:
    merge_people(opener("croux"), keep, other, {})


def stored_for(store: LocalStore, model: type[SyncedRecord], record_id: str) -> str:
    """The person a stored consultation points at."""
    with store.session() as session:
        record = session.get(model, record_id)
        assert record is not None
        return record.beneficiary_id  # type: ignore[attr-defined]


def test_before_the_merge_each_record_has_half_the_history(
    opener: Opener, baby: dict[str, str]
) -> None:
    data = load_pmi_screen(opener("bnguyen"), baby["kept"], None, REF, TODAY)
    assert [p.consultation_id for p in data.growth] == [baby["first"]]
    assert set(data.doses_before) == {"hexa_1", "pcv_1"}
    late = check_vaccinations(REF, BIRTH, TODAY, data.doses_before).late()
    assert {"hexa_2", "pcv_2"} <= {dose.code for dose in late}


def test_after_the_merge_the_nurse_sees_both_records_history(
    opener: Opener, baby: dict[str, str]
) -> None:
    merge(opener, baby["kept"], baby["merged"])
    nurse = opener("bnguyen")

    for person_id in (baby["kept"], baby["merged"]):  # the merged id opens the kept child
        data = load_pmi_screen(nurse, person_id, None, REF, TODAY)
        assert data.person.id == baby["kept"] and data.person.name == "ROUX Léa"
        assert [p.consultation_id for p in data.growth] == [baby["first"], baby["second"]]
        assert [p.weight_g for p in data.growth] == [5100, 6400]
        assert [p.age_days for p in data.growth] == [65, 131]
        assert data.doses_before == {
            "hexa_1": FIRST_VISIT,
            "pcv_1": FIRST_VISIT,
            "hexa_2": SECOND_VISIT,
            "pcv_2": SECOND_VISIT,
        }
        assert data.development_before == {
            "social_smile": FIRST_VISIT,
            "head_control": SECOND_VISIT,
        }
        check = check_vaccinations(REF, BIRTH, TODAY, data.doses_before)
        doses = {dose.code: dose for dose in check.doses}
        assert doses["hexa_2"].status is DoseStatus.DONE
        assert doses["hexa_2"].done_on == SECOND_VISIT
        assert not {"hexa_2", "pcv_2"} & {dose.code for dose in check.late()}

    with nurse.session() as session:  # the chart's own read, from either id
        for person_id in (baby["kept"], baby["merged"]):
            points = growth_history(session, nurse.user, person_id, BIRTH)
            assert [p.consultation_id for p in points] == [baby["first"], baby["second"]]


def test_an_old_consultation_of_the_merged_record_opens_with_its_own_history(
    opener: Opener, baby: dict[str, str]
) -> None:
    merge(opener, baby["kept"], baby["merged"])
    nurse = opener("bnguyen")
    for person_id in (baby["kept"], baby["merged"]):
        data = load_pmi_screen(nurse, person_id, baby["second"], REF, TODAY)
        assert data.person.id == baby["kept"]
        assert data.consultation is not None and data.consultation.id == baby["second"]
        assert data.consultation.form.beneficiary_id == baby["merged"]  # its own record
        assert [p.consultation_id for p in data.growth] == [baby["first"]]
        assert set(data.doses_before) == {"hexa_1", "pcv_1"}
        assert data.can_add_addendum
    add_pmi_addendum(nurse, baby["second"], "Vitamine D prescrite.")
    data = load_pmi_screen(nurse, baby["kept"], baby["second"], REF, TODAY)
    assert data.consultation is not None
    assert [a.note for a in data.consultation.addenda] == ["Vitamine D prescrite."]

    stranger = factories.add_person(nurse, birth_name="Dupré", first_names="Inès", birth_date=BIRTH)
    with pytest.raises(PmiRefusedError):
        load_pmi_screen(nurse, stranger, baby["second"], REF, TODAY)


def test_a_dose_of_the_merged_record_is_not_recorded_twice_and_new_visits_go_to_the_kept(
    opener: Opener, baby: dict[str, str]
) -> None:
    merge(opener, baby["kept"], baby["merged"])
    nurse = opener("bnguyen")
    with pytest.raises(ValidationError) as refused:
        visit(nurse, baby["kept"], TODAY, vaccinations=["hexa_2"])
    assert "déjà enregistrée (consultation du 10/07/2026)" in refused.value.errors["vaccinations"]

    data = load_pmi_screen(nurse, baby["merged"], None, REF, TODAY)
    form = blank_form(data)
    form.weight_g, form.vaccinations = 7300, ["menb_2"]
    new = sign_pmi_consultation(nurse, form, REF, TODAY)
    assert stored_for(nurse, PmiConsultation, new) == baby["kept"]
    stale = PmiForm(beneficiary_id=baby["merged"], kind="child", weight_g=7300)
    draft = save_pmi_draft(nurse, stale, REF, TODAY)  # a form opened before the merge
    assert stored_for(nurse, PmiConsultation, draft) == baby["kept"]


def test_a_draft_of_the_merged_record_is_finished_from_the_kept_file(
    opener: Opener, baby: dict[str, str]
) -> None:
    nurse = opener("bnguyen")
    draft = save_pmi_draft(
        nurse, PmiForm(beneficiary_id=baby["merged"], kind="child", weight_g=7300), REF, TODAY
    )
    merge(opener, baby["kept"], baby["merged"])
    data = load_pmi_screen(nurse, baby["kept"], draft, REF, TODAY)
    assert data.editable
    assert [p.consultation_id for p in data.growth] == [baby["first"], baby["second"]]
    form = blank_form(data)
    form.vaccinations = ["hexa_2"]  # given at the merged record's visit: refused
    with pytest.raises(ValidationError):
        sign_pmi_consultation(nurse, form, REF, TODAY)
    form.vaccinations = ["menb_2"]
    assert sign_pmi_consultation(nurse, form, REF, TODAY) == draft
    with nurse.session() as session:
        record = session.get(PmiConsultation, draft)
        assert record is not None
        assert (record.status, record.beneficiary_id) == ("signed", baby["merged"])


def test_a_completion_request_on_the_merged_record_shows_and_is_answered(
    opener: Opener, baby: dict[str, str]
) -> None:
    merge(opener, baby["kept"], baby["merged"])
    nurse = opener("bnguyen")
    mark_synced(nurse)
    request_completion(opener("eblanc"), "pmi", baby["second"], "Préciser l'allaitement.")

    def shown() -> CompletionRequest | None:
        data = load_pmi_screen(nurse, baby["kept"], baby["second"], REF, TODAY)
        assert data.consultation is not None
        return data.consultation.completion_request

    request = shown()
    assert request is not None and not request.answered
    assert request.comment == "Préciser l'allaitement."
    add_pmi_addendum(nurse, baby["second"], "Allaitement mixte depuis le 01/07.")
    request = shown()
    assert request is not None and request.answered


# -- the social side -------------------------------------------------------------------------


@pytest.fixture
def camille(opener: Opener) -> dict[str, str]:
    """An adult registered twice; the social worker saw her under the second record."""
    social = opener("amartin")
    kept = factories.add_person(
        social, birth_name="Roux", first_names="Camille", birth_date=dt.date(1995, 5, 5)
    )
    merged = factories.add_person(
        opener("bnguyen"), birth_name="Roux", first_names="Camile", birth_date=dt.date(1995, 5, 5)
    )
    form = social_form(merged, TODAY)
    form.outcome = "follow_up_opened"
    form.follow_ups = [FollowUpInput("energy", TODAY + dt.timedelta(days=14))]
    signed = sign_social_consultation(social, None, REF, TODAY, form=form)
    draft = save_social_draft(social, social_form(merged, TODAY), REF, TODAY)
    merge(opener, kept, merged)
    return {"kept": kept, "merged": merged, "signed": signed, "draft": draft}


def test_a_social_consultation_of_the_merged_record_opens_and_takes_an_addendum(
    opener: Opener, camille: dict[str, str]
) -> None:
    social = opener("amartin")
    for person_id in (camille["kept"], camille["merged"]):
        with social.session() as session:
            data = load_social_consultation(
                session, social.user, person_id, camille["signed"], REF, TODAY
            )
        assert data.person.beneficiary_id == camille["kept"]
        assert data.person.name == "ROUX Camille"
        assert data.form.beneficiary_id == camille["merged"]  # still its own record
        assert data.can_add_addendum and not data.editable

    add_social_addendum(social, camille["signed"], "Dossier FSL déposé le 14/09.")
    with social.session() as session:
        data = load_social_consultation(
            session, social.user, camille["kept"], camille["signed"], REF, TODAY
        )
    assert [a.note for a in data.addenda] == ["Dossier FSL déposé le 14/09."]

    colleague = opener("dfaure")  # a supervisor reads it, but does not complete it
    with colleague.session() as session:
        data = load_social_consultation(
            session, colleague.user, camille["kept"], camille["signed"], REF, TODAY
        )
    assert not data.can_add_addendum

    stranger = factories.add_person(social, birth_name="Faure", first_names="Inès")
    with social.session() as session, pytest.raises(ConsultationNotFoundError):
        load_social_consultation(session, social.user, stranger, camille["signed"], REF, TODAY)


def test_a_social_draft_of_the_merged_record_is_signed_from_the_kept_file(
    opener: Opener, camille: dict[str, str]
) -> None:
    social = opener("amartin")
    with social.session() as session:
        data = load_social_consultation(
            session, social.user, camille["kept"], camille["draft"], REF, TODAY
        )
    assert data.editable
    form = data.form
    form.beneficiary_id = camille["kept"]  # as a screen would send after the merge
    assert (
        sign_social_consultation(social, camille["draft"], REF, TODAY, form=form)
        == (camille["draft"])
    )
    with social.session() as session:
        record = session.get(SocialConsultation, camille["draft"])
        assert record is not None
        assert (record.status, record.beneficiary_id) == ("signed", camille["merged"])

    with social.session() as session:  # a new one, opened from the merged id, is the kept's
        new = load_social_consultation(session, social.user, camille["merged"], None, REF, TODAY)
    assert new.form.beneficiary_id == camille["kept"]
    created = save_social_draft(social, social_form(camille["merged"], TODAY), REF, TODAY)
    assert stored_for(social, SocialConsultation, created) == camille["kept"]


def test_lists_of_the_social_worker_show_the_kept_person(
    opener: Opener, camille: dict[str, str]
) -> None:
    social = opener("amartin")
    with social.session() as session:
        [row] = open_follow_ups(session, social.user, TODAY, REF)
        seen = people_seen(session, social.user, TODAY)
        stored = session.exec(select(SocialConsultation.beneficiary_id)).all()
    assert (row.person_name, row.beneficiary_id) == ("ROUX Camille", camille["kept"])
    assert {s.name for s in seen} == {"ROUX Camille"}
    assert {s.beneficiary_id for s in seen} == {camille["kept"]}
    assert set(stored) == {camille["merged"]}, "nothing authored was moved"
