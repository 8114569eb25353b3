"""French wording shared by every screen and export: elision before a name, and one way to
write a time ("6 h 17"), so that no screen says "Brouillon de Agnès" or mixes "06:17" in."""

from __future__ import annotations

import datetime as dt
import unicodedata

_VOWELS = set("aeiouy")
# First words whose h is aspirated, hence no elision ("de Haute-Drôme"); names and communes
# otherwise take a silent h ("d'Hélène", "d'Hauterives").
_ASPIRATED_H = {"hameau", "hameaux", "haut", "haute", "hautes", "hauts", "halle", "halles"}
_ELIDED = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'", "je": "j'", "ne": "n'"}


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def starts_with_vowel_sound(name: str) -> bool:
    """Whether "de" becomes "d'" before ``name``: a vowel, a silent h (Hélène, Hugo), or a
    y that is not a consonant (Yves, not Yann)."""
    plain = _plain(name.strip())
    if not plain:
        return False
    first_word = plain.split()[0].split("-")[0]
    if plain[0] == "h":
        return first_word not in _ASPIRATED_H
    if plain[0] == "y":
        return len(plain) < 2 or plain[1] not in _VOWELS
    return plain[0] in _VOWELS


def elide(word: str, name: str) -> str:
    """ "de" + "Agnès" -> "d'Agnès"; "que" + "Paul" -> "que Paul". Keeps the word's case."""
    short = _ELIDED.get(word.casefold())
    if short is None or not starts_with_vowel_sound(name):
        return f"{word} {name}"
    if word[:1].isupper():
        short = short[:1].upper() + short[1:]
    return f"{short}{name}"


def de_name(name: str) -> str:
    """ "d'Agnès Martin", "de Paul Roux": a person's name after "de"."""
    return elide("de", name)


def de_place(name: str) -> str:
    """ "d'Aouste-sur-Sye", "du Poët-Laval", "des Tourrettes", "de La Chapelle-en-Vercors":
    a commune after "de", with the article contracted as French does."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    return elide("de", name)


def time_text(value: dt.time | dt.datetime) -> str:
    """ "6 h 17", "12 h 00": the one way the app writes a time (minutes always written)."""
    return f"{value.hour} h {value.minute:02d}"


def moment_text(moment: dt.datetime | None) -> str:
    """ "12/11/2026 à 14 h 05" in this device's time zone; "" for None (naive means UTC)."""
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone()
    return f"{local:%d/%m/%Y} à {time_text(local)}"


_NBSP = "\u00a0"
_KEPT_TOGETHER = (
    ("« ", f"«{_NBSP}"),
    (" »", f"{_NBSP}»"),
    (" :", f"{_NBSP}:"),
    (" ;", f"{_NBSP};"),
    (" ?", f"{_NBSP}?"),
    (" !", f"{_NBSP}!"),
    (" %", f"{_NBSP}%"),
)


def no_break_spaces(text: str) -> str:
    """French spacing that never wraps: "« bien »", "Objectif : 70 %" stay on one line
    (a line that starts with "»" or ":" reads as a mistake)."""
    for plain, kept in _KEPT_TOGETHER:
        text = text.replace(plain, kept)
    return text
