"""How a person is named on screen and in exports, the French administrative way; households."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from van_app.core.measures import age_text
from van_app.core.models import Beneficiary, HouseholdLink

RELATIONS = ("mother", "father", "guardian")
RELATION_LABELS = {"mother": "Mère", "father": "Père", "guardian": "Responsable légal·e"}


def display_name(person: Beneficiary) -> str:
    """ "DUPRÉ Hélène (née MARTIN)": usual name in capitals, then first names, then birth name."""
    main = (person.usual_name or person.birth_name).upper()
    text = f"{main} {person.first_names}".strip()
    if person.usual_name and person.usual_name.upper() != person.birth_name.upper():
        born = "née" if person.sex == "F" else "né"
        text += f" ({born} {person.birth_name.upper()})"
    return text


@dataclass(frozen=True)
class HouseholdMember:
    """Someone of the household, named by their tie to the person whose file is open."""

    person_id: str
    name: str
    relation: str  # "Mère", "Fils", "Sœur"…
    birth_date: dt.date
    age: str
    link_id: str | None  # None for brothers and sisters (no link of their own)


def age_or_blank(birth: dt.date, today: dt.date) -> str:
    """The age in words, or "" for a birth date after ``today``."""
    try:
        return age_text(birth, today)
    except ValueError:  # born after "today": shown without an age rather than refused
        return ""


def _kin(person: Beneficiary, *, sibling: bool) -> str:
    if sibling:
        return {"F": "Sœur", "M": "Frère"}.get(person.sex, "Frère ou sœur")
    return {"F": "Fille", "M": "Fils"}.get(person.sex, "Enfant")


def _live_links(session: Session, *conditions) -> list[HouseholdLink]:  # type: ignore[no-untyped-def]
    return list(
        session.exec(
            select(HouseholdLink).where(col(HouseholdLink.deleted).is_(False)).where(*conditions)
        ).all()
    )


def household(
    session: Session, person_id: str, today: dt.date | None = None
) -> tuple[HouseholdMember, ...]:
    """Parents, children (eldest first), then brothers and sisters through a shared parent."""
    today = today or dt.date.today()
    links = _live_links(
        session, or_(HouseholdLink.parent_id == person_id, HouseholdLink.child_id == person_id)
    )
    parent_links = [link for link in links if link.child_id == person_id]
    child_links = [link for link in links if link.parent_id == person_id]
    sibling_links = (
        _live_links(
            session,
            col(HouseholdLink.parent_id).in_([link.parent_id for link in parent_links]),
            HouseholdLink.child_id != person_id,
        )
        if parent_links
        else []
    )
    wanted = {link.parent_id for link in parent_links}
    wanted |= {link.child_id for link in child_links + sibling_links}
    people = {
        p.id: p
        for p in session.exec(
            select(Beneficiary)
            .where(col(Beneficiary.id).in_(sorted(wanted)))
            .where(col(Beneficiary.deleted).is_(False))
        ).all()
    }

    def member(other: Beneficiary, relation: str, link_id: str | None) -> HouseholdMember:
        return HouseholdMember(
            other.id,
            display_name(other),
            relation,
            other.birth_date,
            age_or_blank(other.birth_date, today),
            link_id,
        )

    members = [
        member(people[link.parent_id], RELATION_LABELS.get(link.relation, ""), link.id)
        for link in parent_links
        if link.parent_id in people
    ]
    children = sorted(
        (link for link in child_links if link.child_id in people),
        key=lambda link: people[link.child_id].birth_date,
    )
    members += [
        member(people[k.child_id], _kin(people[k.child_id], sibling=False), k.id) for k in children
    ]
    listed = {m.person_id for m in members} | {person_id}
    for link in sorted(
        sibling_links,
        key=lambda k: people[k.child_id].birth_date if k.child_id in people else today,
    ):
        other = people.get(link.child_id)
        if other is not None and other.id not in listed:
            listed.add(other.id)
            members.append(member(other, _kin(other, sibling=True), None))
    return tuple(members)
