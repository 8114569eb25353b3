"""Right of access (RGPD art. 15): the information beside the data, every answer recorded,
removed items marked as removed, and still nothing about anyone else."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import select

from tests.core.test_access_export import (
    NURSE,
    OTHER_PEOPLE,
    SOCIAL,
    SUPERVISOR,
    VISIT_DAY,
    Mother,
    _add,
    export,
    flat,
    mother,
    section,
)
from tests.pdf import pdf_text
from van_app.core.data_protection import parse_data_protection
from van_app.core.local_store import LocalStore
from van_app.core.models import FollowUp, PmiConsultation, SocialConsultation, SocialOrientation
from van_app.core.reference import ReferenceDataError, reference
from van_app.core.reports.access_article15 import TITLE, kept_until
from van_app.core.reports.access_export import write_access_pdf
from van_app.core.reports.access_records import KNOWN_BEFORE_LABEL, SHOWN_ELSEWHERE, SPECS

__all__ = ["mother"]  # the fixture, shared

ARTICLE_15_LABELS = (
    "Responsable du traitement",
    "Délégué·e à la protection des données (DPO)",
    "Pour exercer vos droits",
    "a) Finalités",
    "b) Catégories de données",
    "c) Destinataires",
    "d) Durée de conservation",
    "e) Vos droits",
    "f) Réclamation auprès de la CNIL",
    "g) Source des données",
    "h) Décision automatisée, profilage",
    "Transferts hors de l'Union européenne (art. 15.2)",
)


@dataclasses.dataclass
class Removed:
    orientation_partner: str
    draft_note: str
    stranger_note: str


@pytest.fixture
def removed(social_store: LocalStore, mother: Mother) -> Removed:
    """On Camille's file: an orientation taken off her June draft, a deleted draft and a
    deleted follow-up; on the stranger's: a deleted draft (never in Camille's export)."""
    with social_store.session() as session:
        june = session.exec(
            select(SocialConsultation).where(
                SocialConsultation.consultation_date == dt.date(2026, 6, 2)
            )
        ).one()
    orientation = SocialOrientation(
        consultation_id=june.id, partner_code="adil", orientation_date=dt.date(2026, 6, 2),
        deleted=True, author="", device="",
    )  # fmt: skip
    draft = SocialConsultation(
        beneficiary_id=mother.id, consultation_date=dt.date(2026, 9, 1), note="Brouillon abandonné",
        deleted=True, known_before=True, author="", device="",
    )  # fmt: skip
    follow_up = FollowUp(
        beneficiary_id=mother.id, demand_type="energy", opened_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 9, 15), note="Suivi ouvert par erreur", deleted=True,
        author="", device="",
    )  # fmt: skip
    stranger_draft = SocialConsultation(
        beneficiary_id=mother.stranger_id, consultation_date=VISIT_DAY,
        note="Dette locative d'une autre", deleted=True, author="", device="",
    )  # fmt: skip
    _add(social_store, "amartin", orientation, draft, follow_up, stranger_draft)
    return Removed("ADIL", "Brouillon abandonné", "Dette locative d'une autre")


def test_the_article_15_information_stands_beside_the_data(
    social_store: LocalStore, mother: Mother
) -> None:
    for user in (SOCIAL, NURSE, SUPERVISOR):
        doc = export(social_store, user, mother.id)
        rights = doc.sections[0]
        assert rights.title == TITLE == "Vos droits et ce traitement de données (RGPD, article 15)"
        values = {e.label: e.value for e in rights.entries}
        assert tuple(values) == ARTICLE_15_LABELS
        assert "Département de la Drôme" in values["Responsable du traitement"]
        assert "[à compléter par le DPO]" in values["Délégué·e à la protection des données (DPO)"]
        assert "Centre médico-social de Die" in values["Pour exercer vos droits"]
        for right in ("rectification", "effacement", "limitation", "opposition"):
            assert right in values["e) Vos droits"], right
        assert "CNIL" in values["f) Réclamation auprès de la CNIL"]
        assert "www.cnil.fr/plaintes" in values["f) Réclamation auprès de la CNIL"]
        assert "Base légale" in values["a) Finalités"]
        # The last contact of the file is 10/11/2026: kept until 10/11/2028 at least.
        assert "dernier contact enregistré date du 10/11/2026" in values["d) Durée de conservation"]
        assert "jusqu'au 10/11/2028" in values["d) Durée de conservation"]
        assert "à compléter et valider" in rights.intro, "placeholders say so"


def test_the_block_is_read_from_cms_json_and_checked() -> None:
    info = reference().data_protection
    assert info is not None and info.controller.name.startswith("Département de la Drôme")
    assert len(info.rights) >= 4 and info.to_complete
    with pytest.raises(ReferenceDataError, match="data_protection"):
        parse_data_protection({"items": []})
    raw = json.loads(Path("drome_resources/reference/cms.json").read_text("utf-8"))
    raw["data_protection"]["rights"] = []
    with pytest.raises(ReferenceDataError, match="rights"):
        parse_data_protection(raw)
    assert kept_until(dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)


def test_each_consultations_known_before_answer_is_exported(
    social_store: LocalStore, mother: Mother
) -> None:
    with social_store.session() as session:
        for model in (SocialConsultation, PmiConsultation):
            for row in session.exec(select(model)).all():
                row.known_before = row.consultation_date == VISIT_DAY and model is PmiConsultation
                session.add(social_store.stamp(row))
    for user in (SOCIAL, NURSE, SUPERVISOR):
        visits = section(export(social_store, user, mother.id), "Consultations").items
        answers = {
            item.title: {e.label: e.value for e in item.entries}[KNOWN_BEFORE_LABEL]
            for item in visits
        }
        assert answers == {
            "Consultation sociale du 02/06/2026": "Non",
            "Consultation sociale du 10/11/2026": "Non",
            next(t for t in answers if t.startswith("Consultation PMI")): "Oui",
        }, user.username


def test_every_field_of_a_consultation_has_a_place_in_the_export() -> None:
    """A field added to a consultation is exported (by its label, or by its name) or is one
    the export shows in its own way (date, place, status, who and when)."""
    for service, model in (("social", SocialConsultation), ("pmi", PmiConsultation)):
        labelled = {name for name, _, _ in SPECS[service]}
        assert set(model.model_fields) <= labelled | SHOWN_ELSEWHERE, service


def test_removed_items_are_marked_as_removed(
    social_store: LocalStore, mother: Mother, removed: Removed
) -> None:
    doc = export(social_store, SOCIAL, mother.id)
    visits = section(doc, "Consultations").items
    june = next(i for i in visits if i.title == "Consultation sociale du 02/06/2026")
    (taken_off,) = [e for e in june.entries if e.label == "Orientation retirée"]
    assert taken_off.value.startswith(removed.orientation_partner)
    assert "02/06/2026" in taken_off.value and "— retirée le " in taken_off.value
    assert not any(
        e.label == "Orientation" and removed.orientation_partner in e.value for e in june.entries
    ), "not shown as a live orientation"
    gone = section(doc, "Éléments supprimés").items
    assert [i.title for i in gone] == [
        "Consultation sociale du 01/09/2026 (supprimée)",
        "Suivi d'une demande (supprimé)",
    ]
    draft = {e.label: e.value for e in gone[0].entries}
    assert draft["Note"] == removed.draft_note and draft["État"].startswith("supprimée le ")
    assert draft[KNOWN_BEFORE_LABEL] == "Oui"
    follow_up = {e.label: e.value for e in gone[1].entries}
    assert follow_up["État"].startswith("supprimé le ")
    assert follow_up["Note"] == "Suivi ouvert par erreur"
    text = flat(doc)
    assert removed.stranger_note not in text, "another person's deleted draft stays out"

    nurse = export(social_store, NURSE, mother.id)
    assert removed.draft_note not in flat(nurse), "the social secret, removed or not"
    assert "Orientation retirée" not in flat(nurse)


def test_nothing_about_anyone_else_with_the_new_parts(
    social_store: LocalStore, mother: Mother, removed: Removed
) -> None:
    for user in (SOCIAL, NURSE, SUPERVISOR):
        text = flat(export(social_store, user, mother.id))
        for secret in (*OTHER_PEOPLE, removed.stranger_note):
            assert secret not in text, (user.username, secret)
        assert mother.stranger_id not in text and mother.child_id not in text


def test_the_pdf_carries_the_article_15_block_and_the_removed_items(
    social_store: LocalStore, mother: Mother, removed: Removed, tmp_path: Path
) -> None:
    doc = export(social_store, SOCIAL, mother.id)
    path = tmp_path / "dossier.pdf"
    write_access_pdf(path, doc)
    squeezed = " ".join(pdf_text(path).split())
    for expected in (
        TITLE,
        "Département de la Drôme, représenté",
        "www.cnil.fr/plaintes",
        "a) Finalités",
        "Connu·e du CMS",
        "Orientation retirée",
        "Éléments supprimés",
        "Brouillon abandonné",
    ):
        assert expected in squeezed, expected
