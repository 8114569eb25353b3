"""The information of RGPD article 15 printed beside a person's data in an access export.

Article 15(1)(a)–(h) and 15(2): purposes, categories, recipients, retention, the rights of
rectification, erasure, restriction and objection, the right to complain to the CNIL, the
source of the data, automated decisions, transfers; with the controller's and the DPO's
contacts and the CMS where the person exercises her rights. The wording comes from the
configurable ``data_protection`` block of ``cms.json`` (``ReferenceData.data_protection``);
only the retention date is worked out here, from the person's last recorded contact.
"""

from __future__ import annotations

import datetime as dt

from van_app.core.cms_contacts import CmsContact
from van_app.core.data_protection import DataProtection
from van_app.core.measures import format_date
from van_app.core.person_file import Entry

TITLE = "Vos droits et ce traitement de données (RGPD, article 15)"
KEPT_AFTER_LAST_CONTACT_YEARS = 2
MISSING = (
    "Les informations de l'article 15 (responsable du traitement, finalités, destinataires, "
    "durées, droits, réclamation auprès de la CNIL) ne sont pas configurées sur ce poste : "
    "adressez-vous au centre médico-social ou au délégué à la protection des données du "
    "Département de la Drôme."
)


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"• {item}" for item in items)


def kept_until(last_contact: dt.date) -> dt.date:
    """Two years after the last contact (a 29 February ends on the 28th)."""
    year = last_contact.year + KEPT_AFTER_LAST_CONTACT_YEARS
    try:
        return last_contact.replace(year=year)
    except ValueError:
        return last_contact.replace(year=year, day=28)


def _cms_lines(cms: CmsContact) -> str:
    parts = [cms.name, cms.address, cms.phone, cms.email]
    return "\n".join(part for part in parts if part)


def article15_section(
    info: DataProtection | None, cms: CmsContact | None, last_contact: dt.date | None
) -> tuple[str, str, tuple[Entry, ...]]:
    """(title, intro, entries) of the section; the letters are those of article 15(1)."""
    if info is None:
        return TITLE, MISSING, ()
    retention = info.retention
    if last_contact is not None:
        retention += (
            f"\nDans ce dossier, le dernier contact enregistré date du "
            f"{format_date(last_contact)} : sans nouveau contact ni démarche en cours, les "
            f"données sont conservées jusqu'au {format_date(kept_until(last_contact))}."
        )
    entries = [
        Entry("Responsable du traitement", info.controller.lines()),
        Entry("Délégué·e à la protection des données (DPO)", info.dpo.lines()),
    ]
    if cms is not None:
        entries.append(Entry("Pour exercer vos droits", _cms_lines(cms)))
    entries += [
        Entry("a) Finalités", f"{_bullets(info.purposes)}\nBase légale : {info.legal_basis}"),
        Entry("b) Catégories de données", _bullets(info.categories)),
        Entry("c) Destinataires", _bullets(info.recipients)),
        Entry("d) Durée de conservation", retention),
        Entry("e) Vos droits", _bullets(info.rights)),
        Entry("f) Réclamation auprès de la CNIL", info.complaint),
        Entry("g) Source des données", info.source),
        Entry("h) Décision automatisée, profilage", info.automated_decisions),
        Entry("Transferts hors de l'Union européenne (art. 15.2)", info.transfers),
    ]
    intro = (
        "Ces informations accompagnent les données qui suivent, comme le prévoit l'article 15 "
        "du règlement général sur la protection des données (RGPD)."
    )
    if info.to_complete:
        intro += f"\n{info.to_complete}"
    return TITLE, intro, tuple(entries)
