"""Who is responsible for the van's data and what a person is told of it (RGPD, article 15).

Read from the ``data_protection`` block of ``resources/reference/cms.json`` so the Département's
DPO can correct a contact or a wording without a new release: the controller and the DPO, and
the texts of article 15(1)(a)–(h) and 15(2) printed beside the data of a right-of-access
export. ``to_complete`` says, while it is not empty, that the block still holds placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from van_app.core.communes import ReferenceDataError

CMS_FILE = "cms.json"
BLOCK = "data_protection"
_TEXTS = ("legal_basis", "retention", "complaint", "source", "automated_decisions", "transfers")
_LISTS = ("purposes", "categories", "recipients", "rights")


@dataclass(frozen=True)
class Contact:
    """A body or a person and how to write to them; "" where the file says nothing."""

    name: str
    address: str = ""
    email: str = ""
    phone: str = ""

    def lines(self) -> str:
        return "\n".join(part for part in (self.name, self.address, self.email, self.phone) if part)


@dataclass(frozen=True)
class DataProtection:
    """The controller, the DPO and the article 15 texts, as the file words them (French)."""

    controller: Contact
    dpo: Contact
    purposes: tuple[str, ...]
    legal_basis: str
    categories: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: str
    rights: tuple[str, ...]
    complaint: str
    source: str
    automated_decisions: str
    transfers: str
    to_complete: str = ""  # the placeholders' warning, "" once the DPO has completed the block


def parse_data_protection(raw: Any) -> DataProtection:
    """The block of an already-read ``cms.json``; ReferenceDataError naming what is wrong."""
    block = raw.get(BLOCK) if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        raise ReferenceDataError(CMS_FILE, f"le bloc « {BLOCK} » manque ou n'est pas un objet.")

    def text(key: str, where: dict[str, Any] = block, required: bool = True) -> str:
        value = where.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ReferenceDataError(CMS_FILE, f"« {BLOCK}.{key} » : texte requis.")
        return value.strip()

    def texts(key: str) -> tuple[str, ...]:
        value = block.get(key)
        if not isinstance(value, list) or not value:
            raise ReferenceDataError(CMS_FILE, f"« {BLOCK}.{key} » : liste de textes requise.")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise ReferenceDataError(CMS_FILE, f"« {BLOCK}.{key} » : chaque élément est un texte.")
        return tuple(item.strip() for item in value)

    def contact(key: str) -> Contact:
        value = block.get(key)
        if not isinstance(value, dict):
            raise ReferenceDataError(CMS_FILE, f"« {BLOCK}.{key} » : objet requis.")
        return Contact(
            text("name", value),
            *(text(part, value, required=False) for part in ("address", "email", "phone")),
        )

    return DataProtection(
        controller=contact("controller"),
        dpo=contact("dpo"),
        **{key: texts(key) for key in _LISTS},
        **{key: text(key) for key in _TEXTS},
        to_complete=text("to_complete", required=False),
    )
