"""The supervisor's review: the queue, what may be read, requests answered by addenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests import factories
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    PmiConsultation,
    SocialConsultation,
    SupervisorReview,
    TourStop,
)
from van_app.core.outbox import FROM_SERVER, OutboxEntry
from van_app.core.pmi import (
    PmiForm,
    add_pmi_addendum,
    load_pmi_consultation,
    sign_pmi_consultation,
)
from van_app.core.reference import reference
from van_app.core.review import (
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    PMI_REVIEW,
    TO_ACT,
    TO_REVIEW,
    VALIDATED,
    ReviewAccessError,
    ReviewFilter,
    completion_requests_for,
    consultation_detail,
    filter_choices,
    request_completion,
    review_queue,
    validate,
)
from van_app.core.social import (
    OrientationInput,
    SocialForm,
    add_social_addendum,
    save_social_draft,
    sign_social_consultation,
)
from van_app.core.today import today_summary
from van_app.core.validation import ValidationError

TODAY = dt.date(2026, 5, 12)
PASSWORD = "Relecture-CMS-2026"
REF = reference()
SOCIAL_NOTE = "Dossier FSL énergie préparé avec la personne."
PMI_NOTE = "Bonne prise de poids."


# -- a CMS device with its professionals, and consultations "pulled" from the server ----------


def make_device(data_dir: Path) -> Path:
    """Agnès (social), Binh (PMI), Claire and Denis (supervisors), Emma (supervisor + PMI)."""
    store = factories.new_store(data_dir, "amartin", PASSWORD, "Agnès Martin", ["social_worker"])
    factories.add_professional(store, "bnguyen", PASSWORD, "Binh Nguyen", ["pmi_nurse"])
    factories.add_professional(store, "croux", PASSWORD, "Claire Roux", ["supervisor"])
    factories.add_professional(store, "dfaure", PASSWORD, "Denis Faure", ["supervisor"])
    factories.add_professional(store, "eblanc", PASSWORD, "Emma Blanc", ["supervisor", "pmi_nurse"])
    store.close()
    return data_dir


class Opener:
    """``opener("croux")``: the device unlocked by that professional; ``close()`` them all."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.opened: list[LocalStore] = []

    def __call__(self, username: str) -> LocalStore:
        store = LocalStore.open(self.data_dir, username, PASSWORD)
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in self.opened:
            store.close()


@pytest.fixture
def as_user(data_dir: Path) -> Iterator[Opener]:
    opener = Opener(make_device(data_dir))
    yield opener
    opener.close()


def mark_synced(store: LocalStore, model=None) -> None:  # type: ignore[no-untyped-def]
    """As after a sync: every consultation has a server version (set by a pull, not queued)."""
    with store.session() as session:
        session.info[FROM_SERVER] = True
        for table in [model] if model else [SocialConsultation, PmiConsultation]:
            for record in session.exec(select(table)).all():
                record.server_version = record.server_version or 1
                session.add(record)


def social_form(person_id: str, day: dt.date = TODAY) -> SocialForm:
    return SocialForm(
        beneficiary_id=person_id,
        consultation_date=day,
        duration_minutes=45,
        arrival_mode="town_hall_poster",
        demand_types=["energy"],
        actions=["information"],
        outcome="oriented",
        note=SOCIAL_NOTE,
        orientations=[OrientationInput("adil", day)],
    )


def signed_social(store: LocalStore, person_id: str, day: dt.date = TODAY) -> str:
    return sign_social_consultation(store, None, REF, day, form=social_form(person_id, day))


def signed_pmi(store: LocalStore, child_id: str) -> str:
    form = PmiForm(
        beneficiary_id=child_id,
        kind="child",
        duration_minutes=30,
        weight_g=6400,
        length_mm=630,
        head_circumference_mm=415,
        feeding_mode="exclusive_breastfeeding",
        note=PMI_NOTE,
    )
    return sign_pmi_consultation(store, form, REF, TODAY)


def count(store: LocalStore, model, **where) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


def queue(store: LocalStore, **filters) -> list:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return review_queue(session, store.user, ReviewFilter(**filters), REF)


