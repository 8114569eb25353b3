"""Confidentiality classes of fields, and who may read which class.

Each column declares its class where it is defined (see ``models``); this module is the one
place the rest of the code asks: ``field_class(Beneficiary, "phone")`` or
``readable_fields(PmiConsultation, roles)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import SQLModel


class Conf(StrEnum):
    """S: shareable in the CMS team; C: social secret; M: medical secret."""

    SERVICE = "S"
    SOCIAL = "C"
    MEDICAL = "M"


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    PMI_NURSE = "pmi_nurse"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.SOCIAL_WORKER: "Assistant·e socio-éducatif·ve",
    Role.PMI_NURSE: "Infirmier·e puériculteur·rice de PMI",
    Role.SUPERVISOR: "Responsable du CMS",
    Role.ADMINISTRATOR: "Administrateur·rice",
}

_READABLE_BY_ROLE: dict[Role, frozenset[Conf]] = {
    Role.SOCIAL_WORKER: frozenset({Conf.SERVICE, Conf.SOCIAL}),
    Role.PMI_NURSE: frozenset({Conf.SERVICE, Conf.MEDICAL}),
    Role.SUPERVISOR: frozenset({Conf.SERVICE, Conf.SOCIAL}),
    Role.ADMINISTRATOR: frozenset({Conf.SERVICE}),
}

INFO_KEY = "conf"


def readable_classes(roles: Iterable[str]) -> frozenset[Conf]:
    """The classes a person holding all these roles may read (the union of their roles)."""
    classes: set[Conf] = set()
    for role in roles:
        classes |= _READABLE_BY_ROLE.get(Role(role), frozenset())
    return frozenset(classes)


def field_class(model: type[SQLModel], field: str) -> Conf:
    """The confidentiality class declared on a column; KeyError if it declares none."""
    column = model.__table__.c[field]  # type: ignore[attr-defined]
    return Conf(column.info[INFO_KEY])


def fields_by_class(model: type[SQLModel]) -> dict[str, Conf]:
    """Every column of a table with its class."""
    return {
        column.name: Conf(column.info[INFO_KEY])
        for column in model.__table__.columns  # type: ignore[attr-defined]
    }


def readable_fields(model: type[SQLModel], roles: Iterable[str]) -> set[str]:
    """The columns of a table that a holder of these roles may read."""
    allowed = readable_classes(roles)
    return {name for name, conf in fields_by_class(model).items() if conf in allowed}
