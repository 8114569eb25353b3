"""The whole file of one person, for a right-of-access request (RGPD, article 15).

Built on ``person_file`` — the same cut of every record to the fields the exporter's roles may
read, the same French labels and formats — plus what a right of access adds: who recorded
each thing and when, the records merged into this person's, the identity values still waiting
for a supervisor's decision, and a plain statement of what this role cannot export (medical
secret for a social worker, social secret for a PMI nurse) and why satisfaction answers are
absent (they are anonymous). Beside the data, the information of article 15(1)(a)–(h)
(``access_article15``, worded in ``cms.json``); every recorded answer, each consultation's
"known before" included, and removed records marked as removed (``access_records``). Other
people appear only as the name and tie of a relative.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.cms_contacts import cms_contact
from van_app.core.confidentiality import ROLE_LABELS, Conf, Role, readable_classes
from van_app.core.conflicts import (
    IDENTITY_LABELS,
    ValueFormatter,
    decode_value,
    display_names,
    field_label,
    person_label,
    wire_type,
)
from van_app.core.french import de_name, moment_text
from van_app.core.local_store import CurrentUser
from van_app.core.measures import format_date
from van_app.core.merge_people import merged_group
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SocialConsultation,
    SyncConflict,
    SyncedRecord,
)
from van_app.core.person_file import Entry, FollowUpView, VisitView, person_file, readable_values
from van_app.core.reference import ReferenceData
from van_app.core.reports.access_article15 import article15_section
from van_app.core.reports.access_records import (
    answer_entries,
    removed_consultations,
    removed_follow_ups,
    removed_orientations,
)
from van_app.core.reports.safe_write import atomic_write

FORMAT = "drome-proximite/droit-acces/1"
MEDICAL_ELSEWHERE = "Les informations médicales de PMI sont exportées par un professionnel de PMI."
SOCIAL_ELSEWHERE = (
    "Les informations sociales (demandes, actions, orientations, notes, suivis) sont exportées "
    "par un·e assistant·e socio-éducatif·ve ou le·la responsable du CMS."
)
SATISFACTION_TEXT = (
    "Les questionnaires de satisfaction remplis en fin de visite sont anonymes : ils ne portent "
    "ni nom ni identifiant et ne sont reliés à aucune personne. Ils ne peuvent donc pas figurer "
    "dans ce dossier."
)


@dataclasses.dataclass(frozen=True)
class AccessItem:
    """One record: a visit, a follow-up, a merged file; ``notes`` are its addenda and reviews."""

    title: str
    entries: tuple[Entry, ...] = ()
    notes: tuple[AccessItem, ...] = ()


@dataclasses.dataclass(frozen=True)
class AccessSection:
    title: str
    intro: str = ""
    entries: tuple[Entry, ...] = ()
    items: tuple[AccessItem, ...] = ()


@dataclasses.dataclass(frozen=True)
class AccessDocument:
    """What the PDF and the JSON both show, in this order."""

    title: str
    person_name: str
    exported_at: dt.datetime
    exported_by: str  # "Agnès Martin (Assistant·e socio-éducatif·ve, CMS-DIE)"
    intro: str
    not_exported: str  # what this role may not read, hence not export ("" if nothing)
    sections: tuple[AccessSection, ...]


# -- formatting ------------------------------------------------------------------------------


def french_moment(moment: dt.datetime | None) -> str:
    """ "12/11/2026 à 14 h 05" in the device's time zone; "" for None."""
    return moment_text(moment)


def not_exported_note(roles: Iterable[str]) -> str:
    """What a holder of these roles cannot read, so cannot export, and who can."""
    classes = readable_classes(roles)
    notes = []
    if Conf.SOCIAL not in classes:
        notes.append(SOCIAL_ELSEWHERE)
    if Conf.MEDICAL not in classes:
        notes.append(MEDICAL_ELSEWHERE)
    return " ".join(notes)


def _recorded(names: dict[str, str], record: SyncedRecord, verb: str = "Enregistré") -> Entry:
    who = names.get(record.author, record.author) or "inconnu"
    return Entry(f"{verb} par", f"{who}, le {french_moment(record.created_at)}")


def _changed(record: SyncedRecord) -> tuple[Entry, ...]:
    if abs((record.updated_at - record.created_at).total_seconds()) < 1:
        return ()
    return (Entry("Dernière modification", french_moment(record.updated_at)),)


