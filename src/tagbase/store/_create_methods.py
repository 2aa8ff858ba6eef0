"""The entity-creating part of the store: one writer for one entity or many."""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from uuid_utils import uuid7

from tagbase._changes import RUN_STATUS_CHANGES, ChangeType
from tagbase._errors import AlreadyExistsError, InvalidInputError, NotFoundError
from tagbase._kinds import Kind
from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    StoredArtifact,
    Tags,
    from_millis,
    to_millis,
)
from tagbase._tags import TagsInput, normalize_tags
from tagbase.metadata import normalize_metadata, validate_owners
from tagbase.store import _artifact_records, _metadata_store, _outbox, _tagging
from tagbase.store._catalog_base import (
    INSERT_OWNERS,
    CatalogBase,
    Ref,
    check_entity_fields,
    entity_counts,
)
from tagbase.store._fast import (
    analyze_when_grown,
    collector_paused,
    execute_many,
    insert_ids,
    insert_numbered,
)
from tagbase.store._numbering import Numbering, automatic_prefix
from tagbase.store._schema import (
    entity,
    metadata_entry,
    metadata_latest,
    owner,
    tag,
    tag_assignment,
    tag_key,
    tag_usage,
)
from tagbase.store._sql import chunks
from tagbase.store._tagging import Change, Target

