"""The town hall's announcement: the right dates in words, polite French, no personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories
from tests.core.test_tour_planning import (
    CHATILLON,
    LUC,
    PASSWORD,
    TODAY,
    live_stops,
    one_off,
    second_tuesday,
)
from tests.pdf import pdf_text
from van_app.core.announcement import (
    announcement_email,
    announcement_pdf,
    build_announcement,
)
from van_app.core.local_store import LocalStore
from van_app.core.reference import reference
from van_app.core.tour_planning import CmsContact, cancel_stop, save_pattern, save_stop

REF = reference()
PERIOD_END = dt.date(2027, 2, 28)


@pytest.fixture
def store(data_dir: Path) -> Iterator[LocalStore]:
    s = factories.new_store(data_dir, "croux", PASSWORD, "Claire Roux", ["supervisor"])
    yield s
    s.close()


@pytest.fixture
def planned(store: LocalStore) -> LocalStore:
    """Luc-en-Diois every 2nd Tuesday, January's cancelled; a one-off stop elsewhere; a person
    received in the register (whose name must never reach a town hall).
    """
    saved = save_pattern(store, second_tuesday(), REF, TODAY)
    save_stop(store, one_off(), REF, TODAY)
    factories.add_person(store, birth_name="Achard", first_names="Josiane")
    cancel_stop(store, live_stops(store, saved.pattern_id)[1].id, TODAY)
    return store


def announcement_for(store: LocalStore, insee: str = LUC, **kwargs):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return build_announcement(
            session, store.user, REF, insee, TODAY, PERIOD_END, TODAY, **kwargs
        )


def test_email_lists_the_commune_s_coming_dates(planned: LocalStore) -> None:
    a = announcement_for(planned)
    subject, body = announcement_email(a)
    assert a.recipient == REF.communes[LUC].town_hall_email
    assert subject == (
        "Passages du camion médico-social à Luc-en-Diois (de décembre 2026 à février 2027)"
    )
    assert body.startswith("Madame, Monsieur,\n")
    assert (
        "- mardi 8 décembre 2026, de 9 h 30 à 12 h 00 — Parking de la salle des fêtes "
        "(accueil social et PMI) ;" in body
    )
    assert "- mardi 9 février 2027, de 9 h 30 à 12 h 00" in body
    assert "12 janvier 2027" not in body  # cancelled
    assert "3 décembre" not in body and "Châtillon" not in body  # another commune's stop
    assert "le 2e mardi de chaque mois" in body
    assert "Téléphone : 04 65 71 26 15" in body  # the CMS of Die, from cms.json
    assert "salutations distinguées" in body
    assert body.rstrip().endswith("Claire Roux\nResponsable du centre médico-social de Die")
    assert "Achard" not in body and "Josiane" not in body


def test_services_in_plain_words_only_those_offered(planned: LocalStore) -> None:
    _subject, body = announcement_email(announcement_for(planned, CHATILLON))
    assert (
        "- jeudi 3 décembre 2026, de 14 h 00 à 16 h 30 — Place du Reviron (accueil social)." in body
    )
    assert "Accueil social : écoute, information" in body
    assert "PMI (protection maternelle et infantile)" not in body
    assert "régulièrement" not in body  # a one-off stop has no rule to announce


def test_unknown_cms_falls_back_to_a_plain_name(planned: LocalStore) -> None:
    a = announcement_for(planned, cms=CmsContact("CMS-AILLEURS", "Centre médico-social"))
    _subject, body = announcement_email(a)
    assert "Le centre médico-social (Département de la Drôme)" in body
    assert "Téléphone" not in body and "Courriel" not in body


def test_no_stop_no_announcement(store: LocalStore) -> None:
    a = announcement_for(store)
    assert a.stops == ()
    with pytest.raises(ValueError, match="Aucun passage"):
        announcement_email(a)
    with pytest.raises(ValueError, match="Aucun passage"):
        announcement_pdf(Path("never.pdf"), a)
    with pytest.raises(LookupError):
        announcement_for(store, "99999")


def test_pdf_is_written_and_says_the_dates(planned: LocalStore, tmp_path: Path) -> None:
    path = announcement_pdf(tmp_path / "affiches" / "luc.pdf", announcement_for(planned))
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    text = pdf_text(path)
    for expected in (
        "Le camion médico-social passe à",
        "Luc-en-Diois",
        "mardi 8 décembre 2026",
        "9 h 30 – 12 h 00",
        "mardi 9 février 2027",
        "Parking de la salle des fêtes",
        "Centre médico-social de Die",
        "04 65 71 26 15",
    ):
        assert expected in text
    assert "12 janvier 2027" not in text
    assert "Achard" not in text