# -- sections --------------------------------------------------------------------------------


def _identity(
    person: Beneficiary, identity: tuple[Entry, ...], names: dict[str, str]
) -> AccessSection:
    return AccessSection(
        "Identité",
        entries=(*identity, _recorded(names, person, "Fiche créée"), *_changed(person)),
    )


def _household(session: Session, file_name: str, members, names) -> AccessSection:  # type: ignore[no-untyped-def]
    """Relatives by name and tie only: nothing else of another person leaves with this file."""
    link_ids = [m.link_id for m in members if m.link_id]
    links = {
        link.id: link
        for link in session.exec(select(HouseholdLink).where(col(HouseholdLink.id).in_(link_ids)))
    }
    entries = []
    for member in members:
        value = f"lien : {member.relation.lower() or 'proche'} {de_name(file_name)}"
        link = links.get(member.link_id or "")
        if link is not None:
            who = names.get(link.author, link.author)
            value += f" (lien enregistré par {who}, le {french_moment(link.created_at)})"
        entries.append(Entry(member.name, value))
    intro = (
        "Seuls le nom et le lien des proches figurent ici : leurs propres informations "
        "relèvent de leur dossier."
        if entries
        else "Aucun lien familial enregistré."
    )
    return AccessSection("Foyer", intro=intro, entries=tuple(entries))


def _visit_item(
    visit: VisitView,
    record: SyncedRecord | None,
    readable: frozenset[Conf],
    origins: dict[str, str],
    names: dict[str, str],
    answers: tuple[Entry, ...] = (),
) -> AccessItem:
    entries = [
        Entry("Lieu", visit.place),
        Entry("Professionnel·le", visit.professional),
        Entry("Statut", visit.status),
        *visit.details,
        *answers,
    ]
    needed = Conf.SOCIAL if visit.service == "social" else Conf.MEDICAL
    if needed not in readable:
        elsewhere = SOCIAL_ELSEWHERE if needed is Conf.SOCIAL else MEDICAL_ELSEWHERE
        entries.append(Entry("Contenu", f"Non exporté ici. {elsewhere}"))
    if record is not None:
        entries.append(_recorded(names, record, "Enregistrée"))
        signed_at = getattr(record, "signed_at", None)
        if signed_at is not None:
            entries.append(Entry("Signée le", french_moment(signed_at)))
        entries += _changed(record)
    if visit.person_id in origins:
        entries.append(Entry("Fiche d'origine", f"fiche fusionnée : {origins[visit.person_id]}"))
    notes = tuple(
        AccessItem(
            note.title or "Note",
            (
                Entry("Écrit par", f"{note.author}, le {format_date(note.written_on)}"),
                *((Entry("Texte", note.text),) if note.text else ()),
            ),
        )
        for note in visit.notes
    )
    return AccessItem(f"{visit.title} du {format_date(visit.date)}", tuple(entries), notes)


def _visits(
    session, user, ref, visits: tuple[VisitView, ...], readable, origins, names
) -> AccessSection:  # type: ignore[no-untyped-def]
    records: dict[str, SyncedRecord] = {}
    for model in (SocialConsultation, PmiConsultation):
        ids = [v.id for v in visits]
        records |= {r.id: r for r in session.exec(select(model).where(col(model.id).in_(ids)))}
    names |= display_names(session, {r.author for r in records.values()} - set(names))
    removed = removed_orientations(
        session, [v.id for v in visits if v.service == "social"], user.roles, ref
    )

    def answers(visit: VisitView) -> tuple[Entry, ...]:
        record = records.get(visit.id)
        own = answer_entries(record, visit.service, user.roles) if record is not None else ()
        return (*own, *removed.get(visit.id, ()))

    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    ordered = sorted(
        visits, key=lambda v: (v.date, records[v.id].created_at if v.id in records else oldest)
    )
    items = tuple(
        _visit_item(v, records.get(v.id), readable, origins, names, answers(v)) for v in ordered
    )
    intro = (
        "Chaque consultation, du plus ancien au plus récent, avec ses orientations, ses "
        "compléments et les revues du ou de la responsable du CMS."
        if items
        else "Aucune consultation enregistrée."
    )
    return AccessSection("Consultations", intro=intro, items=items)


