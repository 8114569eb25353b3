"""French wording: elision before names and places, one time format, and who a waiting change
belongs to on a laptop shared by two professionals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.factories import (
    NURSE_USERNAME,
    add_nurse,
    add_person,
    add_social_consultation,
    add_stop,
    opened_as,
)
from van_app.core.french import de_name, de_place, elide, moment_text, time_text
from van_app.core.local_store import LocalStore
from van_app.core.pending import pending_changes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Agnès", "d'Agnès"),
        ("Agnès Martin", "d'Agnès Martin"),
        ("Paul", "de Paul"),
        ("Élodie", "d'Élodie"),
        ("Hélène", "d'Hélène"),
        ("Yves", "d'Yves"),
        ("Yann", "de Yann"),
        ("Ursule", "d'Ursule"),
        ("ACHARD Lucie", "d'ACHARD Lucie"),
        ("ROUX Camille", "de ROUX Camille"),
        ("", "de "),
    ],
)
def test_de_name_elides_before_a_vowel_or_a_silent_h(name: str, expected: str) -> None:
    assert de_name(name) == expected


def test_elide_other_words_and_keeps_a_capital() -> None:
    assert elide("que", "Isabelle") == "qu'Isabelle"
    assert elide("que", "Binh") == "que Binh"
    assert elide("De", "Agnès") == "D'Agnès"
    assert elide("le", "hameau") == "le hameau"  # aspirated h
    assert elide("par", "Agnès") == "par Agnès"  # not an eliding word


def test_de_place_contracts_articles() -> None:
    assert de_place("Aouste-sur-Sye") == "d'Aouste-sur-Sye"
    assert de_place("Luc-en-Diois") == "de Luc-en-Diois"
    assert de_place("Le Poët-Laval") == "du Poët-Laval"
    assert de_place("Les Tourrettes") == "des Tourrettes"
    assert de_place("La Chapelle-en-Vercors") == "de La Chapelle-en-Vercors"


def test_one_time_format() -> None:
    assert time_text(dt.time(6, 17)) == "6 h 17"
    assert time_text(dt.time(12, 0)) == "12 h 00"
    assert time_text(dt.datetime(2026, 11, 12, 9, 5)) == "9 h 05"
    moment = dt.datetime(2026, 11, 12, 13, 5, tzinfo=dt.UTC)
    local = moment.astimezone()
    assert moment_text(moment) == f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}"
    assert moment_text(None) == ""
    assert ":" not in moment_text(moment)


def test_a_colleagues_new_records_wait_for_her_login(
    social_store: LocalStore, data_dir: Path
) -> None:
    """Agnès's new person and consultation leave only with Agnès's token: for Binh, on the
    same laptop, they are Agnès's, not his."""
    add_nurse(social_store, "Lune-de-Die-2026")
    day = dt.date(2026, 12, 8)
    person = add_person(social_store)
    add_social_consultation(social_store, person, add_stop(social_store, day), day)
    with social_store.read_session() as session:
        mine = pending_changes(session, social_store.user.username)
    assert mine.mine >= 3 and mine.colleagues == () and mine.since is not None
    social_store.close()
    with (
        opened_as(data_dir, NURSE_USERNAME, "Lune-de-Die-2026") as nurse_store,
        nurse_store.read_session() as session,
    ):
        seen_by_nurse = pending_changes(session, NURSE_USERNAME)
    assert seen_by_nurse.mine == 0 and seen_by_nurse.since is None
    assert seen_by_nurse.colleagues == (("Agnès Martin", mine.mine),)
    assert seen_by_nurse.total == mine.total


def test_a_registration_reads_with_one_a_and_the_app_time() -> None:
    from van_app.core.merge_people import PersonSummary

    moment = moment_text(dt.datetime(2026, 11, 10, 10, 48, tzinfo=dt.UTC))
    summary = PersonSummary(
        "id", "GUÉRIN Émilie", "GUÉRIN Émilie, née le 08/03/2004", "Agnès Martin", moment,
        "van-1", 1, 0, 0,
    )  # fmt: skip
    assert summary.registered == f"Agnès Martin, le {moment}"
    assert "à à" not in summary.registered and " h " in summary.registered


def test_french_spacing_never_wraps_before_a_guillemet_or_a_colon() -> None:
    from van_app.core.french import no_break_spaces

    kept = no_break_spaces("Objectif : 70 % de « bien » ou « excellent »")
    assert kept == "Objectif\u00a0: 70\u00a0% de «\u00a0bien\u00a0» ou «\u00a0excellent\u00a0»"
