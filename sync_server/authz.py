"""Who may read and write what: pure functions over roles, the wire schema and records.

Every rule of docs/protocol.md and DESIGN.md "Security" that does not need the database is
here, so it can be tested on its own: readable classes per role, writable tables, the fields a
change may carry and their types, author-only / immutable / signed records, CMS scope, and
the field filter applied to every pulled record.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sync_server.text import json_problem, shown, text_problem
from sync_server.wire_schema import (
    BOOKKEEPING,
    CONFLICT_TABLE,
    FieldSpec,
    TableSpec,
    field_class,
)

SOCIAL_WORKER = "social_worker"
PMI_NURSE = "pmi_nurse"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
ROLES = (SOCIAL_WORKER, PMI_NURSE, SUPERVISOR, ADMINISTRATOR)
SYNC_ROLES = frozenset({SOCIAL_WORKER, PMI_NURSE, SUPERVISOR})

READABLE_BY_ROLE: dict[str, frozenset[str]] = {
    SOCIAL_WORKER: frozenset("SC"),
    PMI_NURSE: frozenset("SM"),
    SUPERVISOR: frozenset("SC"),
    ADMINISTRATOR: frozenset("S"),
}
REVIEW_TABLE = "supervisor_review"
CONSULTATION_TABLES = ("social_consultation", "pmi_consultation")
SIGNED = "signed"
MAX_LIST_ITEMS = 500
MAX_LIST_ITEM_LENGTH = 200
MAX_INT = 2**53  # exact in every JSON reader
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Actor:
    """The authenticated user and device of a request."""

    username: str
    roles: tuple[str, ...]
    cms_code: str
    device_id: str
    address: str | None = None  # the client's address, for the audit log


@dataclass(frozen=True)
class Rejection:
    code: str
    reason: str  # French, shown to the author of the change


@dataclass(frozen=True)
class StoredRecord:
    """What the rules need to know of the server copy of a record."""

    cms_code: str
    author: str
    deleted: bool
    fields: Mapping[str, Any]


# -- reading ---------------------------------------------------------------------------------


def readable_classes(roles: Iterable[str]) -> frozenset[str]:
    """The union over the user's roles (a supervisor who is also a PMI nurse reads M)."""
    classes: set[str] = set()
    for role in roles:
        classes |= READABLE_BY_ROLE.get(role, frozenset())
    return frozenset(classes)


def can_sync(roles: Iterable[str]) -> bool:
    """Administrators (alone) administer accounts; they hold no records."""
    return bool(SYNC_ROLES.intersection(roles))


def readable_tables(schema: Mapping[str, TableSpec], roles: Iterable[str]) -> list[str]:
    """Tables whose rows this user may pull (before the per-row review rule)."""
    roles = set(roles)
    if not can_sync(roles):
        return []
    return sorted(
        name
        for name, table in schema.items()
        if table.readers is None or table.readers.intersection(roles)
    )


def may_read_review(roles: Iterable[str], username: str, consultation_author: str | None) -> bool:
    """A supervisor review goes to supervisors and to the reviewed consultation's author."""
    return SUPERVISOR in set(roles) or consultation_author == username