def _follow_ups(
    session, follow_ups: tuple[FollowUpView, ...], readable, origins, names
) -> AccessSection:  # type: ignore[no-untyped-def]
    if Conf.SOCIAL not in readable:
        return AccessSection("Suivis", intro=f"Non exportés ici. {SOCIAL_ELSEWHERE}")
    ids = [f.id for f in follow_ups]
    records = {r.id: r for r in session.exec(select(FollowUp).where(col(FollowUp.id).in_(ids)))}
    names |= display_names(session, {r.author for r in records.values()} - set(names))
    items = []
    for view in sorted(
        follow_ups, key=lambda f: records[f.id].opened_on if f.id in records else dt.date.min
    ):
        record = records.get(view.id)
        entries = list(view.details)
        entries.append(Entry("État", "en cours" if view.is_open else "clos"))
        if record is not None:
            entries.append(_recorded(names, record, "Ouvert"))
            entries += _changed(record)
            if record.beneficiary_id in origins:
                origin = origins[record.beneficiary_id]
                entries.append(Entry("Fiche d'origine", f"fiche fusionnée : {origin}"))
        items.append(AccessItem("Suivi d'une demande", tuple(entries)))
    intro = "" if items else "Aucun suivi enregistré."
    return AccessSection("Suivis", intro=intro, items=tuple(items))


def _merged(session, user, ref, merged: list[Beneficiary], names) -> AccessSection | None:  # type: ignore[no-untyped-def]
    """Duplicates found to be this person: their identity as first recorded, and by whom."""
    if not merged:
        return None
    formatter = ValueFormatter(session, ref)
    items = []
    for record in merged:
        values = readable_values(record, user.roles)
        entries = [
            Entry(label, formatter.format("beneficiary", name, values[name]))
            for name, label in IDENTITY_LABELS.items()
            if name in values
        ]
        entries += [_recorded(names, record, "Fiche créée"), *_changed(record)]
        items.append(AccessItem(person_label(record), tuple(entries)))
    return AccessSection(
        "Fiches fusionnées dans ce dossier",
        intro="Fiches enregistrées en double puis reconnues comme étant cette personne ; leurs "
        "consultations et suivis figurent plus haut, marqués « fiche fusionnée ».",
        items=tuple(items),
    )


def _conflicts(session, user, ref, group: tuple[str, ...], names) -> AccessSection | None:  # type: ignore[no-untyped-def]
    """Identity values recorded on two devices at once, kept until a supervisor decides.

    Only a supervisor's device holds the CMS's conflicts; another device keeps only those its
    own pushes made, to send back after a restore (they may be settled since): not shown.
    """
    if "supervisor" not in user.roles:
        return None
    classes = {c.value for c in readable_classes(user.roles)}
    rows = session.exec(
        select(SyncConflict)
        .where(col(SyncConflict.record_id).in_(group))
        .where(SyncConflict.table == "beneficiary")
        .where(col(SyncConflict.deleted).is_(False))
    ).all()
    rows = [row for row in rows if row.value_class in classes]
    if not rows:
        return None
    formatter = ValueFormatter(session, ref)

    def shown(row: SyncConflict, value: Any) -> str:
        kind = wire_type(row.table, row.field) or "any"
        with contextlib.suppress(TypeError, ValueError):
            value = decode_value(kind, value)
        return formatter.format(row.table, row.field, value)

    items = tuple(
        AccessItem(
            field_label(row.table, row.field),
            (
                Entry("Valeur retenue", shown(row, row.kept_value)),
                Entry("Autre valeur enregistrée", shown(row, row.other_value)),
                Entry("Écart relevé le", french_moment(row.created_at)),
            ),
        )
        for row in rows
    )
    return AccessSection(
        "Valeurs en attente de vérification",
        intro="Deux valeurs différentes ont été enregistrées pour le même champ ; le ou la "
        "responsable du CMS vérifiera laquelle est juste.",
        items=items,
    )


def _removed(session, user, ref, group: tuple[str, ...], names) -> AccessSection | None:  # type: ignore[no-untyped-def]
    """Deleted consultations and follow-ups still held: part of the file, marked removed."""
    visits = removed_consultations(session, group, user.roles, ref)
    follow_ups = removed_follow_ups(session, group, user.roles, ref)
    if not visits and not follow_ups:
        return None
    authors = {r.author for *_, r in visits} | {r.author for _, r in follow_ups}
    names |= display_names(session, authors - set(names))
    items = [
        AccessItem(
            f"{title} du {format_date(day)} (supprimée)",
            (*entries, _recorded(names, record, "Enregistrée")),
        )
        for title, day, entries, record in visits
    ]
    items += [
        AccessItem("Suivi d'une demande (supprimé)", (*entries, _recorded(names, record, "Ouvert")))
        for entries, record in follow_ups
    ]
    return AccessSection(
        "Éléments supprimés",
        intro="Enregistrements supprimés (par exemple un brouillon abandonné) mais encore "
        "conservés par le service jusqu'à leur effacement définitif ; chacun porte la date de "
        "sa suppression.",
        items=tuple(items),
    )