# What a bulk create grows, kept fresh for PostgreSQL's planner (see `analyze_when_grown`).
_GROWN_BY_CREATES = (
    entity,
    tag,
    tag_key,
    tag_assignment,
    tag_usage,
    metadata_entry,
    metadata_latest,
    owner,
)


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """An entity to create: its kind, name, parent and what it carries."""

    kind: Kind | str
    name: str | None = None
    scope: Ref | None = None
    tags: TagsInput = None
    metadata: Mapping[str, object] | None = None
    owners: Sequence[str] | None = None
    description: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class CreateMethods(CatalogBase):
    def add(self, spec: EntitySpec, *, source: str = "api", actor: str | None = None) -> Entity:
        """Create one entity with its tags, metadata and owners: `add_many` of one."""
        return self._create([spec], None, source, actor).records()[0]

    def add_many(
        self, specs: Sequence[EntitySpec], *, source: str = "api", actor: str | None = None
    ) -> builtins.list[str]:
        """Create many entities in one transaction; returns their UUIDs in order."""
        return self._create(specs, None, source, actor).uuids()

    def add_asset_versions(
        self,
        specs: Sequence[EntitySpec],
        stored: Sequence[StoredArtifact | None],
        *,
        source: str = "definition",
        actor: str | None = None,
    ) -> builtins.list[str]:
        """Create asset versions as `add_many` does, each with the record of the value tagbase
        wrote for it (None: no stored value), in the same transaction. The run recorder's door:
        no front-end (Client, REST API, CLI) reaches it, so the record the artifact loader
        follows is never a client's word."""
        _artifact_records.check([spec.kind for spec in specs], stored)
        return self._create(specs, stored, source, actor).uuids()

    def _create(
        self,
        specs: Sequence[EntitySpec],
        stored: Sequence[StoredArtifact | None] | None,
        source: str,
        actor: str | None,
    ) -> _Written:
        """The one writer of new entities, however many: validate all, then write them in one
        transaction (see `_fast` for the collector pause and the planner's statistics)."""
        with collector_paused():
            checked = [self._validate(spec) for spec in specs]
            if not checked:
                return _Written((), [], [], {}, {}, source, None)
            written = self._write(checked, source=source, actor_name=actor, stored=stored)
        analyze_when_grown(self.engine, len(checked), entity, _GROWN_BY_CREATES)
        return written

    def find_stored_artifact(self, version_id: str) -> StoredArtifact | None:
        """What tagbase wrote for an asset version (by its id), or None: a version made by
        hand, or one recorded before revision 0011, has no stored value tagbase can verify."""
        with self._reading() as connection:
            return _artifact_records.find(connection, version_id)

    def find_latest_stored(
        self, asset: Ref, partition: tuple[str, str] | None = None
    ) -> tuple[EntityRef, StoredArtifact] | None:
        """The newest version of an asset that holds a value tagbase stored, with its record;
        None if the asset does not exist or has no such version. `partition`: the partition
        tag (key, value) the version must hold."""
        with self._reading() as connection:
            try:
                found = self._resolve(connection, Kind.ASSET, asset, None)
            except NotFoundError:
                return None
            return _artifact_records.latest(connection, found.id, found.label, partition)

    def _validate(self, spec: EntitySpec) -> _Checked:
        kind = Kind.parse(spec.kind)
        if kind.scope and spec.scope is None:
            raise InvalidInputError(
                f"a {kind.label} belongs to a {kind.scope.label}; give its name or id as scope"
            )
        if spec.name is not None and not spec.name.strip():
            raise InvalidInputError(f"a {kind.label} name cannot be empty; give it a name")
        if not kind.scope and spec.name is None:
            raise InvalidInputError(f"a {kind.label} needs a name")
        check_entity_fields(kind, name=spec.name, description=spec.description, status=spec.status)
        return _Checked(
            spec,
            kind,
            normalize_tags(spec.tags, kind=kind, policy=self.tag_policy),
            normalize_metadata(spec.metadata),
            validate_owners(spec.owners),
        )

    def _write(
        self,
        checked: Sequence[_Checked],
        *,
        source: str,
        actor_name: str | None,
        stored: Sequence[StoredArtifact | None] | None,
    ) -> _Written:
        """Write the entities; returns what was written, from which their records are built
        (a read-back would double the cost of a small create)."""
        with self._writing() as connection:
            change = self._change(connection, source, actor_name)
            scopes = self._scopes(connection, checked)
            rows, ids = self._write_entities(connection, checked, scopes, change.now)
            targets = [
                Target(i, row["kind"], row["scope_id"], row["name"], at=row["created_ms"])
                for i, row in zip(ids, rows, strict=True)
            ]
            first_event = _outbox.mark(connection)
            assigned = _tagging.assign(
                connection,
                [(t, item.tags) for t, item in zip(targets, checked, strict=True)],
                change,
                fresh=True,
            )
            _outbox.note_many(connection, _created(rows, ids, assigned, change), at=first_event)
            _metadata_store.log(
                connection,
                [(t, item.metadata) for t, item in zip(targets, checked, strict=True)],
                change,
            )
            owner_rows = [
                {"entity_id": i, "owner": name}
                for i, item in zip(ids, checked, strict=True)
                for name in item.owners
            ]
            if owner_rows:
                execute_many(connection, INSERT_OWNERS, owner_rows)
            if stored is not None:
                _artifact_records.add(connection, ids, stored)
        return _Written(checked, rows, ids, assigned, scopes, source, actor_name or self.actor)

    def _scopes(
        self, connection: sa.Connection, checked: Sequence[_Checked]
    ) -> dict[tuple[Kind, Any], Target]:
        scopes = {}
        for item in checked:
            if item.kind.scope and (item.kind, item.spec.scope) not in scopes:
                assert item.spec.scope is not None
                # locked on PostgreSQL: serialises the version numbers within the scope
                found = self._resolve(connection, item.kind.scope, item.spec.scope, None, lock=True)
                scopes[(item.kind, item.spec.scope)] = found
        return scopes

    def _numbering(
        self,
        connection: sa.Connection,
        checked: Sequence[_Checked],
        scopes: dict[tuple[Kind, Any], Target],
    ) -> Numbering:
        chosen = []
        unnamed: Counter[tuple[int, int]] = Counter()
        for item in checked:
            scope = scopes.get((item.kind, item.spec.scope))
            if scope is None:
                continue
            if item.spec.name is None:
                unnamed[(scope.id, item.kind.code)] += 1
            else:
                chosen.append((scope.id, item.kind.code, item.spec.name))
        return Numbering(connection, chosen, unnamed)

    def _write_entities(
        self,
        connection: sa.Connection,
        checked: Sequence[_Checked],
        scopes: dict[tuple[Kind, Any], Target],
        now: int,
    ) -> tuple[builtins.list[dict[str, Any]], builtins.list[int]]:
        """Insert the entity rows; the rows and their ids. On PostgreSQL a single entity that
        takes its scope's next number as its name is numbered by its own insert."""
        if len(checked) == 1 and connection.dialect.name == "postgresql":
            (item,) = checked
            scope = scopes.get((item.kind, item.spec.scope))
            if scope is not None and item.spec.name is None:
                row = self._entity_row(item, scope, None, None, now)
                prefix = automatic_prefix(item.kind, scope.label)
                written = insert_numbered(connection, row, prefix)
                if written is not None:
                    entity_id, row["number"], row["name"] = written
                    return [row], [entity_id]
        numbering = self._numbering(connection, checked, scopes)
        rows = []
        for item in checked:
            scope = scopes.get((item.kind, item.spec.scope))
            number, name = None, item.spec.name
            if scope is not None and name is None:
                number, name = numbering.automatic(scope.id, scope.label, item.kind)
            elif scope is not None:
                number = numbering.number(scope.id, item.kind)
            assert name is not None  # top-level kinds are refused without a name in _validate
            rows.append(self._entity_row(item, scope, number, name, now))
        return rows, self._insert_entities(connection, rows)

    def _entity_row(
        self, item: _Checked, scope: Target | None, number: int | None, name: str | None, now: int
    ) -> dict[str, Any]:
        created = now if item.spec.created_at is None else to_millis(item.spec.created_at)
        return {
            "uuid": str(uuid7()),  # time-ordered: new ids land at the end of the index
            "kind": item.kind.code,
            "name": name,
            "scope_id": scope.id if scope else 0,
            "number": number,
            "description": item.spec.description,
            "status": item.spec.status,
            "created_ms": created,
            "updated_ms": created,
        }

    def _insert_entities(
        self, connection: sa.Connection, rows: builtins.list[dict[str, Any]]
    ) -> builtins.list[int]:
        counted = entity_counts(connection, [(row["kind"], row["scope_id"]) for row in rows], +1)
        try:
            return insert_ids(connection, entity, rows, ("uuid",), along=[counted])
        except sa.exc.IntegrityError:
            raise self._duplicate_error(rows) from None  # the write rolls back as it unwinds

    def _duplicate_error(self, rows: builtins.list[dict[str, Any]]) -> AlreadyExistsError:
        slots = [(row["kind"], row["scope_id"], row["name"]) for row in rows]
        seen = set()
        for slot in slots:
            if slot in seen:
                return AlreadyExistsError(
                    f"two new {Kind.from_code(slot[0]).label}s are both named {slot[2]!r}; "
                    "give each its own name"
                )
            seen.add(slot)
        with self._reading(apart=True) as connection:  # this write's transaction is aborted
            for part in chunks(slots):  # one query per chunk, not per row
                taken = sa.tuple_(entity.c.kind, entity.c.scope_id, entity.c.name).in_(part)
                existing = connection.execute(
                    sa.select(entity.c.kind, entity.c.name, entity.c.uuid).where(taken).limit(1)
                ).first()
                if existing:
                    kind = Kind.from_code(existing.kind)
                    return AlreadyExistsError(
                        f"a {kind.label} named {existing.name!r} already exists (id "
                        f"{existing.uuid}); pick another name, or update the existing one"
                    )
        return AlreadyExistsError("an entity with one of these names already exists")


