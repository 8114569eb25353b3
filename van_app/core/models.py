"""SQLModel tables of the van's local database.

Every record carries a client-made UUIDv7 id, timestamps, author, device, the server version
and a tombstone flag. Every column declares its confidentiality class (S, C or M) right here,
through ``service_field`` / ``social_field`` / ``medical_field``; ``confidentiality`` reads it.
Measures are integers in grams and millimetres: no float rounding in a child's weight.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import JSON, DateTime, TypeDecorator, event
from sqlmodel import Field, SQLModel

from van_app.core import text
from van_app.core.confidentiality import INFO_KEY, Conf
from van_app.core.ids import new_id


class UTCDateTime(TypeDecorator):
    """Stores naive UTC in SQLite, hands back timezone-aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use van_app.core.ids.utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def _classified(conf: Conf, default: Any, kwargs: dict[str, Any]) -> Any:
    sa_kwargs = dict(kwargs.pop("sa_column_kwargs", {}))
    sa_kwargs["info"] = {INFO_KEY: conf.value}
    if "default_factory" in kwargs:
        return Field(sa_column_kwargs=sa_kwargs, **kwargs)
    return Field(default, sa_column_kwargs=sa_kwargs, **kwargs)


def service_field(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A column of class S: shareable within the CMS team."""
    return _classified(Conf.SERVICE, default, kwargs)


def social_field(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A column of class C: social secret (social workers and the supervisor)."""
    return _classified(Conf.SOCIAL, default, kwargs)


def medical_field(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A column of class M: medical secret (PMI staff only)."""
    return _classified(Conf.MEDICAL, default, kwargs)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SyncedRecord(SQLModel):
    """Columns every synced record has (DESIGN.md, "Data")."""

    id: str = service_field(default_factory=new_id, primary_key=True, max_length=36)
    created_at: dt.datetime = service_field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = service_field(default_factory=utcnow, sa_type=UTCDateTime)
    author: str = service_field(max_length=64)
    device: str = service_field(max_length=64)
    server_version: int | None = service_field(None)
    deleted: bool = service_field(False)


class StaffAccount(SyncedRecord, table=True):
    """A professional as known on this device (accounts are administered on the server)."""

    __tablename__ = "staff_account"

    username: str = service_field(max_length=64, unique=True, index=True)
    display_name: str = service_field(max_length=120)
    roles: list[str] = service_field(default_factory=list, sa_type=JSON)
    cms_code: str = service_field(max_length=32)
    active: bool = service_field(True)


class TourPattern(SyncedRecord, table=True):
    """A repeating stop ("2nd Tuesday of every month"): the dated stops are generated from it.

    ``week_of_month`` is 1 to 4, or -1 for the last such weekday of the month; ``weekday`` is
    0 for Monday. ``skipped_dates`` holds the ISO dates the pattern must not (re)generate:
    exceptions the supervisor cancelled or moved.
    """

    __tablename__ = "tour_pattern"

    commune_insee: str = service_field(max_length=5, index=True)
    weekday: int = service_field()
    week_of_month: int = service_field()
    first_date: dt.date = service_field()
    last_date: dt.date | None = service_field(None)
    start_time: dt.time = service_field()
    end_time: dt.time = service_field()
    place: str = service_field(max_length=200)
    services: str = service_field(max_length=16)  # "social", "pmi" or "both"
    skipped_dates: list[str] = service_field(default_factory=list, sa_type=JSON)
    cms_code: str = service_field(max_length=32)


class TourStop(SyncedRecord, table=True):
    """One planned stop of the van: a commune, a day, hours, a place, services offered."""

    __tablename__ = "tour_stop"

    commune_insee: str = service_field(max_length=5, index=True)
    stop_date: dt.date = service_field(index=True)
    start_time: dt.time = service_field()
    end_time: dt.time = service_field()
    place: str = service_field(max_length=200)
    services: str = service_field(max_length=16)  # "social", "pmi" or "both"
    cms_code: str = service_field(max_length=32)
    pattern_id: str | None = service_field(None, max_length=36, index=True)


class Beneficiary(SyncedRecord, table=True):
    """A person received in the van: identity and contact, class S only."""

    __tablename__ = "beneficiary"

    birth_name: str = service_field(max_length=100, index=True)
    usual_name: str | None = service_field(None, max_length=100)
    first_names: str = service_field(max_length=150)
    birth_date: dt.date = service_field(index=True)
    sex: str = service_field(max_length=1)  # "F", "M" or "I" (indéterminé)
    birthplace: str | None = service_field(None, max_length=100)
    commune_insee: str | None = service_field(None, max_length=5)
    phone: str | None = service_field(None, max_length=20)
    known_to_cms: bool = service_field(False)
    information_date: dt.date | None = service_field(None)
    search_key: str = service_field("", max_length=400, index=True)
    # Set by the supervisor's merge of a duplicate: the person this record was found to be.
    # The record stays (its visits still point at it) but is shown as, and searched as, that one.
    merged_into_id: str | None = service_field(None, max_length=36, index=True)


class HouseholdLink(SyncedRecord, table=True):
    """A parent–child link between two beneficiaries."""

    __tablename__ = "household_link"

    parent_id: str = service_field(foreign_key="beneficiary.id", index=True, max_length=36)
    child_id: str = service_field(foreign_key="beneficiary.id", index=True, max_length=36)
    relation: str = service_field(max_length=16)  # "mother", "father", "guardian"


class SocialConsultation(SyncedRecord, table=True):
    """A social reception by the social worker. Append-only once signed (addenda)."""

    __tablename__ = "social_consultation"

    beneficiary_id: str = service_field(foreign_key="beneficiary.id", index=True, max_length=36)
    stop_id: str | None = service_field(None, foreign_key="tour_stop.id", max_length=36)
    consultation_date: dt.date = service_field(index=True)
    duration_minutes: int | None = service_field(None)
    known_before: bool = service_field(False)
    status: str = service_field("draft", max_length=16)  # "draft" or "signed"
    signed_at: dt.datetime | None = service_field(None, sa_type=UTCDateTime)
    arrival_mode: str | None = social_field(None, max_length=32)
    demand_types: list[str] = social_field(default_factory=list, sa_type=JSON)
    actions: list[str] = social_field(default_factory=list, sa_type=JSON)
    outcome: str | None = social_field(None, max_length=32)
    note: str = social_field("", max_length=4000)


class SocialOrientation(SyncedRecord, table=True):
    """An orientation to a partner decided during a social consultation."""

    __tablename__ = "social_orientation"

    consultation_id: str = service_field(
        foreign_key="social_consultation.id", index=True, max_length=36
    )
    partner_code: str = social_field(max_length=32)
    orientation_date: dt.date = social_field()


class SocialAddendum(SyncedRecord, table=True):
    """A correction or completion added to a signed social consultation."""

    __tablename__ = "social_addendum"

    consultation_id: str = service_field(
        foreign_key="social_consultation.id", index=True, max_length=36
    )
    note: str = social_field(max_length=4000)


class PmiConsultation(SyncedRecord, table=True):
    """A PMI consultation: a child's measures and follow-up, or a prenatal follow-up."""

    __tablename__ = "pmi_consultation"

    beneficiary_id: str = service_field(foreign_key="beneficiary.id", index=True, max_length=36)
    stop_id: str | None = service_field(None, foreign_key="tour_stop.id", max_length=36)
    consultation_date: dt.date = service_field(index=True)
    duration_minutes: int | None = service_field(None)
    known_before: bool = service_field(False)
    status: str = service_field("draft", max_length=16)
    signed_at: dt.datetime | None = service_field(None, sa_type=UTCDateTime)
    kind: str = medical_field(max_length=16)  # "child" or "prenatal": pregnancy is medical
    weight_g: int | None = medical_field(None)
    length_mm: int | None = medical_field(None)
    head_circumference_mm: int | None = medical_field(None)
    feeding_mode: str | None = medical_field(None, max_length=32)
    vaccinations: list[str] = medical_field(default_factory=list, sa_type=JSON)
    development: list[str] = medical_field(default_factory=list, sa_type=JSON)
    advice_topics: list[str] = medical_field(default_factory=list, sa_type=JSON)
    orientation_partner: str | None = medical_field(None, max_length=32)
    orientation_date: dt.date | None = medical_field(None)
    next_appointment: dt.date | None = medical_field(None)
    gestational_age_weeks: int | None = medical_field(None)
    expected_term_date: dt.date | None = medical_field(None)
    maternal_weight_g: int | None = medical_field(None)
    blood_pressure_systolic: int | None = medical_field(None)
    blood_pressure_diastolic: int | None = medical_field(None)
    early_prenatal_interview_done: bool | None = medical_field(None)
    note: str = medical_field("", max_length=4000)


class PmiAddendum(SyncedRecord, table=True):
    """A correction or completion added to a signed PMI consultation."""

    __tablename__ = "pmi_addendum"

    consultation_id: str = service_field(
        foreign_key="pmi_consultation.id", index=True, max_length=36
    )
    note: str = medical_field(max_length=4000)


class FollowUp(SyncedRecord, table=True):
    """A demand followed until resolved: opened, due, closed with an outcome."""

    __tablename__ = "follow_up"

    beneficiary_id: str = service_field(foreign_key="beneficiary.id", index=True, max_length=36)
    consultation_id: str | None = service_field(
        None, foreign_key="social_consultation.id", max_length=36
    )
    demand_type: str = social_field(max_length=32)
    opened_on: dt.date = social_field()
    due_on: dt.date = social_field()
    closed_on: dt.date | None = social_field(None)
    outcome: str | None = social_field(None, max_length=32)
    note: str = social_field("", max_length=1000)


class SatisfactionAnswer(SyncedRecord, table=True):
    """One anonymous answer to the three satisfaction questions, tied to the stop only."""

    __tablename__ = "satisfaction_answer"

    stop_id: str | None = service_field(None, foreign_key="tour_stop.id", max_length=36)
    answered_on: dt.date = service_field()
    service: str = service_field(max_length=16)  # "social" or "pmi"
    service_rendered: int = service_field()  # 1 mauvais … 4 excellent
    reception: int = service_field()
    waiting_time: int = service_field()


class SupervisorReview(SyncedRecord, table=True):
    """The supervisor's review of a synced consultation (class S: both authors must read it)."""

    __tablename__ = "supervisor_review"

    consultation_id: str = service_field(index=True, max_length=36)
    consultation_kind: str = service_field(max_length=16)  # "social" or "pmi"
    status: str = service_field(max_length=24)  # "validated", "completion_requested"
    comment: str = service_field("", max_length=2000)


class SyncConflict(SyncedRecord, table=True):
    """The losing value of a same-field conflict, written by the server, pulled by supervisors.

    A supervisor settles it by choosing a value (written to the record as an ordinary change)
    and tombstoning the conflict; nothing else may change it.
    """

    __tablename__ = "sync_conflict"

    table: str = service_field(max_length=64)
    record_id: str = service_field(max_length=36, index=True)
    field: str = service_field(max_length=64)
    value_class: str = service_field(max_length=1)
    kept_value: Any = service_field(None, sa_type=JSON, nullable=True)
    other_value: Any = service_field(None, sa_type=JSON, nullable=True)
    kept_author: str | None = service_field(None, max_length=64)
    kept_device: str | None = service_field(None, max_length=64)
    kept_updated_at: dt.datetime | None = service_field(None, sa_type=UTCDateTime)
    other_author: str | None = service_field(None, max_length=64)
    other_device: str | None = service_field(None, max_length=64)
    other_updated_at: dt.datetime | None = service_field(None, sa_type=UTCDateTime)


DOMAIN_TABLES: tuple[type[SyncedRecord], ...] = (
    StaffAccount,
    TourPattern,
    TourStop,
    Beneficiary,
    HouseholdLink,
    SocialConsultation,
    SocialOrientation,
    SocialAddendum,
    PmiConsultation,
    PmiAddendum,
    FollowUp,
    SatisfactionAnswer,
    SupervisorReview,
    SyncConflict,
)


@event.listens_for(Beneficiary, "before_insert")
@event.listens_for(Beneficiary, "before_update")
def _refresh_search_key(mapper: Any, connection: Any, target: Beneficiary) -> None:
    """Keep the folded search key in step with the names, whoever writes them."""
    target.search_key = text.search_key(target.birth_name, target.usual_name, target.first_names)
