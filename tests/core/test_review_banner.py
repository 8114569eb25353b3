"""The supervisor's request on the author's form: one rule for the social and the PMI forms.

A request shows while it waits for the author; the author's addendum written after it answers
it (the banner goes, the queue says "Complément apporté"); a renewed request shows again; a
validation settles it. The forms, the queue and Today must never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_review import REF, TODAY, Opener, make_device, make_visits, queue, requests
from van_app.core.local_store import LocalStore
from van_app.core.outbox import FROM_SERVER
from van_app.core.pmi import add_pmi_addendum, load_pmi_consultation
from van_app.core.review import (
    COMPLETION_PROVIDED,
    COMPLETION_REQUESTED,
    VALIDATED,
    request_completion,
    validate,
)
from van_app.core.review_records import models_of
from van_app.core.social import add_social_addendum, load_social_consultation

AUTHORS = {"social": "amartin", "pmi": "bnguyen"}
# A PMI visit is reviewed by a supervisor who reads it: Emma is also a PMI nurse.
REVIEWERS = {"social": "croux", "pmi": "eblanc"}


@pytest.fixture
def opener(data_dir: Path) -> Iterator[Opener]:
    opened = Opener(make_device(data_dir))
    yield opened
    opened.close()


@pytest.fixture
def visits(opener: Opener) -> dict[str, str]:
    return make_visits(opener)


def banner(store: LocalStore, kind: str, visits: dict[str, str]) -> str | None:
    """The request's comment as the author's form shows it, None when the form shows none."""
    if kind == "social":
        with store.session() as session:
            data = load_social_consultation(
                session, store.user, visits["josiane"], visits["social"], REF, TODAY
            )
        return data.review.comment if data.review else None
    request = load_pmi_consultation(store, visits["pmi"]).completion_request
    return request.comment if request is not None and not request.answered else None


def status(croux: LocalStore, consultation_id: str) -> str:
    [row] = [r for r in queue(croux) if r.consultation_id == consultation_id]
    return row.review_status


def answer(store: LocalStore, kind: str, visits: dict[str, str], text: str) -> None:
    add = add_social_addendum if kind == "social" else add_pmi_addendum
    add(store, visits[kind], text)


@pytest.mark.parametrize("kind", ["social", "pmi"])
def test_the_banner_follows_the_queues_status(
    opener: Opener, visits: dict[str, str], kind: str
) -> None:
    croux, author = opener(REVIEWERS[kind]), opener(AUTHORS[kind])
    consultation = visits[kind]
    assert banner(author, kind, visits) is None

    request_completion(croux, kind, consultation, "Préciser le montant.")
    assert status(croux, consultation) == COMPLETION_REQUESTED
    assert banner(author, kind, visits) == "Préciser le montant."
    assert [r.consultation_id for r in requests(author)] == [consultation]

    answer(author, kind, visits, "Montant : 412,50 €.")
    assert status(croux, consultation) == COMPLETION_PROVIDED
    assert banner(author, kind, visits) is None, "answered: the form no longer asks"
    assert requests(author) == []

    request_completion(croux, kind, consultation, "Préciser aussi la date.")  # renewed
    assert status(croux, consultation) == COMPLETION_REQUESTED
    assert banner(author, kind, visits) == "Préciser aussi la date."

    answer(author, kind, visits, "Facture du 02/05/2026.")
    validate(croux, kind, consultation)
    assert status(croux, consultation) == VALIDATED
    assert banner(author, kind, visits) is None


@pytest.mark.parametrize("kind", ["social", "pmi"])
def test_a_note_not_by_the_author_does_not_answer(
    opener: Opener, visits: dict[str, str], kind: str
) -> None:
    croux, author = opener(REVIEWERS[kind]), opener(AUTHORS[kind])
    request_completion(croux, kind, visits[kind], "Préciser le montant.")
    _, addendum_model = models_of(kind)
    with croux.session() as session:  # came with a sync: a colleague's, not the author's
        session.info[FROM_SERVER] = True
        session.add(
            addendum_model(
                consultation_id=visits[kind],
                note="Vu avec la personne.",
                author="eblanc",
                device="dev-e",
                created_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
                server_version=99,
            )
        )
    assert status(croux, visits[kind]) == COMPLETION_REQUESTED
    assert banner(author, kind, visits) == "Préciser le montant."
