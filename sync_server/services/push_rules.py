"""The rules of one pushed change: authorization, per-field merge, tombstones, replays.

Reads and writes only the batch's objects (``push_batch.py``), never the database row by row.
A change whose values the server stored exactly as sent, over the state its device held
(``previous_version`` equal to its base), marks the record as that device's *echo*: the
device holds that version whole, so its pulls leave it out (``mark_echo``). A push whose
answer was lost is sent again and answered ``duplicate`` with the same versions, so the
device still learns them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlmodel import Session, select

from sync_server import authz
from sync_server.authz import SUPERVISOR, Actor, Rejection, StoredRecord
from sync_server.models import Device, SyncRecord, UserAccount, utcnow
from sync_server.services.accounts import SERVER_AUTHOR, wire_datetime
from sync_server.services.canonical import pieces
from sync_server.services.digests import class_digests
from sync_server.services.merge import (
    LIVE,
    REPLAY,
    FieldConflict,
    MergeResult,
    merge_fields,
    replay_fields,
)
from sync_server.services.push_batch import NewRecord, PushBatch
from sync_server.services.push_writes import (
    conflict_record,
    mark_echo,
    new_record_json,
    raise_knowledge,
    write_fields,
)
from sync_server.services.relations import relation_problem
from sync_server.services.versions import VersionCounter
from sync_server.text import is_identifier, is_token, shown
from sync_server.wire_schema import CONFLICT_TABLE, TableSpec

APPLIED = "applied"
DUPLICATE = "duplicate"
MERGED = "merged"
REJECTED = "rejected"


@dataclass(frozen=True)
class Change:
    change_id: str
    table: str
    id: str
    base_version: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    deleted: bool = False
    bases: Mapping[str, int] | None = None  # per field: the version its author had seen
    replay: bool = False  # a value the server held before a restore (docs/protocol.md)
    origins: Mapping[str, int] | None = None  # replay: each field's version before the restore
    seen: Mapping[str, Any] | None = None  # per field: the value its author saw before the edit
    invalid: bool = False  # the change does not fit the protocol's envelope at all
    undelete: bool = False  # a supervisor puts back a record tombstoned by mistake


def result(
    change_id: str,
    status: str,
    version: int | None = None,
    reason: str | None = None,
    code: str | None = None,
    *,
    previous_version: int | None = None,
    lost_fields: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "change_id": change_id,
        "status": status,
        "version": version,
        "reason": reason,
        "code": code,
        "previous_version": previous_version,
        "lost_fields": list(lost_fields),
    }


class PushRules:
    """One push transaction: the batch's records, the counter and who pushes."""

    def __init__(
        self,
        batch: PushBatch,
        counter: VersionCounter,
        schema: Mapping[str, TableSpec],
        actor: Actor,
    ) -> None:
        self.batch = batch
        self.session = batch.session
        self.counter = counter
        self.schema = schema
        self.actor = actor
        self.epoch_start = counter.meta.epoch_start
        self.floor = counter.meta.restore_floor
        self.known_before = counter.current  # versions a device may have seen
        self._device_users: dict[str, str | None] = {}

    def handle(self, change: Change) -> dict[str, Any]:
        # Refused before anything is stored: the same answer to every replay, and nothing of
        # an ill-formed change reaches the database, the log or the answer unchecked.
        if change.invalid or not is_token(change.change_id) or not is_token(change.id):
            return result(
                shown(change.change_id),
                REJECTED,
                reason="Modification mal formée (identifiant de modification ou de fiche).",
                code="invalid",
            )
        if not is_identifier(change.table):
            return result(
                change.change_id,
                REJECTED,
                reason="Type de fiche inconnu du serveur.",
                code="unknown_table",
            )
        seen = self.batch.applied.get(change.change_id)
        if seen is not None:
            if self.batch.applied_owner[change.change_id] != self.actor.username:
                return result(
                    change.change_id,
                    REJECTED,
                    reason="Identifiant de modification déjà utilisé par un autre compte.",
                    code="invalid",
                )
            first = {"previous_version": None, "lost_fields": [], **seen}
            if first["status"] in (APPLIED, MERGED):
                first["status"] = DUPLICATE
            return first
        outcome = self.apply(change)
        self.batch.record_applied(change.change_id, self.actor, change.table, change.id, outcome)
        return outcome

    # -- one change ------------------------------------------------------------------------

    def apply(self, change: Change) -> dict[str, Any]:
        actor = self.actor

        def rejected(rejection: Rejection) -> dict[str, Any]:
            return result(change.change_id, REJECTED, reason=rejection.reason, code=rejection.code)

        if change.replay and change.table == CONFLICT_TABLE:
            return self._restore_conflict(change)
        problem = authz.check_table(self.schema, change.table, actor.roles) or (
            authz.check_record_id(change.id)
        )
        if problem:
            return rejected(problem)
        table = self.schema[change.table]
        fields = dict(change.fields)
        if "id" in fields and fields.pop("id") != change.id:
            return rejected(Rejection("invalid", "Le champ « id » ne correspond pas à la fiche."))
        seen = dict(change.seen or {})
        canonical, problem = authz.checked_fields(table, actor.roles, fields)
        problem = problem or self._check_versions(change, fields) or _check_seen(table, actor, seen)
        if problem:
            return rejected(problem)
        fields = canonical
        seen = authz.canonical_fields(table, seen) if seen else seen
        fields, problem = authz.checked_stamps(fields, utcnow())
        if problem:
            return rejected(problem)
        deleted = bool(change.deleted or fields.pop("deleted", False) is True)

        record = self.batch.get(SyncRecord, (change.table, change.id))
        if record is None or record.cms_code != actor.cms_code:
            if record is not None or self.batch.id_taken(change.id):
                return rejected(_ID_TAKEN)
            problem = relation_problem(
                self.lookup,
                table,
                actor,
                fields,
                None,
                deleted=deleted,
                replay=change.replay,
                schema=self.schema,
            )
            if problem:
                return rejected(problem)
            return self._create_new(change, table, fields, deleted)

        previous = record.version
        if change.undelete and record.deleted and not getattr(record, "purged_at", None):
            return self._undelete(change, table, record, fields)
        stored = StoredRecord(record.cms_code, record.author, record.deleted, record.fields)
        # A tombstone a restore lost comes back from whichever laptop holds it, while the record
        # is as the restored database had it (unchanged since the restore): who made it was
        # checked when it was first made.
        restoring = change.replay and deleted and 0 < record.version <= self.floor
        problem = authz.check_existing_record(
            table, actor, stored, fields, deleted, restoring_tombstone=restoring
        ) or (
            relation_problem(
                self.lookup,
                table,
                actor,
                fields,
                record,
                deleted=deleted,
                replay=change.replay,
                schema=self.schema,
            )
        )
        if problem:
            return rejected(problem)
        unchanged = result(change.change_id, APPLIED, record.version, previous_version=previous)
        if record.deleted:  # a tombstone again: nothing to do
            return unchanged
        frozen = table.immutable or (
            table.freeze_when_signed and record.fields.get("status") == authz.SIGNED
        )
        if frozen and not deleted:  # allowed only as a no-op (see check_existing_record)
            return unchanged
        stamp = self._stamp(change, fields)
        if deleted:  # a tombstone wins whatever its base (invariant 7)
            version = self.counter.next()
            record.deleted = True
            write_fields(
                record, {"updated_at": (stamp[0], [*stamp, 0, LIVE])}, version, table, actor
            )
            return result(change.change_id, APPLIED, version, previous_version=previous)
        if change.replay:
            merged = replay_fields(
                record, fields, change.origins or {}, stamp, self.epoch_start, merge=table.merge
            )
        elif table.merge:
            merged = merge_fields(
                record,
                fields,
                change.bases or {},
                change.base_version or 0,
                stamp,
                self.epoch_start,
                seen,
            )
        else:
            merged = MergeResult({n: (v, [*stamp, 0, LIVE]) for n, v in fields.items()})
        raise_knowledge(record, merged.knowledge)
        if not merged.winners and not merged.conflicts:
            lost = merged.lost
            if not lost:
                return unchanged
            return result(
                change.change_id,
                MERGED,
                record.version,
                reason=_merge_reason(lost),
                previous_version=previous,
                lost_fields=lost,
            )
        version = self.counter.next()
        write_fields(record, merged.winners, version, table, actor, replay=change.replay)
        made = [self._store_conflict(table, record, conflict) for conflict in merged.conflicts]
        if not merged.lost and not merged.conflicts:
            outcome = result(change.change_id, APPLIED, version, previous_version=previous)
            if not change.replay and previous == change.base_version:
                self._echo(outcome, record, change)
            return outcome
        outcome = result(
            change.change_id,
            MERGED,
            version,
            reason=_merge_reason(merged.lost),
            previous_version=previous,
            lost_fields=merged.lost,
        )
        # The pushing device keeps the conflicts its change made: if the server loses them in
        # a restore before a supervisor pulled them, that device sends them back.
        outcome["conflicts"] = [
            {"id": row.id, "version": row.version, "fields": self._visible(row)} for row in made
        ]
        return outcome

    def _visible(self, row: Any) -> dict[str, Any]:
        return authz.visible_fields(self.schema[CONFLICT_TABLE], self.actor.roles, row.fields)

    def _undelete(
        self, change: Change, table: TableSpec, record: Any, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """A supervisor puts back a person (or link) tombstoned by mistake."""
        if SUPERVISOR not in self.actor.roles or not table.merge:
            return result(
                change.change_id,
                REJECTED,
                reason="Seule la responsable du CMS peut rétablir une fiche supprimée.",
                code="not_author",
            )
        previous, version = record.version, self.counter.next()
        record.deleted = False
        stamp = [*self._stamp(change, fields), 0, LIVE]
        write_fields(record, {n: (v, stamp) for n, v in fields.items()}, version, table, self.actor)
        return result(change.change_id, APPLIED, version, previous_version=previous)

    def _check_versions(self, change: Change, fields: Mapping[str, Any]) -> Rejection | None:
        """Bases and origins name versions the server has handed out, for fields pushed."""
        base = change.base_version or 0
        if change.bases or change.origins:
            versions = [base, *(change.bases or {}).values()]
            versions += list((change.origins or {}).values())
        else:
            versions = [base]
        if any(not isinstance(v, int) or v < 0 or v > self.known_before for v in versions):
            return Rejection("invalid", "Version de base inconnue du serveur.")
        if change.replay:
            missing = [n for n in fields if n not in (change.origins or {})]
            if missing:
                return Rejection(
                    "invalid", f"Renvoi sans version d'origine pour : {', '.join(sorted(missing))}."
                )
        return None

    def _create_new(
        self, change: Change, table: TableSpec, fields: dict[str, Any], deleted: bool
    ) -> dict[str, Any]:
        actor = self.actor

        def rejected(rejection: Rejection) -> dict[str, Any]:
            return result(change.change_id, REJECTED, reason=rejection.reason, code=rejection.code)

        restoring_conflict = change.replay and table.name == CONFLICT_TABLE
        if table.server_only and not restoring_conflict:
            return rejected(Rejection("invalid", "Fiche inconnue du serveur."))
        author, checker = actor.username, actor
        if change.replay and (table.merge or restoring_conflict):
            # A record the restore lost comes back with its true author, whoever holds it,
            # for the shared tables; a professional's own records only from her own devices.
            author = self._restored_author(fields, conflict=restoring_conflict)
            if author is None:
                why = "L'auteur·rice indiqué·e n'est pas un compte de ce CMS."
                return rejected(Rejection("not_author", why))
            checker = _as(actor, author)
        problem = authz.check_new_record(table, checker, fields) or (
            None if deleted else authz.missing_required(table, fields)
        )
        if problem:
            return rejected(problem)
        version = self.counter.next()
        stamp = self._stamp(change, fields)
        if restoring_conflict:
            stamp = [stamp[0], SERVER_AUTHOR, SERVER_AUTHOR]
        # The server's time only when a stamp is missing (the fields' own win below).
        sent = "created_at" in fields and "updated_at" in fields
        now = None if sent else wire_datetime(utcnow())
        values = {"created_at": now, "updated_at": now, **fields}
        values.update(author=author, deleted=deleted)
        values["device"] = fields.get("device") if change.replay else actor.device_id
        values["device"] = values["device"] or actor.device_id
        origins = change.origins or {}
        parts = pieces(values)  # each value encoded once: digests and stored JSON
        if change.replay:
            field_stamps = {n: [*stamp, int(origins.get(n, 0)), REPLAY] for n in values}
        else:
            field_stamps = dict.fromkeys(values, [*stamp, 0, LIVE])  # noqa: RUF024 (copied before edits)
        record = NewRecord(
            table_name=table.name,
            id=change.id,
            cms_code=actor.cms_code,
            author=author,
            device=values["device"],
            version=version,
            deleted=deleted,
            fields=values,
            field_versions=dict.fromkeys(values, version),
            field_stamps=field_stamps,
            digests=class_digests(table, values, parts),
        )
        record.encoded = new_record_json(record, parts, None if change.replay else stamp)
        self.batch.add_new(record)
        outcome = result(change.change_id, APPLIED, version)
        if not change.replay:
            self._echo(outcome, record, change)
        return outcome

    def _echo(self, outcome: dict[str, Any], record: Any, change: Change) -> None:
        """Stored as sent over what the device held: it holds the version whole once it
        takes the server's ``device`` from the answer (then its pulls leave the record out)."""
        if mark_echo(record, change.fields, self.actor.device_id):
            outcome["device"] = self.actor.device_id

    def _restore_conflict(self, change: Change) -> dict[str, Any]:
        """A conflict the restore lost, sent back by a device that holds it: a supervisor who
        pulled it, or a professional whose push made it (its result carried it).

        Allowed to whoever may write the conflicting table and read the conflicting field;
        a conflict the server has again already changes nothing.
        """

        def rejected(rejection: Rejection) -> dict[str, Any]:
            return result(change.change_id, REJECTED, reason=rejection.reason, code=rejection.code)

        table = self.schema[CONFLICT_TABLE]
        fields = dict(change.fields)
        fields.pop("id", None)
        conflicted = self.schema.get(str(fields.get("table")))
        problem = authz.check_record_id(change.id) or authz.check_fields(
            table, self.actor.roles, fields
        )
        if problem:
            return rejected(problem)
        readable = authz.readable_classes(self.actor.roles)
        party = self.actor.username in (fields.get("kept_author"), fields.get("other_author"))
        key = (str(fields.get("table")), str(fields.get("record_id")))
        about = self.batch.get(SyncRecord, key)  # may come later, from another replay
        if (
            conflicted is None
            or not conflicted.writers.intersection(self.actor.roles)
            or fields.get("field") not in conflicted.fields
            or fields.get("value_class") not in readable
            or not (party or SUPERVISOR in self.actor.roles)
            or (about is not None and about.cms_code != self.actor.cms_code)
        ):
            return rejected(
                Rejection("forbidden_table", "Ce conflit ne concerne pas une fiche de votre rôle.")
            )
        # Settled (tombstoned) on a supervisor's laptop: it stays settled.
        settled = bool(change.deleted or fields.pop("deleted", False) is True)
        settled = settled and SUPERVISOR in self.actor.roles
        record = self.batch.get(SyncRecord, (CONFLICT_TABLE, change.id))
        if record is not None:
            if record.cms_code != self.actor.cms_code:
                return rejected(Rejection("other_cms", "Cette fiche appartient à un autre CMS."))
            if not settled or record.deleted:
                return result(
                    change.change_id, APPLIED, record.version, previous_version=record.version
                )
            previous, version = record.version, self.counter.next()
            record.deleted = True
            stamp = [*self._stamp(change, fields), 0, REPLAY]
            write_fields(record, {"updated_at": (stamp[0], stamp)}, version, table, self.actor)
            return result(change.change_id, APPLIED, version, previous_version=previous)
        if fields.get("author", SERVER_AUTHOR) != SERVER_AUTHOR:
            return rejected(Rejection("not_author", "Un conflit est écrit par le serveur."))
        return self._create_new(change, table, authz.canonical_fields(table, fields), settled)

    def _restored_author(self, fields: Mapping[str, Any], *, conflict: bool) -> str | None:
        """The claimed author of a replayed record, if it is one of this CMS's accounts."""
        author = fields.get("author")
        if conflict:
            return SERVER_AUTHOR if author in (None, SERVER_AUTHOR) else None
        if not isinstance(author, str) or author == self.actor.username:
            return self.actor.username
        user = self.session.exec(
            select(UserAccount).where(
                UserAccount.username == author, UserAccount.cms_code == self.actor.cms_code
            )
        ).first()
        return None if user is None else author

    def _stamp(self, change: Change, fields: Mapping[str, Any]) -> list[Any]:
        """[updated_at, device, author]: what a same-field conflict compares.

        A replay is stamped with the device that last wrote the record (the author of the
        last change as the server knew it), not with the device that happens to send it.
        """
        updated_at = fields.get("updated_at")
        if not isinstance(updated_at, str):
            updated_at = wire_datetime(utcnow())
        if change.replay and isinstance(fields.get("device"), str):
            device = fields["device"]
            return [updated_at, device, self._user_of(device) or self.actor.username]
        return [updated_at, self.actor.device_id, self.actor.username]

    def _user_of(self, device_id: str) -> str | None:
        if device_id not in self._device_users:
            row = self.session.exec(
                select(UserAccount.username)
                .join(Device, Device.user_id == UserAccount.id)  # type: ignore[arg-type]
                .where(Device.id == device_id)
            ).first()
            self._device_users[device_id] = row
        return self._device_users[device_id]

    def _store_conflict(self, table: TableSpec, record: Any, conflict: FieldConflict) -> NewRecord:
        row = conflict_record(self.counter.next(), self.schema, table, record, conflict)
        self.batch.add_new(row)
        return row

    @property
    def lookup(self) -> Session:
        """What ``relation_problem`` reads consultations from: this batch's records."""
        return cast(Session, self.batch)


_ID_TAKEN = Rejection(
    "id_taken", "Identifiant de fiche déjà utilisé sur le serveur : cette fiche n'est pas reçue."
)


def _check_seen(table: TableSpec, actor: Actor, seen: Mapping[str, Any]) -> Rejection | None:
    """Seen values are compared, never stored: still, each is a valid value of a field the
    user may read."""
    problem = authz.check_fields(table, actor.roles, seen)
    if problem:
        return Rejection("invalid", f"Valeur vue : {problem.reason}")
    return None


def _as(actor: Actor, username: str) -> Actor:
    return Actor(username, actor.roles, actor.cms_code, actor.device_id)


def _merge_reason(lost: Sequence[str]) -> str:
    reason = "Modifié aussi sur un autre poste ; "
    reason += (
        f"valeur de l'autre poste conservée pour : {', '.join(lost)}."
        if lost
        else "votre valeur a été retenue."
    )
    return reason + " La responsable du CMS tranchera."
