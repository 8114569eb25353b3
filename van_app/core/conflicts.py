"""Sync conflicts the supervisor settles: the same field changed on two devices.

The server keeps one value of a same-field conflict (the later change) and stores the other
as a ``sync_conflict`` record that the CMS's supervisors pull. The supervisor reads both
values, who wrote them and when, and picks one: picking the other value writes it into the
record as an ordinary change (so it syncs everywhere and wins, being the latest); either way
the conflict is tombstoned, which tells every supervisor's device it is settled.

Values arrive as wire values ("2026-11-12" for a date); they are decoded by the field's wire
type here, not through ``van_app.sync`` (core never imports it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from van_app.core.confidentiality import Role, readable_classes
from van_app.core.french import moment_text, time_text
from van_app.core.local_store import CurrentUser, LocalStore
from van_app.core.measures import format_date
from van_app.core.models import (
    Beneficiary,
    HouseholdLink,
    StaffAccount,
    SyncConflict,
    SyncedRecord,
    TourPattern,
    TourStop,
)
from van_app.core.people import RELATION_LABELS, display_name
from van_app.core.reference import ReferenceData
from van_app.core.sync_schema import export_schema

CHOICES = ("kept", "other")
UNKNOWN = "non renseigné"
SERVER_AUTHOR = "server"

# The tables whose records merge field by field, hence the only ones with conflicts.
MODELS: dict[str, type[SyncedRecord]] = {
    "beneficiary": Beneficiary,
    "household_link": HouseholdLink,
    "tour_stop": TourStop,
    "tour_pattern": TourPattern,
}
TABLE_LABELS = {
    "beneficiary": "Fiche de la personne",
    "household_link": "Lien familial",
    "tour_stop": "Arrêt de la tournée",
    "tour_pattern": "Tournée régulière",
}
IDENTITY_LABELS = {
    "birth_name": "Nom de naissance",
    "usual_name": "Nom d'usage",
    "first_names": "Prénoms",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "birthplace": "Lieu de naissance",
    "commune_insee": "Commune",
    "phone": "Téléphone",
    "known_to_cms": "Connu·e du CMS avant",
    "information_date": "Date d'information",
}
_STOP_LABELS = {
    "commune_insee": "Commune",
    "start_time": "Heure d'arrivée",
    "end_time": "Heure de départ",
    "place": "Lieu de stationnement",
    "services": "Services proposés",
    "cms_code": "CMS",
}
FIELD_LABELS: dict[str, dict[str, str]] = {
    "beneficiary": {**IDENTITY_LABELS, "merged_into_id": "Fiche fusionnée dans"},
    "household_link": {"parent_id": "Parent", "child_id": "Enfant", "relation": "Lien"},
    "tour_stop": {**_STOP_LABELS, "stop_date": "Date", "pattern_id": "Tournée régulière"},
    "tour_pattern": {
        **_STOP_LABELS,
        "weekday": "Jour de la semaine",
        "week_of_month": "Semaine du mois",
        "first_date": "Premier passage",
        "last_date": "Dernier passage",
        "skipped_dates": "Dates annulées",
    },
}
COMMON_LABELS = {"deleted": "Suppression"}
# As on the Today screen (core.today, not imported: it depends on modules that import us).
SERVICE_LABELS = {"social": "Accueil social", "pmi": "PMI", "both": "Accueil social et PMI"}
SEX_LABELS = {"F": "Femme", "M": "Homme", "I": "Indéterminé"}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKS_OF_MONTH = {1: "1re semaine", 2: "2e semaine", 3: "3e semaine", 4: "4e semaine"}
_PERSON_FIELDS = {"parent_id", "child_id", "merged_into_id"}
_NOT_SETTLED_BY_VALUE = {"id", "created_at", "updated_at", "author", "device", "server_version"}


class ConflictAccessError(PermissionError):
    """Settling conflicts is the supervisor's; ``str()`` is French."""


