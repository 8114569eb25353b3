"""Records that hang on a consultation: who may write them follows that consultation.

The rules are data in the shipped schema (``parent`` of each table), read the same by the
app: an addendum, an orientation or a follow-up is its consultation's author's; an addendum or
a review goes only on a signed consultation, by a supervisor who may read the whole of it (a
PMI visit is reviewed by a supervisor who is also a PMI nurse: nobody validates what they cannot
read); orientations freeze with their consultation; the consultation is found by its id *and*
table (a review names its kind), never by id alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from sync_server.authz import SIGNED, Actor, Rejection, is_noop, parse_datetime, readable_classes
from sync_server.models import SyncRecord
from sync_server.wire_schema import TableSpec


def relation_problem(
    session: Session,
    table: TableSpec,
    actor: Actor,
    fields: Mapping[str, Any],
    stored: SyncRecord | None,
    *,
    deleted: bool = False,
    replay: bool = False,
    schema: Mapping[str, TableSpec] | None = None,
) -> Rejection | None:
    """Why this change may not be written given the consultation it hangs on, or None."""
    rule = table.parent
    if rule is None:
        return None
    values = {**(stored.fields if stored is not None else {}), **fields}
    if stored is not None:
        for name in (rule.field, rule.kind_field):
            if name and name in fields and fields[name] != stored.fields.get(name):
                return Rejection("invalid", "Une fiche ne change pas de consultation.")
    parent_id = values.get(rule.field)
    parent_table = rule.parent_table(values)
    if parent_table is None:
        return Rejection("invalid", "Type de consultation inconnu.")
    if rule.reads_parent and (refused := _unreadable_parent(parent_table, actor, schema)):
        return refused
    if parent_id is None:
        return None  # optional link (a follow-up without its consultation)
    parent = session.get(SyncRecord, (parent_table, str(parent_id)))
    if parent is None or parent.cms_code != actor.cms_code or parent.deleted:
        if replay:
            return None  # sent back after a restore: it was checked when first written
        return Rejection("invalid", "La consultation de rattachement est inconnue du serveur.")
    author = stored.author if stored is not None else actor.username
    if rule.same_author and parent.author != author:
        return Rejection(
            "not_author", "Seul·e l'auteur·rice de la consultation peut y ajouter ou modifier ceci."
        )
    signed = parent.fields.get("status") == SIGNED
    if rule.parent_signed and not signed:
        return Rejection("not_signed", "Cela ne s'ajoute qu'à une consultation signée.")
    if stored is None:  # written with the consultation, before it was signed, or not at all
        changes_something = _written_after(values, parent.fields.get("signed_at"))
    else:
        changes_something = deleted or not is_noop(stored.fields, fields)
    if rule.frozen_with_parent and signed and changes_something:
        why = "La consultation est signée : ceci ne peut plus changer (ajoutez un complément)."
        return Rejection("signed", why)
    return None


def _written_after(values: Mapping[str, Any], signed_at: Any) -> bool:
    """A new record made after its consultation was signed (the app writes orientations and
    the signature in one save, so theirs are made at the same instant or before)."""
    made, signed = parse_datetime(values.get("created_at")), parse_datetime(signed_at)
    return made is None or signed is None or made > signed + SAME_SAVE


SAME_SAVE = dt.timedelta(minutes=1)  # stamps of one save, taken one after the other


def _unreadable_parent(
    parent_table: str | None, actor: Actor, schema: Mapping[str, TableSpec] | None
) -> Rejection | None:
    """Refused when the writer's roles do not read every class of the consultation's table."""
    if parent_table is None or schema is None or parent_table not in schema:
        return None
    needed = {spec.cls for spec in schema[parent_table].fields.values()}
    if needed <= readable_classes(actor.roles):
        return None
    return Rejection(
        "forbidden_parent",
        "Votre rôle ne permet pas de lire cette consultation : vous ne pouvez pas la relire "
        "(une consultation de PMI est relue par un·e responsable qui a aussi le rôle "
        "d'infirmier·ère de PMI).",
    )
