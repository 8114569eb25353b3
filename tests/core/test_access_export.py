"""Right-of-access export: every record of the person, nothing of anyone else, by role."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from tests.pdf import pdf_text
from van_app.core.db import add_in_dependency_order
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiAddendum,
    PmiConsultation,
    SocialAddendum,
    SocialConsultation,
    SocialOrientation,
    StaffAccount,
    SupervisorReview,
    SyncConflict,
    SyncedRecord,
    TourStop,
)
from van_app.core.reference import reference
from van_app.core.reports.access_export import (
    MEDICAL_ELSEWHERE,
    SATISFACTION_TEXT,
    SOCIAL_ELSEWHERE,
    AccessDocument,
    access_document_dict,
    access_export,
    write_access_json,
    write_access_pdf,
)

TODAY = dt.date(2026, 11, 23)
VISIT_DAY = dt.date(2026, 11, 10)
SOCIAL = CurrentUser("amartin", "Agnès Martin", ("social_worker",), "CMS-DIE")
NURSE = CurrentUser("bnguyen", "Binh Nguyen", ("pmi_nurse",), "CMS-DIE")
SUPERVISOR = CurrentUser("croux", "Claire Roux", ("supervisor",), "CMS-DIE")

SOCIAL_CONTENT = (
    "Dossier RSA préparé avec elle",
    "CAF (caisse d'allocations familiales)",
    "Pièce ajoutée",
    "Bien orientée",
    "Visite notée sur l'ancienne fiche",
    "Demande suivie",
)
MEDICAL_CONTENT = ("Grossesse sans souci", "22 SA", "suivi de grossesse", "Tension vue")
OTHER_PEOPLE = (
    "Enfant tonique",  # the child's own PMI visit
    "7,600 kg",
    "01/02/2026",  # the child's birth date
    "BLANC",  # a stranger, with a visit the same day at the same stop
    "Odile",
    "Expulsion en cours",
)


@dataclasses.dataclass
class Mother:
    id: str
    duplicate_id: str
    child_id: str
    stranger_id: str


def _add(store: LocalStore, author: str, *records: SyncedRecord) -> None:
    with store.session() as session:
        for record in records:
            record.author = author
        add_in_dependency_order(session, [store.stamp(r) for r in records])


def _person(name: str, first: str, born: dt.date, sex: str = "F", **fields) -> Beneficiary:  # type: ignore[no-untyped-def]
    return Beneficiary(
        birth_name=name, first_names=first, birth_date=born, sex=sex, author="", device="",
        **fields,
    )  # fmt: skip


@pytest.fixture
def mother(social_store: LocalStore) -> Mother:
    """Camille Roux, her son Léo, her duplicate merged into her, and a stranger."""
    camille = _person("Roux", "Camille", dt.date(1995, 5, 5), phone="06 11 22 33 44")
    duplicate = _person("Roux", "Camile", dt.date(1995, 5, 5), merged_into_id=camille.id)
    leo = _person("Roux", "Léo", dt.date(2026, 2, 1), "M")
    stranger = _person("Blanc", "Odile", dt.date(1961, 7, 9))
    stop = TourStop(
        commune_insee="26167", stop_date=VISIT_DAY, start_time=dt.time(9, 30),
        end_time=dt.time(12, 30), place="Parking de la salle des fêtes", services="both",
        cms_code="CMS-DIE", author="", device="",
    )  # fmt: skip
    social = SocialConsultation(
        beneficiary_id=camille.id,
        stop_id=stop.id,
        consultation_date=VISIT_DAY,
        status="signed",
        signed_at=dt.datetime(2026, 11, 10, 11, 0, tzinfo=dt.UTC),
        demand_types=["rsa"],
        outcome="oriented",
        note="Dossier RSA préparé avec elle",
        author="",
        device="",
    )
    old_visit = SocialConsultation(
        beneficiary_id=duplicate.id,
        stop_id=None,
        consultation_date=dt.date(2026, 6, 2),
        note="Visite notée sur l'ancienne fiche",
        author="",
        device="",
    )
    prenatal = PmiConsultation(
        beneficiary_id=duplicate.id,
        stop_id=stop.id,
        consultation_date=VISIT_DAY,
        kind="prenatal",
        gestational_age_weeks=22,
        note="Grossesse sans souci",
        author="",
        device="",
    )
    child_visit = PmiConsultation(
        beneficiary_id=leo.id,
        stop_id=stop.id,
        consultation_date=VISIT_DAY,
        kind="child",
        weight_g=7600,
        note="Enfant tonique",
        author="",
        device="",
    )
    stranger_visit = SocialConsultation(
        beneficiary_id=stranger.id, stop_id=stop.id, consultation_date=VISIT_DAY,
        note="Expulsion en cours", author="", device="",
    )  # fmt: skip
    _add(
        social_store, "admin",
        StaffAccount(username="bnguyen", display_name="Binh Nguyen", roles=["pmi_nurse"],
                     cms_code="CMS-DIE", author="", device=""),
        StaffAccount(username="croux", display_name="Claire Roux", roles=["supervisor"],
                     cms_code="CMS-DIE", author="", device=""),
    )  # fmt: skip
    _add(social_store, "croux", stop)
    _add(
        social_store, "amartin", camille, duplicate, leo, stranger, social, old_visit,
        stranger_visit,
        HouseholdLink(parent_id=camille.id, child_id=leo.id, relation="mother",
                      author="", device=""),
    )  # fmt: skip
    _add(
        social_store, "amartin",
        SocialOrientation(consultation_id=social.id, partner_code="caf",
                          orientation_date=VISIT_DAY, author="", device=""),
        SocialAddendum(consultation_id=social.id, note="Pièce ajoutée", author="", device=""),
        FollowUp(beneficiary_id=camille.id, consultation_id=social.id, demand_type="rsa",
                 opened_on=VISIT_DAY, due_on=VISIT_DAY + dt.timedelta(days=14),
                 author="", device=""),
    )  # fmt: skip
    _add(social_store, "bnguyen", prenatal, child_visit)
    _add(
        social_store, "bnguyen",
        PmiAddendum(consultation_id=prenatal.id, note="Tension vue", author="", device=""),
    )  # fmt: skip
    _add(
        social_store, "croux",
        SupervisorReview(consultation_id=social.id, consultation_kind="social",
                         status="validated", comment="Bien orientée", author="", device=""),
    )  # fmt: skip
    return Mother(camille.id, duplicate.id, leo.id, stranger.id)


def export(store: LocalStore, user: CurrentUser, person_id: str) -> AccessDocument:
    with store.session() as session:
        return access_export(session, user, person_id, reference(), TODAY)


def flat(doc: AccessDocument) -> str:
    return json.dumps(access_document_dict(doc), ensure_ascii=False)


def section(doc: AccessDocument, title: str):  # type: ignore[no-untyped-def]
    return next(s for s in doc.sections if s.title == title)


def test_every_record_of_the_person_is_in_the_social_workers_export(
    social_store: LocalStore, mother: Mother
) -> None:
    doc = export(social_store, SOCIAL, mother.id)
    text = flat(doc)
    assert doc.title == "Dossier de ROUX Camille — droit d'accès (RGPD, article 15)"
    for expected in (*SOCIAL_CONTENT, "06 11 22 33 44", "05/05/1995", SATISFACTION_TEXT):
        assert expected in text, expected
    visits = section(doc, "Consultations").items
    assert [item.title for item in visits] == [
        "Consultation sociale du 02/06/2026",  # recorded on the merged duplicate
        "Consultation sociale du 10/11/2026",
        "Consultation PMI du 10/11/2026",
    ]
    first = {e.label: e.value for e in visits[0].entries}
    assert first["Fiche d'origine"] == "fiche fusionnée : ROUX Camile, née le 05/05/1995"
    second = {e.label: e.value for e in visits[1].entries}
    assert second["Enregistrée par"].startswith("Agnès Martin, le ")
    assert second["Signée le"].startswith("10/11/2026 à ")
    assert [n.title for n in visits[1].notes] == ["Complément", "Revue : validée"]
    assert "Claire Roux" in flat(doc)
    (merged,) = section(doc, "Fiches fusionnées dans ce dossier").items
    assert merged.title == "ROUX Camile, née le 05/05/1995"
    (follow_up,) = section(doc, "Suivis").items
    assert {e.label: e.value for e in follow_up.entries}["État"] == "en cours"


def test_a_merged_record_exports_as_the_person_it_was_merged_into(
    social_store: LocalStore, mother: Mother
) -> None:
    doc = export(social_store, SOCIAL, mother.duplicate_id)
    assert doc.sections == export(social_store, SOCIAL, mother.id).sections
    assert doc.person_name == "ROUX Camille"
    assert len(section(doc, "Consultations").items) == 3


def test_nothing_of_another_person_beyond_the_name_and_tie_of_a_relative(
    social_store: LocalStore, mother: Mother
) -> None:
    for user in (SOCIAL, NURSE, SUPERVISOR):
        doc = export(social_store, user, mother.id)
        text = flat(doc)
        for secret in OTHER_PEOPLE:
            assert secret not in text, (user.username, secret)
        for other in (mother.child_id, mother.stranger_id, mother.duplicate_id, mother.id):
            assert other not in text, "no record id leaves with the file"
        (tie,) = section(doc, "Foyer").entries
        assert tie.label == "ROUX Léo"
        assert tie.value.startswith("lien : fils de ROUX Camille")


def test_medical_content_only_in_a_pmi_nurses_export(
    social_store: LocalStore, mother: Mother
) -> None:
    for user in (SOCIAL, SUPERVISOR):
        doc = export(social_store, user, mother.id)
        text = flat(doc)
        for secret in MEDICAL_CONTENT:
            assert secret not in text, (user.username, secret)
        assert doc.not_exported == MEDICAL_ELSEWHERE

    doc = export(social_store, NURSE, mother.id)
    text = flat(doc)
    for expected in MEDICAL_CONTENT:
        assert expected in text, expected
    for secret in SOCIAL_CONTENT:
        assert secret not in text, secret
    assert doc.not_exported == SOCIAL_ELSEWHERE
    assert section(doc, "Suivis").items == ()
    prenatal = next(i for i in section(doc, "Consultations").items if "PMI" in i.title)
    assert prenatal.title == "Consultation PMI — suivi de grossesse du 10/11/2026"
    assert [n.title for n in prenatal.notes] == ["Complément"]


def test_the_json_file_round_trips(
    social_store: LocalStore, mother: Mother, tmp_path: Path
) -> None:
    doc = export(social_store, NURSE, mother.id)
    path = tmp_path / "dossier.json"
    write_access_json(path, doc)
    raw = path.read_bytes().decode("utf-8")
    assert "ROUX Camille" in raw and "\\u" not in raw, "UTF-8, accents as they are"
    assert json.loads(raw) == access_document_dict(doc)
    assert json.loads(raw)["format"] == "drome-proximite/droit-acces/1"


def test_the_pdf_is_a_pdf_in_french(
    social_store: LocalStore, mother: Mother, tmp_path: Path
) -> None:
    doc = export(social_store, SOCIAL, mother.id)
    path = tmp_path / "dossier.pdf"
    write_access_pdf(path, doc)
    assert path.read_bytes().startswith(b"%PDF-")
    assert not list(tmp_path.glob(".*partiel")), "no partial file left behind"
    text = pdf_text(path)
    squeezed = " ".join(text.split())
    for expected in (
        "Dossier de ROUX Camille — droit d'accès (RGPD, article 15)",
        "Par Agnès Martin (Assistant·e socio-éducatif·ve, CMS-DIE)",
        "Dossier RSA préparé avec elle",
        "lien : fils de ROUX Camille",
        MEDICAL_ELSEWHERE,
        "Page 1 sur",
    ):
        assert expected in squeezed, expected
    assert "Grossesse sans souci" not in squeezed


def test_an_identity_value_awaiting_a_decision_is_part_of_the_file(
    social_store: LocalStore, mother: Mother
) -> None:
    conflict = SyncConflict(
        table="beneficiary", record_id=mother.id, field="birthplace", value_class="S",
        kept_value="Die", other_value="Valence", author="server", device="server",
    )  # fmt: skip
    with social_store.session() as session:
        session.add(conflict)
    doc = export(social_store, SUPERVISOR, mother.id)
    (item,) = section(doc, "Valeurs en attente de vérification").items
    assert item.title == "Lieu de naissance"
    values = {e.label: e.value for e in item.entries}
    assert (values["Valeur retenue"], values["Autre valeur enregistrée"]) == ("Die", "Valence")