class ConflictNotFoundError(LookupError):
    """The conflict is not on this device, or was settled already."""


@dataclass(frozen=True)
class ConflictSide:
    """One of the two values, formatted, with who wrote it and when."""

    value: str
    who: str  # display name, or "Inconnu"
    at: dt.datetime | None
    device: str

    @property
    def when(self) -> str:
        """ "12/11/2026 à 14 h 05", local time; "" when unknown."""
        return local_time(self.at)

    @property
    def written(self) -> str:
        """ "Agnès Martin, le 12/11/2026 à 14 h 05"."""
        if self.at is None:
            return self.who
        return f"{self.who}, le {self.when}"


@dataclass(frozen=True)
class ConflictView:
    """What the supervisor reads of one open conflict."""

    id: str
    table: str
    table_label: str
    record_id: str
    record_label: str  # "ROUX Camille, née le 05/05/1995", "Arrêt du 12/11/2026 à Die"
    person_id: str | None  # the person's file to open, when the record is a person's
    field: str
    field_label: str
    kept: ConflictSide
    other: ConflictSide
    current: str  # the record's value now, formatted
    changed_since: bool  # the record holds neither value any more
    record_missing: bool
    arrived: dt.datetime


# -- formatting ------------------------------------------------------------------------------


def local_time(moment: dt.datetime | None) -> str:
    """ "12/11/2026 à 14 h 05" in the device's time zone; "" for None."""
    return moment_text(moment)


def field_label(table: str, field: str) -> str:
    return FIELD_LABELS.get(table, {}).get(field) or COMMON_LABELS.get(field, field)


def person_label(person: Beneficiary) -> str:
    """ "ROUX Camille, née le 05/05/1995": a name and a birth date tell namesakes apart."""
    born = {"F": "née", "M": "né"}.get(person.sex, "né·e")
    return f"{display_name(person)}, {born} le {format_date(person.birth_date)}"


def _time(value: dt.time) -> str:
    return time_text(value)