def requests(store: LocalStore) -> list:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return completion_requests_for(session, store.user)


def detail(store: LocalStore, kind: str, consultation_id: str):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return consultation_detail(session, store.user, kind, consultation_id, REF)


def make_visits(as_user: Opener) -> dict[str, str]:
    """At Luc-en-Diois today: Josiane (social, signed), Hélène (social, draft), a baby (PMI);
    at Die (26113) a week earlier: Josiane again. All synced except one more signed visit."""
    social = as_user("amartin")
    stop = factories.add_stop(social, TODAY)
    with social.session() as session:
        earlier = TourStop(
            commune_insee="26113",
            stop_date=TODAY - dt.timedelta(days=7),
            start_time=dt.time(14),
            end_time=dt.time(17),
            place="Place du marché",
            services="social",
            cms_code="CMS-DIE",
            author="",
            device="",
        )
        session.add(social.stamp(earlier))
        earlier_id = earlier.id
    josiane = factories.add_person(social)
    helene = factories.add_person(
        social, birth_name="Dupré", first_names="Hélène", birth_date=dt.date(1990, 3, 12)
    )
    baby = factories.add_person(
        social, birth_name="Roux", first_names="Léa", birth_date=dt.date(2025, 12, 1)
    )
    ids = {
        "stop": stop,
        "earlier_stop": earlier_id,
        "josiane": josiane,
        "helene": helene,
        "baby": baby,
        "social": signed_social(social, josiane),
        "earlier": signed_social(social, josiane, TODAY - dt.timedelta(days=7)),
        "draft": save_social_draft(social, social_form(helene), REF, TODAY),
    }
    ids["pmi"] = signed_pmi(as_user("bnguyen"), baby)
    mark_synced(social)
    ids["unsynced"] = signed_social(social, helene)  # written after the last sync
    return ids


@pytest.fixture
def visits(as_user: Opener) -> dict[str, str]:
    return make_visits(as_user)


# -- the queue -------------------------------------------------------------------------------