def visible_fields(
    table: TableSpec, roles: Iterable[str], fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The record's fields the user may read; the others are left out (not nulled)."""
    classes = readable_classes(roles)
    return {
        name: value
        for name, value in fields.items()
        if name in table.fields and name != "id" and field_class(table, name, fields) in classes
    }


# -- writing ---------------------------------------------------------------------------------


def check_table(
    schema: Mapping[str, TableSpec], table_name: str, roles: Iterable[str]
) -> Rejection | None:
    table = schema.get(table_name)
    if table is None:
        return Rejection("unknown_table", f"Type de fiche inconnu du serveur : « {table_name} ».")
    if table.writers.isdisjoint(roles):
        return Rejection(
            "forbidden_table",
            f"Votre rôle ne permet pas d'enregistrer ce type de fiche ({table_name}).",
        )
    return None


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_record_id(record_id: str) -> Rejection | None:
    if type(record_id) is str and _CANONICAL_UUID.fullmatch(record_id):
        return None  # already what str(uuid.UUID(…)) writes back
    try:
        canonical = str(uuid.UUID(record_id))
    except (ValueError, AttributeError, TypeError):
        canonical = ""
    if canonical != record_id:  # lower-case canonical form: one spelling per id
        return Rejection("invalid", "Identifiant de fiche invalide (UUID attendu).")
    return None


def check_fields(
    table: TableSpec, roles: Iterable[str], fields: Mapping[str, Any]
) -> Rejection | None:
    """Every pushed field exists, is of a class the user may read, and has a valid value."""
    return checked_fields(table, roles, fields)[1]


def checked_fields(
    table: TableSpec, roles: Iterable[str], fields: Mapping[str, Any]
) -> tuple[dict[str, Any], Rejection | None]:
    """``check_fields``' verdict and, when there is none, the values as ``canonical_fields``
    gives them: one pass (a push checks and spells every value of every record)."""
    specs = table.fields
    for name in fields:
        if name not in specs:
            return {}, Rejection("invalid", f"Champ inconnu : « {shown(name)} ».")
    classes = _classes(roles)
    for name in fields:
        if specs[name].cls not in classes:
            return {}, Rejection(
                "forbidden_field",
                f"Champ « {name} » : votre rôle ne permet pas de le lire ni de le modifier.",
            )
    canonical: dict[str, Any] = {}
    for name, value in fields.items():
        spec = specs[name]
        kind = spec.type
        # The common wire types inline, as value_problem and canonical_value judge them.
        if value is None:
            if spec.nullable:
                canonical[name] = None
                continue
            problem: str | None = "valeur obligatoire"
        elif kind == "str" and type(value) is str:
            problem = text_problem(value, multiline=spec.multiline, max_length=spec.max_length)
            if problem is None:
                canonical[name] = value
                continue
        elif kind == "datetime":
            spelled = canonical_datetime(value)
            if spelled is not None:
                canonical[name] = spelled
                continue
            problem = "date et heure attendues (ISO 8601, UTC)"
        elif kind == "date":
            day = parse_date(value)
            if day is not None:
                spelled = day.isoformat()
                canonical[name] = value if spelled == value else spelled  # the text sent, kept
                continue
            problem = "date attendue (AAAA-MM-JJ)"
        elif kind == "bool" and type(value) is bool:
            canonical[name] = value
            continue
        else:
            problem = value_problem(spec, value)
        if problem:
            return {}, Rejection("invalid", f"Champ « {name} » : {problem}.")
        canonical[name] = canonical_value(spec, value)
    return canonical, None


def _classes(roles: Iterable[str]) -> frozenset[str]:
    if type(roles) is tuple:
        return _classes_of(roles)
    return readable_classes(roles)


@lru_cache(maxsize=64)
def _classes_of(roles: tuple[str, ...]) -> frozenset[str]:
    return readable_classes(roles)


def missing_required(table: TableSpec, fields: Mapping[str, Any]) -> Rejection | None:
    """A new record carries every required field (the server fills the bookkeeping ones)."""
    for name in _required(table):
        if name not in fields:
            return Rejection("invalid", f"Champ « {name} » : valeur obligatoire manquante.")
    return None


_REQUIRED: dict[int, tuple[TableSpec, list[str]]] = {}


def _required(table: TableSpec) -> list[str]:
    """The table's required fields, in the schema's order (kept per table spec)."""
    found = _REQUIRED.get(id(table))
    if found is None or found[0] is not table:
        names = [
            name
            for name, spec in table.fields.items()
            if name not in BOOKKEEPING and not spec.nullable
        ]
        found = _REQUIRED[id(table)] = (table, names)
    return found[1]


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """Why a JSON value does not fit the field's wire type (French), or None."""
    if value is None:
        return None if spec.nullable else "valeur obligatoire"
    kind = spec.type
    if kind == "any":
        return json_problem(value)
    if kind == "str":
        if not isinstance(value, str):
            return "texte attendu"
        return text_problem(value, multiline=spec.multiline, max_length=spec.max_length)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= MAX_INT:
            return "nombre entier attendu"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "vrai ou faux attendu"
    if kind == "list":
        if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
            return "liste de textes attendue"
        for item in value:
            if not isinstance(item, str):
                return "liste de textes attendue"
            problem = text_problem(item, max_length=MAX_LIST_ITEM_LENGTH)
            if problem:
                return f"élément de liste : {problem}"
        return None
    if kind == "date":
        return None if parse_date(value) else "date attendue (AAAA-MM-JJ)"
    if kind == "time":
        return None if parse_time(value) else "heure attendue (HH:MM:SS)"
    if kind == "datetime":
        return None if parse_datetime(value) else "date et heure attendues (ISO 8601, UTC)"
    return "type inconnu"


def canonical_fields(table: TableSpec, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values in their one wire spelling: datetimes in UTC with microseconds and "Z",
    dates and times as ISO (what every client writes back), so digests compare values."""
    return {name: canonical_value(table.fields[name], value) for name, value in fields.items()}


def canonical_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type == "datetime":
        spelled = canonical_datetime(value)
        if spelled is not None:
            return spelled
    if spec.type == "time":
        parsed_time = parse_time(value)
        if parsed_time is not None:
            return parsed_time.isoformat()
    if spec.type == "date":
        parsed_date = parse_date(value)
        if parsed_date is not None:
            return parsed_date.isoformat()
    return value


# Already in the one spelling (UTC, microseconds, "Z", a four-digit year): the parsed value
# would be written back as it is, so only its validity is checked.
_CANONICAL_DATETIME = re.compile(
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
)


def canonical_datetime(value: Any) -> str | None:
    """A valid datetime in its one wire spelling, or None if it is not a valid datetime."""
    if type(value) is str and _CANONICAL_DATETIME.fullmatch(value):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return value
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


SERVICE_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # before it, no record was written
CLOCK_SKEW = dt.timedelta(minutes=5)  # a laptop's clock may run this far ahead
STAMP_FIELDS = ("created_at", "updated_at", "signed_at")


def checked_stamps(
    fields: Mapping[str, Any], now: dt.datetime
) -> tuple[dict[str, Any], Rejection | None]:
    """The client's timestamps, not trusted blindly (docs/protocol.md): one before the service
    existed is refused; one more than a few minutes ahead of the server's clock is brought
    back to the server's time, so a wrong clock cannot win every later conflict."""
    checked = dict(fields)
    limit = now + CLOCK_SKEW
    for name in STAMP_FIELDS:
        value = checked.get(name)
        if type(value) is str and _CANONICAL_DATETIME.fullmatch(value):
            try:
                moment: dt.datetime | None = dt.datetime.fromisoformat(value)
            except ValueError:
                moment = None
        else:
            moment = parse_datetime(value)
        if moment is None:
            continue
        if moment < SERVICE_START:
            return checked, Rejection(
                "invalid", f"Champ « {name} » : date antérieure à la mise en service."
            )
        if moment > limit:
            checked[name] = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return checked, None


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_time(value: Any) -> dt.time | None:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware datetime from ISO 8601 with a zone ("Z" or an offset), else None."""
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed.astimezone(dt.UTC)  # out of range once in UTC (year 1 with an offset)
    except (ValueError, OverflowError):
        return None
    return parsed


def check_new_record(table: TableSpec, actor: Actor, fields: Mapping[str, Any]) -> Rejection | None:
    """A record the server does not know yet is created in the pushing user's CMS, by them."""
    if "cms_code" in fields and fields["cms_code"] != actor.cms_code:
        return Rejection("other_cms", "Cette fiche est rattachée à un autre CMS que le vôtre.")
    if "author" in fields and fields["author"] != actor.username:
        return Rejection("not_author", "L'auteur·rice indiqué·e n'est pas la personne connectée.")
    return None


def check_existing_record(
    table: TableSpec,
    actor: Actor,
    stored: StoredRecord,
    fields: Mapping[str, Any],
    deleted: bool,
    *,
    restoring_tombstone: bool = False,
) -> Rejection | None:
    """Rules for changing a record the server has: CMS, tombstone, author, frozen records.

    A change that would alter nothing (a replayed creation after a server restore, say) is
    not refused by the immutable/signed rules: see ``is_noop``.
    """
    if stored.cms_code != actor.cms_code:
        return Rejection("other_cms", "Cette fiche appartient à un autre CMS.")
    if "cms_code" in fields and fields["cms_code"] != stored.cms_code:
        return Rejection("other_cms", "Une fiche ne peut pas changer de CMS.")
    if stored.deleted:
        if deleted:
            return None
        return Rejection(
            "deleted",
            "Cette fiche a été supprimée sur le serveur : la modification n'a pas été appliquée.",
        )
    if (
        deleted
        and table.merge
        and stored.author != actor.username
        and SUPERVISOR not in actor.roles
    ):
        return Rejection(
            "not_author",
            "Seul·e l'auteur·rice de la fiche ou la responsable du CMS peut la supprimer.",
        )
    if "author" in fields and fields["author"] != stored.author:
        return Rejection("not_author", "L'auteur·rice d'une fiche ne peut pas changer.")
    noop = not deleted and is_noop(stored.fields, fields)
    if table.name == CONFLICT_TABLE and not deleted:
        return Rejection("immutable", "Un conflit se règle en le marquant comme traité.")
    if table.immutable and not noop:
        return Rejection("immutable", "Cette fiche ne peut plus être modifiée une fois envoyée.")
    if table.author_only and stored.author != actor.username:
        return Rejection("not_author", "Seul·e l'auteur·rice de cette fiche peut la modifier.")
    if table.freeze_when_signed and stored.fields.get("status") == SIGNED and not noop:
        return Rejection(
            "signed",
            "Cette consultation est signée : elle ne peut plus être modifiée "
            "(ajoutez un complément).",
        )
    return None


def is_noop(stored: Mapping[str, Any], pushed: Mapping[str, Any]) -> bool:
    """Every substantive pushed field already has that value (bookkeeping fields aside)."""
    return all(
        stored.get(name) == value for name, value in pushed.items() if name not in BOOKKEEPING
    )
