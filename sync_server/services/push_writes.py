"""How a push writes: fields at a version with their stamps, conflicts kept, echoes marked.

Objects only (a loaded ``SyncRecord`` or a ``NewRecord`` of this batch): the batch writes them
all at the end (``push_batch.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from json.encoder import encode_basestring_ascii
from typing import Any

import uuid6

from sync_server.authz import Actor
from sync_server.models import utcnow
from sync_server.services.accounts import SERVER_AUTHOR, wire_datetime
from sync_server.services.canonical import Pieces, keys_of, object_json, stored_json
from sync_server.services.digests import class_digests
from sync_server.services.merge import LIVE, FieldConflict, stored_stamp, when
from sync_server.services.push_batch import NewRecord
from sync_server.wire_schema import CONFLICT_TABLE, TableSpec

# Creation facts: kept from the first write, never overwritten by a later change.
_CREATION_FIELDS = frozenset({"author", "created_at"})


def mark_echo(record: Any, pushed: Mapping[str, Any], device_id: str) -> bool:
    """The pushing device holds this version whole when every value was stored as it sent it
    (and, for a new record, nothing was added): then its pulls need not bring it back.

    ``device`` is the server's to set (the pushing device's id here): the answer carries it,
    and the device takes it with the version.
    """
    values = record.fields
    if not _stored_as_sent(values, pushed):
        return False
    if isinstance(record, NewRecord) and values.keys() - pushed.keys() - _SET_BY_SERVER:
        return False
    record.echo_device = device_id
    record.echo_version = record.version
    return True


_MISSING = object()
_SET_BY_SERVER = frozenset({"id", "device"})


def _stored_as_sent(values: Mapping[str, Any], pushed: Mapping[str, Any]) -> bool:
    """Every pushed value (but those the server sets) is stored equal, and of its type."""
    sent = list(pushed.values())
    kept = list(map(values.get, pushed, repeat(_MISSING)))
    if (
        sent == kept
        and list(map(type, sent)) == list(map(type, kept))
        and float not in set(map(type, sent))
    ):
        return True  # all of them, at once (no float: NaN is not equal to itself)
    for name, value in pushed.items():
        if name in _SET_BY_SERVER:
            continue
        stored = values.get(name, _MISSING)
        if stored is value and type(value) is str:
            continue  # the very text sent (most values: nothing re-spelled them)
        if stored != value or type(stored) is not type(value):
            return False
    return True


def new_record_json(
    record: NewRecord, parts: Pieces, stamp: list[Any] | None
) -> dict[str, tuple[Any, str]]:
    """The JSON of a new record's columns, joined from its values' canonical pieces: each
    value is encoded once for the digests and the database. ``stamp``: every field's, when
    they share one (else that column is left to the database's encoder)."""
    keys = keys_of(record.fields)
    version = str(record.version)
    encoded = {
        "fields": (record.fields, object_json(record.fields, parts)),
        "field_versions": (record.field_versions, _same_for_all(keys, version)),
    }
    if stamp is not None:
        if all(type(part) is str for part in stamp):  # json.dumps([*stamp, 0, LIVE]), joined
            one = "[" + ", ".join(map(encode_basestring_ascii, stamp)) + ", 0, " + _LIVE + "]"
        else:
            one = stored_json([*stamp, 0, LIVE])
        encoded["field_stamps"] = (record.field_stamps, _same_for_all(keys, one))
    if record.digests is not None:
        encoded["digests"] = (record.digests, stored_json(record.digests))
    return encoded


_LIVE = encode_basestring_ascii(LIVE)


def _same_for_all(keys: list[str], value: str) -> str:
    """{"a":value,"b":value,…} from the keys '"a":', '"b":'…"""
    if not keys:
        return "{}"
    return "{" + (value + ",").join(keys) + value + "}"


def raise_knowledge(record: Any, raised: Mapping[str, int]) -> None:
    """A replayed value the server already had: its field now covers that origin too."""
    if not raised:
        return
    stamps = dict(record.field_stamps)
    for name, origin in raised.items():
        stamp = stored_stamp(record, name)
        stamp[3] = max(int(stamp[3] or 0), origin)
        stamps[name] = stamp
    record.field_stamps = stamps


def write_fields(
    record: Any,
    changed: Mapping[str, tuple[Any, list[Any]]],
    version: int,
    table: TableSpec,
    actor: Actor,
    *,
    replay: bool = False,
) -> None:
    """Set fields (value, stamp) at this version; new dicts, since JSON columns do not track
    in-place edits."""
    values = dict(record.fields)
    versions = dict(record.field_versions)
    stamps = dict(record.field_stamps)
    for name, (value, stamp) in changed.items():
        if name in _CREATION_FIELDS and name in values:
            continue
        if name == "updated_at" and when(value) < when(values.get(name)):
            continue
        if name == "device":
            continue  # set below
        values[name] = value
        versions[name] = version
        stamps[name] = stamp
    device = changed["device"][0] if replay and "device" in changed else actor.device_id
    values["device"] = device
    values["deleted"] = record.deleted
    record.fields = values
    record.field_versions = versions
    record.field_stamps = stamps
    record.device = str(device)[:64]
    record.version = version
    record.updated_at = utcnow()
    record.digests = class_digests(table, values)


def conflict_record(
    version: int,
    schema: Mapping[str, TableSpec],
    table: TableSpec,
    record: Any,
    conflict: FieldConflict,
) -> NewRecord:
    """The losing value as a sync_conflict record, pulled by the CMS's supervisors."""
    if conflict.pushed_won:
        kept, kept_stamp = conflict.pushed_value, conflict.pushed_stamp
        other, other_stamp = conflict.stored_value, conflict.stored_stamp
    else:
        kept, kept_stamp = conflict.stored_value, conflict.stored_stamp
        other, other_stamp = conflict.pushed_value, conflict.pushed_stamp
    now = wire_datetime(utcnow())
    values = {
        "created_at": now,
        "updated_at": now,
        "author": SERVER_AUTHOR,
        "device": SERVER_AUTHOR,
        "deleted": False,
        "table": table.name,
        "record_id": record.id,
        "field": conflict.field,
        "value_class": table.fields[conflict.field].cls,
        "kept_value": kept,
        "other_value": other,
        "kept_updated_at": kept_stamp[0] or None,
        "kept_device": kept_stamp[1] or None,
        "kept_author": kept_stamp[2] or None,
        "other_updated_at": other_stamp[0] or None,
        "other_device": other_stamp[1] or None,
        "other_author": other_stamp[2] or None,
    }
    return NewRecord(
        table_name=CONFLICT_TABLE,
        id=str(uuid6.uuid7()),
        cms_code=record.cms_code,
        author=SERVER_AUTHOR,
        device=SERVER_AUTHOR,
        version=version,
        fields=values,
        field_versions=dict.fromkeys(values, version),
        deleted=False,
        digests=class_digests(schema[CONFLICT_TABLE], values),
    )