def test_queue_holds_synced_consultations_and_filters_them(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux = as_user("croux")
    rows = queue(croux)
    assert {r.consultation_id for r in rows} == {
        visits["social"],
        visits["earlier"],
        visits["draft"],
        visits["pmi"],
    }, "only synced consultations, drafts included"
    row = next(r for r in rows if r.consultation_id == visits["social"])
    assert row.person_name == "ACHARD Josiane"
    assert row.professional == "Agnès Martin"
    assert row.service == "Accueil social"
    assert row.place == "Luc-en-Diois — Parking de la salle des fêtes"
    assert (row.consultation_status_label, row.review_label) == ("Signée", "À relire")
    [draft] = [r for r in rows if r.consultation_id == visits["draft"]]
    assert (draft.consultation_status_label, draft.review_label) == (
        "Brouillon",
        "Pas encore signée",
    ), "a draft its author may still change is not offered for review"
    assert rows[0].date == TODAY and rows[-1].date == TODAY - dt.timedelta(days=7)

    def ids(**filters: object) -> set[str]:
        return {r.consultation_id for r in queue(croux, **filters)}

    assert ids(start=TODAY, end=TODAY) == {visits["social"], visits["draft"], visits["pmi"]}
    assert ids(end=TODAY - dt.timedelta(days=1)) == {visits["earlier"]}
    assert ids(stop_id=visits["earlier_stop"]) == {visits["earlier"]}
    assert ids(commune_insee="26113") == {visits["earlier"]}
    assert ids(commune_insee="26167", service="social") == {visits["social"], visits["draft"]}
    assert ids(service="pmi") == {visits["pmi"]}
    assert ids(author="bnguyen") == {visits["pmi"]}
    assert ids(status=TO_ACT) == {visits["social"], visits["earlier"]}, (
        "a PMI visit waits for a supervisor who reads it, not for Claire"
    )
    assert ids(status=TO_REVIEW) == ids(status=TO_ACT)
    assert ids(status=PMI_REVIEW) == {visits["pmi"]}
    assert ids(status=VALIDATED) == set()

    with croux.session() as session:
        choices = filter_choices(session, croux.user, REF, TODAY, TODAY)
    assert choices.communes == (("26167", "Luc-en-Diois"),)
    assert [label for _, label in choices.professionals] == ["Agnès Martin", "Binh Nguyen"]
    assert choices.stops == (
        (visits["stop"], "12/05/2026 — Luc-en-Diois — Parking de la salle des fêtes"),
    )


def test_only_a_supervisor_reviews(as_user: Opener, visits: dict[str, str]) -> None:
    social = as_user("amartin")
    with pytest.raises(ReviewAccessError, match="responsable du CMS"):
        queue(social)
    with pytest.raises(ReviewAccessError):
        validate(social, "social", visits["social"])
    assert count(social, SupervisorReview) == 0


def test_a_merged_duplicate_shows_the_person_it_was_merged_into(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux = as_user("croux")
    with croux.session() as session:
        session.info[FROM_SERVER] = True  # the supervisor's merge, come back from the server
        person = session.get(Beneficiary, visits["helene"])
        assert person is not None
        person.merged_into_id = visits["josiane"]
        session.add(person)
    [row] = [r for r in queue(croux) if r.consultation_id == visits["draft"]]
    assert row.person_name == "ACHARD Josiane"
    assert row.person_id == visits["helene"], "the consultation still points at its own record"


# -- requesting a completion, and the author's answer ----------------------------------------


def test_empty_request_is_refused_and_writes_nothing(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux = as_user("croux")
    before = count(croux, OutboxEntry)
    with pytest.raises(ValidationError) as refused:
        request_completion(croux, "social", visits["social"], "   ")
    assert "Écrivez ce qu'il faut compléter" in refused.value.errors["comment"]
    with pytest.raises(ValidationError, match="2\u00a0000 caractères"):
        request_completion(croux, "social", visits["social"], "x" * 2001)
    assert count(croux, SupervisorReview) == 0
    assert count(croux, OutboxEntry) == before


def test_request_answered_by_an_addendum_then_validated(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux = as_user("croux")
    before = count(croux, OutboxEntry)
    review_id = request_completion(
        croux, "social", visits["social"], " Préciser le montant de l'impayé. "
    )
    with croux.session() as session:
        review = session.get(SupervisorReview, review_id)
        consultation = session.get(SocialConsultation, visits["social"])
    assert review is not None and consultation is not None
    assert (review.author, review.status, review.consultation_kind) == (
        "croux",
        "completion_requested",
        "social",
    )
    assert review.comment == "Préciser le montant de l'impayé."
    assert consultation.note == SOCIAL_NOTE and consultation.author == "amartin"
    assert count(croux, OutboxEntry) == before + 1, "the review alone is queued"
    assert count(croux, OutboxEntry, record_table="supervisor_review", record_id=review_id) == 1
    [row] = [r for r in queue(croux) if r.consultation_id == visits["social"]]
    assert (row.review_status, row.review_label) == (COMPLETION_REQUESTED, "Complément demandé")
    assert row.comment == "Préciser le montant de l'impayé." and row.reviewer == "Claire Roux"

    # The author sees the request (on Today), answers with an addendum, and it leaves.
    author = as_user("amartin")
    [waiting] = requests(author)
    assert (waiting.kind, waiting.consultation_id, waiting.person_id) == (
        "social",
        visits["social"],
        visits["josiane"],
    )
    assert (waiting.person_name, waiting.reviewer) == ("ACHARD Josiane", "Claire Roux")
    assert waiting.consultation_date == TODAY
    with author.session() as session:
        summary = today_summary(session, author.user, TODAY, REF)
    assert [r.consultation_id for r in summary.completion_requests] == [visits["social"]]
    assert requests(as_user("bnguyen")) == [], "another professional's request is not theirs"
    add_social_addendum(author, visits["social"], "Impayé de 412,50 € (facture du 02/05).")
    assert requests(author) == []
    [row] = [r for r in queue(croux) if r.consultation_id == visits["social"]]
    assert (row.review_status, row.review_label) == (COMPLETION_PROVIDED, "Complément apporté")
    assert visits["social"] in {r.consultation_id for r in queue(croux, status=TO_ACT)}

    # Validating is a new record: the request stays in the history, beside its answer.
    validation_id = validate(croux, "social", visits["social"])
    assert validation_id != review_id
    assert count(croux, SupervisorReview) == 2
    with croux.session() as session:
        request = session.get(SupervisorReview, review_id)
    assert request is not None and request.status == "completion_requested"
    assert request.comment == "Préciser le montant de l'impayé.", "never rewritten"
    [row] = [r for r in queue(croux) if r.consultation_id == visits["social"]]
    assert (row.review_status, row.comment) == (VALIDATED, "")
    assert [(s.step, s.who) for s in row.thread] == [
        ("request", "Claire Roux"),
        ("answer", "Agnès Martin"),
        ("validation", "Claire Roux"),
    ]
    assert "Préciser le montant de l'impayé." in row.thread[0].line()
    assert "412,50" not in " ".join(s.line() for s in row.thread), "no content in the queue"
    thread = detail(croux, "social", visits["social"]).thread
    assert [(s.label, s.text, s.current) for s in thread] == [
        ("Demande de complément", "Préciser le montant de l'impayé.", False),
        ("Complément de l'auteur·rice", "Impayé de 412,50 € (facture du 02/05).", False),
        ("Validation", "", True),
    ]
    assert visits["social"] not in {r.consultation_id for r in queue(croux, status=TO_ACT)}
    assert validate(croux, "social", visits["social"]) == validation_id  # again: nothing sent
    assert count(croux, SupervisorReview) == 2


def test_a_new_request_after_an_answer_waits_again(as_user: Opener, visits: dict[str, str]) -> None:
    croux, author = as_user("croux"), as_user("amartin")
    request_completion(croux, "social", visits["social"], "Préciser le montant.")
    add_social_addendum(author, visits["social"], "Montant : 412,50 €.")
    request_completion(croux, "social", visits["social"], "Préciser aussi la date de la facture.")
    [waiting] = requests(author)
    assert waiting.comment == "Préciser aussi la date de la facture."
    assert count(croux, SupervisorReview) == 2, "both requests are kept"
    steps = [s.step for s in detail(croux, "social", visits["social"]).thread]
    assert steps == ["request", "answer", "request"]


def test_another_supervisors_review_is_a_new_record_and_the_latest_counts(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux, faure = as_user("croux"), as_user("dfaure")
    first = validate(croux, "social", visits["social"], "RAS.")
    second = request_completion(faure, "social", visits["social"], "Indiquer l'orientation CAF.")
    assert first != second
    with faure.session() as session:
        first_review = session.get(SupervisorReview, first)
    assert first_review is not None and first_review.status == "validated", "not overwritten"
    [row] = [r for r in queue(croux) if r.consultation_id == visits["social"]]
    assert (row.review_status, row.reviewer) == (COMPLETION_REQUESTED, "Denis Faure")
    history = detail(croux, "social", visits["social"]).reviews
    assert [(r.reviewer, r.current) for r in history] == [
        ("Denis Faure", True),
        ("Claire Roux", False),
    ]
    validate(croux, "social", visits["social"])  # a new record of Claire's, now the latest
    assert count(croux, SupervisorReview) == 3
    [row] = [r for r in queue(croux) if r.consultation_id == visits["social"]]
    assert (row.review_status, row.reviewer) == (VALIDATED, "Claire Roux")


def test_drafts_unsynced_and_own_consultations_are_not_reviewed(
    as_user: Opener, visits: dict[str, str]
) -> None:
    croux = as_user("croux")
    with pytest.raises(ReviewAccessError, match="brouillon"):
        validate(croux, "social", visits["draft"])
    with pytest.raises(ReviewAccessError, match="synchronisée"):
        request_completion(croux, "social", visits["unsynced"], "À compléter.")
    assert not detail(croux, "social", visits["draft"]).can_review
    # Emma is a supervisor and a PMI nurse: she does not review her own consultation.
    emma = as_user("eblanc")
    own = signed_pmi(emma, visits["baby"])
    mark_synced(emma, PmiConsultation)
    with pytest.raises(ReviewAccessError, match="auteur"):
        validate(emma, "pmi", own)
    assert count(croux, SupervisorReview) == 0


# -- what the role may read ------------------------------------------------------------------


def test_social_detail_shows_the_social_content(as_user: Opener, visits: dict[str, str]) -> None:
    croux = as_user("croux")
    add_social_addendum(as_user("amartin"), visits["social"], "Dossier déposé à la CAF.")
    shown = detail(croux, "social", visits["social"])
    entries = {e.label: e.value for e in shown.entries}
    assert entries["Note"] == SOCIAL_NOTE
    assert entries["Demandes"] == REF.label("demand_types", "energy")
    assert entries["Orientation"].startswith(REF.label("partners", "adil"))
    assert shown.reserved_notice == ""
    assert [(a.author, a.text, a.reserved) for a in shown.addenda] == [
        ("Agnès Martin", "Dossier déposé à la CAF.", "")
    ]
    assert (shown.review_label, shown.can_review) == ("À relire", True)


def test_pmi_detail_keeps_the_medical_secret(as_user: Opener, visits: dict[str, str]) -> None:
    add_pmi_addendum(as_user("bnguyen"), visits["pmi"], "Vitamine D prescrite.")
    croux = as_user("croux")
    shown = detail(croux, "pmi", visits["pmi"])
    labels = {e.label for e in shown.entries}
    assert labels == {"Durée"}, "only class S reaches a supervisor"
    assert "réservé au personnel de PMI" in shown.reserved_notice
    assert PMI_NOTE not in repr(shown) and "6,4" not in repr(shown)
    [addendum] = shown.addenda
    assert addendum.text == "" and addendum.reserved == "Contenu réservé au personnel de PMI."
    assert shown.review_status == PMI_REVIEW and shown.review_label == "Relecture PMI"
    assert not shown.can_review and not shown.content_readable
    assert "Relecture PMI" in shown.cannot_review_reason
    for decide in (validate, lambda store, kind, cid: request_completion(store, kind, cid, "?")):
        with pytest.raises(ReviewAccessError, match="Relecture PMI"):
            decide(croux, "pmi", visits["pmi"])
    assert count(croux, SupervisorReview) == 0

    emma = as_user("eblanc")  # supervisor and PMI nurse: reads the medical content
    shown = detail(emma, "pmi", visits["pmi"])
    entries = {e.label: e.value for e in shown.entries}
    assert entries["Note"] == PMI_NOTE and entries["Poids"].startswith("6,4")
    assert shown.reserved_notice == ""
    assert (shown.review_status, shown.can_review) == (TO_REVIEW, True)
    assert visits["pmi"] in {r.consultation_id for r in queue(emma, status=TO_ACT)}
    assert shown.addenda[0].text == "Vitamine D prescrite."


def test_pmi_request_answered_by_the_nurse(as_user: Opener, visits: dict[str, str]) -> None:
    croux, nurse = as_user("eblanc"), as_user("bnguyen")  # Emma reviews PMI: she reads it
    request_completion(croux, "pmi", visits["pmi"], "Préciser le prochain rendez-vous.")
    [waiting] = requests(nurse)
    assert (waiting.kind, waiting.person_name) == ("pmi", "ROUX Léa")
    add_pmi_addendum(nurse, visits["pmi"], "Rendez-vous fixé au 12/06/2026.")
    assert requests(nurse) == []
    assert detail(croux, "pmi", visits["pmi"]).review_status == COMPLETION_PROVIDED
    shown = load_pmi_consultation(nurse, visits["pmi"]).completion_request
    assert shown is not None and shown.answered

    # Renewed (a new request of Emma's): the nurse's form shows it as waiting again.
    request_completion(croux, "pmi", visits["pmi"], "Préciser aussi le traitement.")
    [waiting] = requests(nurse)
    shown = load_pmi_consultation(nurse, visits["pmi"]).completion_request
    assert shown is not None and not shown.answered
    assert shown.comment == waiting.comment == "Préciser aussi le traitement."