class ValueFormatter:
    """Formats field values the French way; person ids become names (looked up once)."""

    def __init__(self, session: Session, ref: ReferenceData) -> None:
        self.session = session
        self.ref = ref
        self._names: dict[str, str] = {}

    def person_name(self, person_id: str) -> str:
        if person_id not in self._names:
            person = self.session.get(Beneficiary, person_id)
            self._names[person_id] = (
                display_name(person) if person is not None else "personne absente de ce poste"
            )
        return self._names[person_id]

    def format(self, table: str, field: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return UNKNOWN
        if field in _PERSON_FIELDS:
            return self.person_name(str(value))
        if field == "sex":
            return SEX_LABELS.get(value, str(value))
        if field == "commune_insee":
            return self.ref.label("communes", value)
        if field == "services":
            return SERVICE_LABELS.get(value, str(value))
        if field == "relation":
            return RELATION_LABELS.get(value, str(value))
        if field == "weekday" and isinstance(value, int) and 0 <= value < len(WEEKDAYS):
            return WEEKDAYS[value]
        if field == "week_of_month" and isinstance(value, int):
            return "dernière semaine" if value == -1 else WEEKS_OF_MONTH.get(value, str(value))
        if field == "skipped_dates" and isinstance(value, list):
            return ", ".join(self.format(table, "_date", decode_value("date", v)) for v in value)
        if field == "pattern_id":
            return "rattaché à une tournée régulière"
        if isinstance(value, bool):
            return "Oui" if value else "Non"
        if isinstance(value, dt.datetime):
            return local_time(value)
        if isinstance(value, dt.date):
            return format_date(value)
        if isinstance(value, dt.time):
            return _time(value)
        return str(value).strip()

    def record_label(self, table: str, record: Any) -> str:
        """Which record the conflict is on, as a person would name it."""
        if record is None:
            return "Fiche absente de ce poste"
        if isinstance(record, Beneficiary):
            return person_label(record)
        if isinstance(record, HouseholdLink):
            relation = RELATION_LABELS.get(record.relation, "Parent")
            return (
                f"{relation} : {self.person_name(record.parent_id)} — "
                f"enfant : {self.person_name(record.child_id)}"
            )
        commune = self.ref.label("communes", record.commune_insee)
        if isinstance(record, TourStop):
            return f"Arrêt du {format_date(record.stop_date)} à {commune}"
        if isinstance(record, TourPattern):
            week = self.format(table, "week_of_month", record.week_of_month)
            day = self.format(table, "weekday", record.weekday)
            return f"Tournée régulière à {commune} ({day}, {week} du mois)"
        return TABLE_LABELS.get(table, table)


# -- wire values -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _wire_fields() -> dict[str, dict[str, dict[str, Any]]]:
    """table → field → {"type", "nullable", …}, from the wire schema the server also reads."""
    return {name: table["fields"] for name, table in export_schema()["tables"].items()}


def decode_value(kind: str, value: Any) -> Any:
    """A wire value as the Python value the column holds."""
    if value is None or not isinstance(value, str):
        return list(value) if isinstance(value, list | tuple) else value
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "datetime":
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return value


def wire_type(table: str, field: str) -> str | None:
    """The field's wire type ("date", "time", "str"…), None for a field that is not synced."""
    spec = _wire_fields().get(table, {}).get(field)
    return spec["type"] if spec else None


def _decoded(conflict: SyncConflict, value: Any) -> Any:
    kind = wire_type(conflict.table, conflict.field) or "any"
    try:
        return decode_value(kind, value)
    except (TypeError, ValueError):
        return value  # shown as received rather than hiding the conflict


# -- reading ---------------------------------------------------------------------------------


def is_supervisor(user: CurrentUser) -> bool:
    return Role.SUPERVISOR.value in user.roles


def require_supervisor(user: CurrentUser, what: str = "régler les conflits") -> None:
    if not is_supervisor(user):
        raise ConflictAccessError(f"Seul·e le ou la responsable du CMS peut {what}.")


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """username → display name, for the accounts known on this device."""
    names = {u for u in usernames if u}
    if not names:
        return {}
    accounts = session.exec(
        select(StaffAccount).where(col(StaffAccount.username).in_(sorted(names)))
    ).all()
    return {a.username: a.display_name for a in accounts}


def _side(
    value: str, author: str | None, device: str | None, when: dt.datetime | None, names: dict
) -> ConflictSide:
    who = names.get(author or "", author or "Inconnu")
    return ConflictSide(value, who, when, device or "")


def _live(model: type[SyncedRecord], session: Session, record_id: str) -> Any:
    record = session.get(model, record_id)
    return None if record is None or record.deleted else record


def open_conflicts(session: Session, ref: ReferenceData, user: CurrentUser) -> list[ConflictView]:
    """The conflicts still to settle, the oldest first. Supervisors only."""
    require_supervisor(user, "consulter les conflits de synchronisation")
    conflicts = session.exec(
        select(SyncConflict)
        .where(col(SyncConflict.deleted).is_(False))
        .order_by(col(SyncConflict.created_at), col(SyncConflict.id))
    ).all()
    authors = {c.kept_author or "" for c in conflicts} | {c.other_author or "" for c in conflicts}
    names = display_names(session, authors)
    readable = readable_classes(user.roles)
    formatter = ValueFormatter(session, ref)
    views = []
    for conflict in conflicts:
        model = MODELS.get(conflict.table)
        record = _live(model, session, conflict.record_id) if model is not None else None
        hidden = conflict.value_class not in {c.value for c in readable}
        kept_value = other_value = None
        if hidden:
            kept_text = other_text = "contenu réservé, non transmis à votre poste"
        else:
            kept_value, other_value = (
                _decoded(conflict, conflict.kept_value),
                _decoded(conflict, conflict.other_value),
            )
            kept_text = formatter.format(conflict.table, conflict.field, kept_value)
            other_text = formatter.format(conflict.table, conflict.field, other_value)
        current, changed = "", False
        if record is not None and not hidden and hasattr(record, conflict.field):
            now = getattr(record, conflict.field)
            current = formatter.format(conflict.table, conflict.field, now)
            changed = now not in (kept_value, other_value)
        person_id = record.id if isinstance(record, Beneficiary) else None
        if isinstance(record, HouseholdLink):
            person_id = record.child_id
        views.append(
            ConflictView(
                id=conflict.id,
                table=conflict.table,
                table_label=TABLE_LABELS.get(conflict.table, conflict.table),
                record_id=conflict.record_id,
                record_label=formatter.record_label(conflict.table, record),
                person_id=person_id,
                field=conflict.field,
                field_label=field_label(conflict.table, conflict.field),
                kept=_side(
                    kept_text,
                    conflict.kept_author,
                    conflict.kept_device,
                    conflict.kept_updated_at,
                    names,
                ),
                other=_side(
                    other_text,
                    conflict.other_author,
                    conflict.other_device,
                    conflict.other_updated_at,
                    names,
                ),
                current=current,
                changed_since=changed,
                record_missing=record is None,
                arrived=conflict.created_at,
            )
        )
    return views


def open_conflict_count(session: Session) -> int:
    """How many conflicts wait (for a badge); no content."""
    return len(
        session.exec(select(SyncConflict.id).where(col(SyncConflict.deleted).is_(False))).all()
    )


# -- settling --------------------------------------------------------------------------------


def settle_conflict(store: LocalStore, conflict_id: str, choice: str) -> None:
    """Keep the server's value ("kept") or write the other one ("other"); the conflict closes.

    Both writes go through one transaction of the store, so the outbox sends them together.
    """
    require_supervisor(store.user)
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    with store.session() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.deleted:
            raise ConflictNotFoundError("Ce conflit a déjà été réglé ou n'est plus sur ce poste.")
        if choice == "other":
            _write_other_value(store, session, conflict)
        conflict.deleted = True
        session.add(store.stamp(conflict))


def _write_other_value(store: LocalStore, session: Session, conflict: SyncConflict) -> None:
    model = MODELS.get(conflict.table)
    if (
        model is None
        or conflict.field in _NOT_SETTLED_BY_VALUE
        or conflict.field not in model.model_fields
        or wire_type(conflict.table, conflict.field) is None
    ):
        raise ConflictAccessError(
            "Ce champ ne peut pas être modifié d'ici : gardez la valeur retenue."
        )
    if conflict.value_class not in {c.value for c in readable_classes(store.user.roles)}:
        raise ConflictAccessError(
            "Cette valeur n'est pas transmise à votre poste : gardez la valeur retenue."
        )
    record = session.get(model, conflict.record_id)
    if record is None:
        raise ConflictNotFoundError(
            "La fiche concernée n'est pas encore sur ce poste : synchronisez, puis réessayez."
        )
    if record.deleted:
        raise ConflictAccessError(
            "La fiche concernée a été supprimée : seule la valeur retenue peut être gardée."
        )
    value = decode_value(wire_type(conflict.table, conflict.field) or "any", conflict.other_value)
    if value is None and not _wire_fields()[conflict.table][conflict.field]["nullable"]:
        raise ConflictAccessError("Ce champ ne peut pas rester vide : gardez la valeur retenue.")
    setattr(record, conflict.field, value)
    session.add(store.stamp(record))


__all__ = [
    "CHOICES",
    "FIELD_LABELS",
    "IDENTITY_LABELS",
    "SEX_LABELS",
    "ConflictAccessError",
    "ConflictNotFoundError",
    "ConflictSide",
    "ConflictView",
    "ValueFormatter",
    "decode_value",
    "display_names",
    "field_label",
    "local_time",
    "open_conflict_count",
    "open_conflicts",
    "person_label",
    "require_supervisor",
    "settle_conflict",
]