def _rights(ref: ReferenceData, user: CurrentUser, visits: tuple[VisitView, ...]) -> AccessSection:
    cms = cms_contact(user.cms_code) if user.cms_code else None
    last_contact = max((v.date for v in visits), default=None)
    title, intro, entries = article15_section(ref.data_protection, cms, last_contact)
    return AccessSection(title, intro=intro, entries=entries)


def access_export(
    session: Session, user: CurrentUser, person_id: str, ref: ReferenceData, today: dt.date
) -> AccessDocument:
    """Everything recorded about ``person_id`` that ``user`` may read, ready to write.

    A merged record exports as the person it was merged into. PersonNotFoundError if absent.
    """
    file = person_file(session, user, person_id, ref, today)
    person = session.get(Beneficiary, file.person_id)
    assert person is not None  # person_file found it
    group = merged_group(session, person.id)
    merged = [r for r in (session.get(Beneficiary, i) for i in group[1:]) if r is not None]
    origins = {r.id: person_label(r) for r in merged}
    readable = readable_classes(user.roles)
    names = display_names(session, {person.author, *(r.author for r in merged)})
    links = session.exec(
        select(HouseholdLink.author).where(
            col(HouseholdLink.id).in_([m.link_id for m in file.household if m.link_id])
        )
    ).all()
    names |= display_names(session, set(links) - set(names))
    sections = [
        _rights(ref, user, file.visits),
        _identity(person, file.identity, names),
        _household(session, file.name, file.household, names),
        _visits(session, user, ref, file.visits, readable, origins, names),
        _follow_ups(session, file.follow_ups, readable, origins, names),
        _removed(session, user, ref, group, names),
        _merged(session, user, ref, merged, names),
        _conflicts(session, user, ref, group, names),
        AccessSection("Questionnaires de satisfaction", intro=SATISFACTION_TEXT),
    ]
    roles = ", ".join(ROLE_LABELS[Role(r)] for r in user.roles if r in set(Role))
    who = ", ".join(part for part in (roles, user.cms_code) if part)
    return AccessDocument(
        title=f"Dossier {de_name(file.name)} — droit d'accès (RGPD, article 15)",
        person_name=file.name,
        exported_at=dt.datetime.now(dt.UTC),
        exported_by=f"{user.display_name} ({who})" if who else user.display_name,
        intro=(
            "Ce document réunit ce qui est enregistré sur cette personne par le service "
            "médico-social itinérant du Département de la Drôme (Drôme Proximité) et que le ou "
            "la professionnel·le qui l'exporte est autorisé·e à lire : identité, foyer, "
            "consultations et chaque réponse enregistrée, compléments, orientations, suivis, "
            "revues, éléments supprimés, fiches fusionnées, et qui a enregistré quoi et quand ; "
            "il commence par les informations sur ce traitement et vos droits (article 15)."
        ),
        not_exported=not_exported_note(user.roles),
        sections=tuple(s for s in sections if s is not None),
    )


# -- writers ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON values: dataclasses become objects, tuples lists, moments ISO 8601 in UTC."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def access_document_dict(doc: AccessDocument) -> dict[str, Any]:
    """The document as plain JSON values: exactly what the JSON file holds."""
    return {"format": FORMAT, **_plain(doc)}


def write_access_json(path: Path, doc: AccessDocument) -> None:
    """Machine-readable export: UTF-8, accents kept as they are, indented."""
    text = json.dumps(access_document_dict(doc), ensure_ascii=False, indent=2)
    atomic_write(Path(path), lambda target: target.write_text(text + "\n", encoding="utf-8"))


def write_access_pdf(path: Path, doc: AccessDocument) -> None:
    """A4 PDF in French: title, export date and professional, sections, page numbers."""
    from van_app.core.reports.access_pdf import render_access_pdf

    atomic_write(Path(path), lambda target: render_access_pdf(target, doc))
