"""How the public reaches each CMS, for the town-hall announcements of the van's visits.

Read from ``drome_resources/reference/cms.json`` (code, name, address, phone, e-mail, opening hours
in the communes' format), so the Département can correct a number without a new release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from van_app.core.communes import parse_opening_hours
from van_app.core.reference import ReferenceDataError, opening_hours_text

__all__ = ["CMS_FILE", "CmsContact", "cms_contact", "load_cms_contacts"]

CMS_FILE = "cms.json"


@dataclass(frozen=True)
class CmsContact:
    """How the public reaches a CMS: printed on the town-hall announcements."""

    code: str
    name: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    opening_hours: str | None = None  # French prose, one line per period


def load_cms_contacts(directory: Path | None = None) -> dict[str, CmsContact]:
    """Every CMS of ``drome_resources/reference/cms.json``; ReferenceDataError if malformed."""
    if directory is None:
        from van_app.config import resources_dir

        directory = resources_dir() / "reference"
    path = Path(directory) / CMS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(CMS_FILE, "fichier introuvable.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(CMS_FILE, f"lecture impossible ({exc}).") from exc
    items = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ReferenceDataError(CMS_FILE, "« items » doit être une liste.")
    contacts: dict[str, CmsContact] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item[k].strip() for k in ("code", "name")
        ):
            raise ReferenceDataError(CMS_FILE, f"élément n° {position} : code et nom requis.")
        try:
            hours = parse_opening_hours(json.dumps(item.get("opening_hours") or []))
        except ValueError as exc:
            raise ReferenceDataError(
                CMS_FILE, f"« {item['code']} » : horaires illisibles ({exc})."
            ) from exc

        def text(key: str, entry: dict = item) -> str | None:  # type: ignore[type-arg]
            value = entry.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        contacts[item["code"]] = CmsContact(
            code=item["code"],
            name=item["name"].strip(),
            address=text("address"),
            phone=text("phone"),
            email=text("email"),
            opening_hours=opening_hours_text(hours) if hours else None,
        )
    return contacts


def cms_contact(code: str, directory: Path | None = None) -> CmsContact:
    """The contact of CMS ``code``; a bare "Centre médico-social" when the file lacks it, so an
    announcement can still be printed (it then says less about how to reach the CMS).
    """
    return load_cms_contacts(directory).get(code) or CmsContact(code, "Centre médico-social")