def _created(
    rows: Sequence[dict[str, Any]], ids: Sequence[int], assigned: _tagging.Assigned, change: Change
) -> builtins.list[_outbox.Pending]:
    """The events of new entities, before those of what they carry: `entity.created` (or
    `version.created`) with the tags they were given, and a run's status."""
    events = []
    for entity_id, row in zip(ids, rows, strict=True):
        kind = Kind.from_code(row["kind"])
        made = ChangeType.VERSION_CREATED if kind.is_version else ChangeType.ENTITY_CREATED
        details: dict[str, Any] = {}
        tags = assigned.get(entity_id)
        if tags:
            details["tag_ids"] = [tag_row.id for tag_row, _ in tags]
        if row["status"] is not None:
            details["status"] = row["status"]
        shown = _outbox.payload(details) if details else None
        events.append(_outbox.row(made, change.now, change.actor_id, entity_id, payload=shown))
        status_change = RUN_STATUS_CHANGES.get(row["status"]) if kind is Kind.RUN else None
        if status_change is not None:
            events.append(_outbox.row(status_change, change.now, change.actor_id, entity_id))
    return events


@dataclass(frozen=True, slots=True)
class _Written:
    """New entities as written: their rows and ids, the tags each got, their scopes."""

    checked: Sequence[_Checked]
    rows: builtins.list[dict[str, Any]]
    ids: builtins.list[int]
    assigned: _tagging.Assigned
    scopes: Mapping[tuple[Kind, Any], Target]
    source: str
    actor: str | None

    def uuids(self) -> builtins.list[str]:
        return [row["uuid"] for row in self.rows]

    def records(self) -> builtins.list[Entity]:
        """Their records, equal to what reading them back would give."""
        return [
            _record(
                row,
                self.scopes.get((item.kind, item.spec.scope)),
                [
                    AssignedTag(
                        r.key, r.value, self.source, self.actor, from_millis(ms), r.exclusive
                    )
                    for r, ms in self.assigned.get(i, ())
                ],
                item,
            )
            for i, row, item in zip(self.ids, self.rows, self.checked, strict=True)
        ]


def _record(
    row: dict[str, Any], scope: Target | None, tags: builtins.list[AssignedTag], item: _Checked
) -> Entity:
    """The record of a just-written entity, equal to what reading it back would give."""
    created_at = from_millis(row["created_ms"])
    return Entity(
        id=row["uuid"],
        kind=item.kind,
        name=row["name"],
        scope=EntityRef(scope.uuid, Kind.from_code(scope.kind), scope.label) if scope else None,
        number=row["number"],
        description=row["description"],
        status=row["status"],
        tags=Tags(sorted(tags)),
        metadata={key: item.metadata[key] for key in sorted(item.metadata)},
        owners=tuple(sorted(item.owners)),
        created_at=created_at,
        updated_at=created_at,
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    spec: EntitySpec
    kind: Kind
    tags: tuple[Any, ...]
    metadata: Mapping[str, Any]
    owners: tuple[str, ...]
