"""The social consultation's life: draft, sign, addenda; refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests import factories
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    FollowUp,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    SupervisorReview,
)
from van_app.core.outbox import OutboxEntry
from van_app.core.reference import reference
from van_app.core.social import (
    FollowUpInput,
    OrientationInput,
    SocialAccessError,
    SocialForm,
    add_social_addendum,
    load_social_consultation,
    save_social_draft,
    sign_social_consultation,
)
from van_app.core.validation import ValidationError

TODAY = dt.date(2026, 5, 12)
PASSWORD = "Soleil-du-Diois-2026"


def add_person(store: LocalStore, known: bool = True) -> str:
    """Josiane Achard, 75 on TODAY, known to the CMS unless told otherwise."""
    return factories.add_person(store, known_to_cms=known)


def add_stop(store: LocalStore, day: dt.date = TODAY, cms: str = "CMS-DIE") -> str:
    return factories.add_stop(store, day, cms_code=cms)


def count(store: LocalStore, model) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def counts(store: LocalStore) -> dict[str, int]:
    models = (SocialConsultation, SocialOrientation, FollowUp, SocialAddendum, OutboxEntry)
    return {m.__name__: count(store, m) for m in models}


def full_form(person_id: str) -> SocialForm:
    return SocialForm(
        beneficiary_id=person_id,
        consultation_date=TODAY,
        duration_minutes=45,
        known_before=False,
        arrival_mode="town_hall_poster",
        demand_types=["energy", "housing"],
        actions=["information", "file_preparation"],
        outcome="follow_up_opened",
        note="Dossier FSL énergie préparé avec la personne.",
        orientations=[OrientationInput("adil", TODAY)],
        follow_ups=[FollowUpInput("energy", TODAY + dt.timedelta(days=14))],
    )


@pytest.fixture
def nurse_store(social_store: LocalStore, data_dir: Path) -> Iterator[LocalStore]:
    factories.add_nurse(social_store, PASSWORD)
    with factories.opened_as(data_dir, factories.NURSE_USERNAME, PASSWORD) as store:
        yield store


@pytest.fixture
def colleague_store(social_store: LocalStore, data_dir: Path) -> Iterator[LocalStore]:
    factories.add_professional(social_store, "dfaure", PASSWORD, "Denis Faure", ["social_worker"])
    with factories.opened_as(data_dir, "dfaure", PASSWORD) as store:
        yield store


def test_draft_then_sign_then_addendum(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    stop = add_stop(social_store)
    form = full_form(person)
    form.outcome = None
    form.arrival_mode = None
    consultation_id = save_social_draft(social_store, form, ref, TODAY)

    with social_store.session() as session:
        stored = session.get(SocialConsultation, consultation_id)
        assert stored is not None
        assert stored.status == "draft" and stored.stop_id == stop
        assert stored.demand_types == ["energy", "housing"]
        assert stored.author == "amartin"
        orientation = session.exec(select(SocialOrientation)).one()
        assert orientation.partner_code == "adil" and orientation.consultation_id == stored.id
        follow_up = session.exec(select(FollowUp)).one()
        assert follow_up.opened_on == TODAY and follow_up.beneficiary_id == person

    # A draft lacking the arrival mode and outcome cannot be signed.
    with pytest.raises(ValidationError) as refused:
        sign_social_consultation(social_store, consultation_id, ref, TODAY)
    assert refused.value.errors["arrival_mode"] == "Indiquez comment la personne est venue."
    assert refused.value.errors["outcome"] == "Indiquez l'issue de la consultation."

    with social_store.session() as session:
        data = load_social_consultation(
            session, social_store.user, person, consultation_id, ref, TODAY
        )
    assert data.editable and data.status == "draft" and data.stop_label == "Luc-en-Diois"
    data.form.arrival_mode = "word_of_mouth"
    data.form.outcome = "follow_up_opened"
    sign_social_consultation(social_store, consultation_id, ref, TODAY, form=data.form)

    with social_store.session() as session:
        stored = session.get(SocialConsultation, consultation_id)
        assert stored.status == "signed" and stored.signed_at is not None
        assert stored.arrival_mode == "word_of_mouth"

    add_social_addendum(social_store, consultation_id, "La personne a rappelé : dossier complet.")
    with social_store.session() as session:
        data = load_social_consultation(
            session, social_store.user, person, consultation_id, ref, TODAY
        )
    assert not data.editable and data.can_add_addendum
    assert [a.note for a in data.addenda] == ["La personne a rappelé : dossier complet."]
    assert data.addenda[0].author == "Agnès Martin"


def test_signed_consultation_cannot_be_changed(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    consultation_id = sign_social_consultation(
        social_store, None, ref, TODAY, form=full_form(person)
    )
    before = counts(social_store)
    with social_store.session() as session:
        form = load_social_consultation(
            session, social_store.user, person, consultation_id, ref, TODAY
        ).form
    form.note = "Réécriture après signature."
    with pytest.raises(SocialAccessError, match="signée"):
        save_social_draft(social_store, form, ref, TODAY)
    with pytest.raises(SocialAccessError, match="déjà signée"):
        sign_social_consultation(social_store, consultation_id, ref, TODAY)
    assert counts(social_store) == before
    with social_store.session() as session:
        assert session.get(SocialConsultation, consultation_id).note.startswith("Dossier FSL")


def test_addendum_only_on_signed_and_not_empty(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    draft = save_social_draft(social_store, full_form(person), ref, TODAY)
    with pytest.raises(SocialAccessError, match="signée"):
        add_social_addendum(social_store, draft, "Complément.")
    sign_social_consultation(social_store, draft, ref, TODAY)
    with pytest.raises(ValidationError) as refused:
        add_social_addendum(social_store, draft, "   ")
    assert refused.value.errors == {"note": "Écrivez le texte du complément."}
    assert count(social_store, SocialAddendum) == 0


def test_invalid_input_is_refused_whole(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    form = full_form(person)
    form.orientations.append(OrientationInput(None, TODAY))
    form.follow_ups[0].demand_type = "rsa"  # not among the consultation's demand types
    before = counts(social_store)
    with pytest.raises(ValidationError) as refused:
        save_social_draft(social_store, form, ref, TODAY)
    assert refused.value.errors["orientations[1].partner_code"] == "Choisissez le partenaire."
    assert "follow_ups[0].demand_type" in refused.value.errors
    assert counts(social_store) == before


def test_edit_replaces_removed_rows_with_tombstones(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    consultation_id = save_social_draft(social_store, full_form(person), ref, TODAY)
    with social_store.session() as session:
        form = load_social_consultation(
            session, social_store.user, person, consultation_id, ref, TODAY
        ).form
    old_orientation = form.orientations[0].id
    form.orientations = [OrientationInput("caf", TODAY)]
    form.follow_ups[0].due_on = TODAY + dt.timedelta(days=7)
    save_social_draft(social_store, form, ref, TODAY)
    with social_store.session() as session:
        orientations = session.exec(select(SocialOrientation)).all()
        assert {(o.partner_code, o.deleted) for o in orientations} == {
            ("adil", True),
            ("caf", False),
        }
        assert session.get(SocialOrientation, old_orientation).deleted
        follow_up = session.exec(select(FollowUp)).one()
        assert follow_up.due_on == TODAY + dt.timedelta(days=7) and not follow_up.deleted
        assert session.exec(select(func.count()).select_from(SocialConsultation)).one() == 1


def test_hors_tournee_without_a_stop(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    add_stop(social_store, cms="CMS-NYONS")  # another CMS's stop is not ours
    consultation_id = save_social_draft(social_store, full_form(person), ref, TODAY)
    with social_store.session() as session:
        assert session.get(SocialConsultation, consultation_id).stop_id is None


def test_nurse_is_refused(social_store: LocalStore, nurse_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store)
    before = counts(social_store)
    with pytest.raises(SocialAccessError, match="assistant·e socio-éducatif·ve"):
        save_social_draft(nurse_store, full_form(person), ref, TODAY)
    with pytest.raises(SocialAccessError), nurse_store.session() as session:
        load_social_consultation(session, nurse_store.user, person, None, ref, TODAY)
    assert counts(social_store) == before


def test_another_social_worker_cannot_change_or_complete(
    social_store: LocalStore, colleague_store: LocalStore
) -> None:
    ref = reference()
    person = add_person(social_store)
    consultation_id = save_social_draft(social_store, full_form(person), ref, TODAY)
    with colleague_store.session() as session:
        data = load_social_consultation(
            session, colleague_store.user, person, consultation_id, ref, TODAY
        )
    assert not data.editable and not data.can_add_addendum
    data.form.note = "Modifié par un collègue."
    with pytest.raises(SocialAccessError, match="autre professionnel"):
        save_social_draft(colleague_store, data.form, ref, TODAY)
    sign_social_consultation(social_store, consultation_id, ref, TODAY)
    with pytest.raises(SocialAccessError, match="autre professionnel"):
        add_social_addendum(colleague_store, consultation_id, "Complément d'un collègue.")
    assert count(social_store, SocialAddendum) == 0


def test_new_form_defaults_and_supervisor_request(social_store: LocalStore) -> None:
    ref = reference()
    person = add_person(social_store, known=True)
    with social_store.session() as session:
        data = load_social_consultation(session, social_store.user, person, None, ref, TODAY)
    assert data.status == "new" and data.form.known_before is True
    assert data.form.consultation_date == TODAY and data.stop_label is None
    assert data.person.name == "ACHARD Josiane" and data.person.age == "75 ans"

    consultation_id = sign_social_consultation(
        social_store, None, ref, TODAY, form=full_form(person)
    )
    with social_store.session() as session:
        session.add(
            social_store.stamp(
                SupervisorReview(
                    consultation_id=consultation_id,
                    consultation_kind="social",
                    status="completion_requested",
                    comment="Préciser la date du dépôt du dossier FSL.",
                    author="",
                    device="",
                )
            )
        )
    with social_store.session() as session:
        data = load_social_consultation(
            session, social_store.user, person, consultation_id, ref, TODAY
        )
    assert data.review is not None
    assert data.review.comment == "Préciser la date du dépôt du dossier FSL."
