"""The catalog store: the contract every back-end keeps.

Each public method validates its input first, then runs one transaction: either all of a
write happens or none of it does. Entities are named by `ref` (a name, or a UUID string; for
versions also the version number) and, for scoped kinds, by `scope` (the parent's name or UUID).
Rows become plain records (`Entity`, `TagDefinition`, `TagEvent`...) before callers see them.
"""

from __future__ import annotations

import base64
import builtins
import functools
import json
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from uuid_utils import uuid7

from tagbase import _fixes
from tagbase._config import DEFAULT_TIMEOUTS, Config, Durability, Timeouts
from tagbase._errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TagValidationError,
)
from tagbase._kinds import Kind
from tagbase._limits import check_entity_text, check_page, check_text
from tagbase._metadata import normalize_metadata, validate_owners
from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    StoredArtifact,
    TagDefinition,
    TagEvent,
    Tags,
    from_millis,
    to_millis,
)
from tagbase._tag_settings import TagSettings
from tagbase._tags import (
    Tag,
    TagPolicy,
    TagsInput,
    normalize_tags,
    split_tag_string,
    tag_problems,
)
from tagbase.query import Everything, Match, Node
from tagbase.store import _artifact_records, _history, _metadata_store, _retag, _tagging
from tagbase.store._aliases import find_holder
from tagbase.store._compile import like
from tagbase.store._dictionary import ensure_tags
from tagbase.store._engine import check_schema, create_engine, plan_for_parameters, writing
from tagbase.store._facets import facet_counts
from tagbase.store._loading import ID, NAME, Names, load_entities, page_rows, records
from tagbase.store._numbering import Numbering, automatic_prefix, insert_numbered
from tagbase.store._plan import IdQuery, plan
from tagbase.store._registry import (
    definition_query,
    get_definition_id,
    load_definitions,
    update_definition,
)
from tagbase.store._schema import (
    SOURCES,
    actor,
    entity,
    entity_count,
    metadata_entry,
    metadata_latest,
    owner,
    tag,
    tag_assignment,
    tag_key,
    tag_usage,
)
from tagbase.store._sql import (
    Rows,
    analyze_when_grown,
    bound_list,
    chunks,
    collector_paused,
    counting,
    ensure_named,
    execute_many,
    execute_together,
    fetch,
    in_bound_list,
    insert_ids,
    now_ms,
)
from tagbase.store._tagging import TARGET_COLUMNS, Change, Target

Ref = str | int | uuidlib.UUID
MAX_PAGE_SIZE = 10_000


_INSERT_OWNERS = owner.insert()
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


class Store:
    """A catalog on SQLite or PostgreSQL."""

    def __init__(
        self,
        url: str,
        *,
        tag_policy: TagPolicy = TagPolicy.DEFAULT,
        actor: str | None = None,
        durability: Durability = Durability.NORMAL,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, durability, timeouts)
        self.tag_policy = tag_policy
        self.actor = actor
        self._actor_ids: dict[str, int] = {}
        self._names = Names()
        try:
            check_schema(self.engine, url)
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def from_config(cls, config: Config | None = None) -> Store:
        config = config or Config.load()
        return cls(
            config.database_url,
            tag_policy=config.tag_policy,
            actor=config.actor,
            durability=config.durability,
            timeouts=config.timeouts,
        )

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        try:
            with writing(self.engine) as connection:
                yield connection
        except BaseException:
            self._actor_ids.clear()  # an actor added by the rolled-back write is gone again
            raise

    def _change(self, connection: sa.Connection, source: str, actor_name: str | None) -> Change:
        if source not in SOURCES:
            raise InvalidInputError(f"source {source!r} is not one of {', '.join(SOURCES)}")
        name = actor_name or self.actor
        return Change(source, self._actor_id(connection, name) if name else None, now_ms())

    def _actor_id(self, connection: sa.Connection, name: str) -> int:
        if name not in self._actor_ids:
            (actor_id,) = ensure_named(connection, actor, "name", [name], ("id",))[name]
            self._actor_ids[name] = int(actor_id)
        return self._actor_ids[name]

    # -- entities ---------------------------------------------------------------------------

    def add(self, spec: EntitySpec, *, source: str = "api", actor: str | None = None) -> Entity:
        """Create one entity with its tags, metadata and owners."""
        records = self._add([self._validate(spec)], source=source, actor_name=actor, records=True)
        created: Entity = records[0]
        return created

    def add_many(
        self, specs: Sequence[EntitySpec], *, source: str = "api", actor: str | None = None
    ) -> builtins.list[str]:
        """Create many entities in one transaction; returns their UUIDs in order."""
        return self._add_many(specs, None, source, actor)

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
        return self._add_many(specs, stored, source, actor)

    def _add_many(
        self,
        specs: Sequence[EntitySpec],
        stored: Sequence[StoredArtifact | None] | None,
        source: str,
        actor: str | None,
    ) -> builtins.list[str]:
        with collector_paused():
            checked = [self._validate(spec) for spec in specs]
            if not checked:
                return []
            created: builtins.list[str] = self._add(
                checked, source=source, actor_name=actor, records=False, stored=stored
            )
        analyze_when_grown(self.engine, len(created), entity, _GROWN_BY_CREATES)
        return created

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
        _check_text(kind, name=spec.name, description=spec.description, status=spec.status)
        return _Checked(
            spec,
            kind,
            normalize_tags(spec.tags, kind=kind, policy=self.tag_policy),
            normalize_metadata(spec.metadata),
            validate_owners(spec.owners),
        )

    def _add(
        self,
        checked: Sequence[_Checked],
        *,
        source: str,
        actor_name: str | None,
        records: bool,
        stored: Sequence[StoredArtifact | None] | None = None,
    ) -> builtins.list[Any]:
        """Write the entities; returns their records, built from what was written (a read-back
        would double the cost of a small create), or just their UUIDs."""
        with self._writing() as connection:
            change = self._change(connection, source, actor_name)
            scopes = self._scopes(connection, checked)
            rows, ids = self._write_entities(connection, checked, scopes, change.now)
            targets = [
                Target(i, row["kind"], row["scope_id"], row["name"], at=row["created_ms"])
                for i, row in zip(ids, rows, strict=True)
            ]
            assigned = _tagging.assign(
                connection,
                [(t, item.tags) for t, item in zip(targets, checked, strict=True)],
                change,
                fresh=True,
            )
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
                execute_many(connection, _INSERT_OWNERS, owner_rows)
            if stored is not None:
                _artifact_records.add(connection, ids, stored)
        if not records:
            return [row["uuid"] for row in rows]
        actor_name = actor_name or self.actor
        return [
            _record(
                row,
                scopes.get((item.kind, item.spec.scope)),
                [
                    AssignedTag(r.key, r.value, source, actor_name, from_millis(ms), r.exclusive)
                    for r, ms in assigned.get(i, ())
                ],
                item,
            )
            for i, row, item in zip(ids, rows, checked, strict=True)
        ]

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
        counted = _entity_counts(connection, [(row["kind"], row["scope_id"]) for row in rows], +1)
        try:
            return insert_ids(connection, entity, rows, ("uuid",), along=[counted])
        except sa.exc.IntegrityError:
            connection.rollback()
            raise self._duplicate_error(rows) from None

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
        with self._reading() as connection:
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

    def get(self, kind: Kind | str, ref: Ref, scope: Ref | None = None) -> Entity:
        """The entity, or NotFoundError naming what was looked for."""
        with self._reading() as connection:
            found = self._resolve(connection, Kind.parse(kind), ref, scope)
            return load_entities(connection, [found.id], self._names)[0]

    def find(self, kind: Kind | str, ref: Ref, scope: Ref | None = None) -> Entity | None:
        try:
            return self.get(kind, ref, scope)
        except NotFoundError:
            return None

    def find_named(self, kind: Kind | str, names: Sequence[str]) -> dict[str, Entity]:
        """The top-level entities of a kind with these names (those that exist), by name, in
        one read: how definitions are matched to the catalog before every run."""
        kind = Kind.parse(kind)
        if kind.scope is not None:
            raise InvalidInputError(f"a {kind.label} is found by name within its scope; use get")
        with self._reading() as connection:
            given = {"kind": kind.code, "values": bound_list(connection, names)}
            rows = fetch(connection, _named_statement(connection.dialect.name), given)
            return {
                row[NAME]: record
                for row, record in zip(rows, records(connection, rows, self._names), strict=True)
            }

    def list(
        self,
        kind: Kind | str,
        *,
        scope: Ref | None = None,
        query: Node | None = None,
        size: int = 50,
        page: int | None = None,
        cursor: str | None = None,
        with_total: bool = True,
    ) -> Page[Entity]:
        """Entities newest first. Page by `cursor` (keyset, stable) or by 1-based `page`."""
        kind = Kind.parse(kind)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"size {size} is outside 1..{MAX_PAGE_SIZE}; pick a size in it")
        if page is not None and page < 1:
            raise InvalidInputError(f"page {page} is not >= 1; pages are numbered from 1")
        check_page(page)
        with self._reading() as connection:
            planned = self._plan(connection, kind, scope, query)
            select = planned.select.order_by(planned.ident.desc())
            if cursor:
                select = select.where(planned.ident < _decode_cursor(cursor))
            elif page:
                select = select.offset((page - 1) * size)
            rows = [] if planned.empty else page_rows(connection, select.limit(size + 1))
            more = len(rows) > size
            rows = rows[:size]
            return Page(
                items=records(connection, rows, self._names),
                total=self._count(connection, planned) if with_total else None,
                next_cursor=_encode_cursor(rows[-1][ID]) if more else None,
                index=page or 1,
                max_size=size,
            )

    def count(
        self, kind: Kind | str, *, scope: Ref | None = None, query: Node | None = None
    ) -> int:
        """How many entities match; exact."""
        kind = Kind.parse(kind)
        with self._reading() as connection:
            return self._count(connection, self._plan(connection, kind, scope, query))

    def _count(self, connection: sa.Connection, planned: IdQuery) -> int:
        if planned.known_count is not None:
            return planned.known_count
        counted = planned.count_query
        if counted is None:
            counted = sa.select(sa.func.count()).select_from(planned.select.subquery())
        return int(connection.execute(counted).scalar_one())

    def facets(
        self,
        kind: Kind | str,
        key: str,
        *,
        scope: Ref | None = None,
        query: Node | None = None,
    ) -> dict[str, int]:
        """Entities per value of tag `key`, most common first: for the whole catalog (from the
        usage counters), or within the entities matching `query` and `scope`."""
        kind = Kind.parse(kind)
        with self._reading() as connection:
            within = None
            if query is not None or scope is not None:
                within = self._plan(connection, kind, scope, query).select
            return facet_counts(connection, kind.code, key, within)

    def _plan(
        self, connection: sa.Connection, kind: Kind, scope: Ref | None, query: Node | None
    ) -> IdQuery:
        scope_id = None
        if scope is not None:
            if kind.scope is None:
                raise InvalidInputError(f"a {kind.label} has no parent; drop the scope")
            scope_id = self._resolve(connection, kind.scope, scope, None).id
        return plan(connection, kind.code, scope_id, query or Everything())

    def update(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        status: str | None = None,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        """Change an entity; arguments left as None stay as they are."""
        kind = Kind.parse(kind)
        tags = normalize_tags(add_tags, kind=kind, policy=self.tag_policy)
        removals = _pairs(remove_tags)
        values = normalize_metadata(metadata)
        owner_names = None if owners is None else validate_owners(owners)
        if name is not None and not name.strip():
            raise InvalidInputError("a name cannot be empty; give a name or leave it as None")
        _check_text(kind, name=name, description=description, status=status)
        with self._writing() as connection:
            change = self._change(connection, source, actor)
            found = self._resolve(connection, kind, ref, scope)
            target = found
            fields = {
                column: given
                for column, given in (
                    ("name", name),
                    ("description", description),
                    ("status", status),
                )
                if given is not None
            }
            try:
                given = {"id": found.id, "updated_ms": change.now, **fields}
                (row,) = fetch(connection, _updating(tuple(fields)), given)
            except sa.exc.IntegrityError:
                raise AlreadyExistsError(
                    f"a {kind.label} named {name!r} already exists; pick another name"
                ) from None
            if removals:
                _tagging.unassign(connection, [target], removals, change)
            _tagging.assign(connection, [(target, tags)], change, locked=True)  # updated above
            _metadata_store.log(connection, [(target, values)], change)
            if owner_names is not None:
                connection.execute(owner.delete().where(owner.c.entity_id == found.id))
                if owner_names:
                    connection.execute(
                        _INSERT_OWNERS, [{"entity_id": found.id, "owner": o} for o in owner_names]
                    )
            # Read back in the same transaction (a second one costs two more round trips),
            # from the entity row the update returned.
            updated: Entity = records(connection, [row], self._names)[0]
            return updated

    def add_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: TagsInput,
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, add_tags=tags, source=source, actor=actor)

    def remove_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: Sequence[str],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, remove_tags=tags, source=source, actor=actor)

    def log_metadata(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        metadata: Mapping[str, object],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, metadata=metadata, source=source, actor=actor)

    def metadata_history(
        self, kind: Kind | str, ref: Ref, scope: Ref | None = None, *, key: str | None = None
    ) -> builtins.list[MetadataEntry]:
        """Every metadata value logged on the entity, oldest first."""
        with self._reading() as connection:
            found = self._resolve(connection, Kind.parse(kind), ref, scope)
            return _metadata_store.history(connection, found.id, key)

    def delete(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        recursive: bool = False,
        actor: str | None = None,
    ) -> None:
        """Delete an entity (and, with `recursive`, its versions, runs or templates).
        Its tags end in history with the reason `deleted`; the history keeps naming it."""
        kind = Kind.parse(kind)
        with self._writing() as connection:
            change = self._change(connection, "api", actor)
            found = self._resolve(connection, kind, ref, scope)
            children = connection.execute(
                sa.select(*TARGET_COLUMNS).where(entity.c.scope_id == found.id)
            ).all()
            if children and not recursive:
                raise ConflictError(
                    f"{kind.label} {found.label!r} has {len(children)} children (versions, runs "
                    "or templates)",
                    fix=_fixes.recursive_delete(kind),
                )
            targets = [Target(*child) for child in children] + [found]
            _tagging.unassign_all(connection, targets, change)
            _history.keep_names(connection, [target.id for target in targets], change.now)
            execute_together(
                connection,
                [_entity_counts(connection, [(t.kind, t.scope_id) for t in targets], -1)],
            )
            for part in chunks([target.id for target in targets]):
                connection.execute(entity.delete().where(entity.c.id.in_(part)))

    # -- resolving references ---------------------------------------------------------------

    def _resolve(
        self, connection: sa.Connection, kind: Kind, ref: Ref, scope: Ref | None, lock: bool = False
    ) -> Target:
        if scope is None:
            held = self._alias(connection, kind, ref, lock)
            if held is not None:
                return held
        given: dict[str, Any] = {"kind": kind.code}
        if scope is not None and kind.scope is not None:  # an id must lie in the scope too
            given["scope_id"] = self._resolve(connection, kind.scope, scope, None).id
        as_uuid = _as_uuid(ref)
        if as_uuid is not None:
            by_uuid = _lookup("uuid", given, lock)
            row = next(iter(fetch(connection, by_uuid, given | {"value": as_uuid})), None)
            if row is not None:
                return Target(*row)
        column = "number" if isinstance(ref, int) and kind.scope is not None else "name"
        value = ref if column == "number" else str(ref)
        rows = fetch(connection, _lookup(column, given, lock), given | {"value": value})
        if len(rows) == 1:
            return Target(*rows[0])
        where = f" in {kind.scope.label} {scope!r}" if scope is not None and kind.scope else ""
        if rows:
            raise InvalidInputError(
                f"several {kind.label}s are named {str(ref)!r}; name the "
                f"{kind.scope.label if kind.scope else 'scope'} too, or use the id"
            )
        scope_name = None if scope is None else str(scope)
        raise NotFoundError(
            f"no {kind.label} {str(ref)!r}{where}", fix=_fixes.listing(kind, scope_name)
        )

    def _alias(self, connection: sa.Connection, kind: Kind, ref: Ref, lock: bool) -> Target | None:
        parent = kind.scope
        if parent is None:
            return None
        return find_holder(
            connection, kind, ref, lambda name: self._resolve(connection, parent, name, None), lock
        )

    def find_alias(self, kind: Kind | str, ref: Ref) -> Entity | None:
        """The entity `ref` names as an alias, `PARENT@TAG`: the holder of the registered
        exclusive tag TAG within PARENT. None when `ref` is no alias (no `@`, or TAG is not an
        exclusive tag); NotFoundError when PARENT is unknown or nobody there holds TAG. Every
        lookup of a scoped entity without its parent (`get`, `update`, `delete`...) reads an
        alias so too."""
        with self._reading() as connection:
            held = self._alias(connection, Kind.parse(kind), ref, lock=False)
            return None if held is None else load_entities(connection, [held.id], self._names)[0]

    # -- tag registry -----------------------------------------------------------------------

    def register_tag(
        self,
        name: str,
        settings: TagSettings,
        *,
        new: bool = False,
    ) -> TagDefinition:
        """Add a tag to the registry (`new`: refuse a registered one), or change its entry
        (settings left None stay as they are). Behaviours are checked against its holders:
        exclusive fails if a scope has two."""
        candidate = Tag(name, color=settings.color, description=settings.description)
        problems = tag_problems(candidate, kind=None, policy=self.tag_policy)
        if problems:
            raise TagValidationError(problems)
        with self._writing() as connection:
            now = now_ms()
            rows = ensure_tags(connection, [(candidate.key, candidate.value)], now)
            update_definition(
                connection,
                rows[(candidate.key, candidate.value)].id,
                now,
                settings,
                new=new,
            )
            return self._definition(connection, candidate.key, candidate.value)

    def update_tag(self, name: str, settings: TagSettings) -> TagDefinition:
        """Change a registered or used tag; NotFoundError if the catalog has never seen it."""
        self.get_tag(name)
        return self.register_tag(name, settings)

    def get_tag(self, name: str) -> TagDefinition:
        key, value = split_tag_string(name)
        with self._reading() as connection:
            return self._definition(connection, key, value)

    def _definition(self, connection: sa.Connection, key: str, value: str) -> TagDefinition:
        tag_id = get_definition_id(connection, key, value)
        return load_definitions(connection, definition_query().where(tag.c.id == tag_id))[0]

    def list_tags(
        self, *, registered_only: bool = False, key: str | None = None
    ) -> builtins.list[TagDefinition]:
        """Registered tags and tags in use, by key and value."""
        used = sa.select(tag_usage.c.tag_id).where(tag_usage.c.count > 0)
        query = definition_query().where(
            tag.c.registered if registered_only else tag.c.registered | tag.c.id.in_(used)
        )
        if key is not None:
            query = query.where(tag.c.key == key)
        with self._reading() as connection:
            found = load_definitions(connection, query)
        # Sorted here: ordered in SQL, SQLite walks the key index of the whole dictionary
        # instead of the few registered tags' partial index.
        return sorted(found, key=lambda definition: (definition.key, definition.value))

    def search_tags(
        self, containing: str = "", *, registered_only: bool = False, limit: int = 500
    ) -> tuple[builtins.list[TagDefinition], int]:
        """Registered tags and, unless `registered_only`, tags in use, whose string form holds
        `containing` (ASCII letters in either case, as both databases' lower() agree on them):
        registered first, then the most used, at most `limit` of them; and how many match.
        Ranked in SQL: a catalog may hold a tag per run."""
        if limit < 1:
            raise InvalidInputError(f"limit {limit} is not positive; give 1 or more")
        used = (
            sa.select(sa.func.sum(tag_usage.c.count))
            .where(tag_usage.c.tag_id == tag.c.id, tag_usage.c.count > 0)
            .scalar_subquery()
        )
        wanted = tag.c.registered if registered_only else tag.c.registered | used.is_not(None)
        if containing:
            lowered = sa.func.lower(tag.c.string_form)
            needle = "".join(c.lower() if c.isascii() else c for c in containing)
            wanted = wanted & like(lowered, Match.CONTAINS, needle)
        ranked = (
            definition_query()
            .where(wanted)
            .order_by(
                tag.c.registered.desc(), sa.func.coalesce(used, 0).desc(), tag.c.key, tag.c.value
            )
            .limit(limit)
        )
        counted = sa.select(sa.func.count()).select_from(tag).where(wanted)
        with self._reading() as connection:
            found = load_definitions(connection, ranked)  # in the ranking's order
            total = connection.execute(counted).scalar_one()
        return found, int(total)

    def retag(
        self,
        kind: Kind | str,
        query: Node,
        *,
        scope: Ref | None = None,
        add: TagsInput = None,
        remove: Sequence[str] | None = None,
        dry_run: bool = False,
        source: str = "user",
        actor: str | None = None,
    ) -> Retagging:
        """Remove, then add, tags on every entity matching `query`, in one transaction and in
        tag history. An entity lacking a tag to remove is left as it is. With `dry_run`, the
        same write is rolled back: the result (or error) is the real call's."""
        kind = Kind.parse(kind)
        tags = normalize_tags(add, kind=kind, policy=self.tag_policy)
        removals = _pairs(remove)
        if not tags and not removals:
            raise InvalidInputError("nothing to change: give tags to add or to remove")

        def matching(connection: sa.Connection) -> builtins.list[Target]:
            plan_for_parameters(connection)
            planned = self._plan(connection, kind, scope, query)
            ordered = planned.select.order_by(planned.ident.desc())
            ids = [] if planned.empty else connection.execute(ordered).scalars().all()
            return _targets(connection, ids)

        return _retag.run(
            self._writing,
            matching,
            lambda connection: self._change(connection, source, actor),
            tags,
            removals,
            dry_run=dry_run,
        )

    def delete_tag(self, name: str, *, actor: str | None = None) -> int:
        """Take the tag off every entity (kept in history) and drop its registry entry.
        Returns how many entities held it."""
        key, value = split_tag_string(name)
        with self._writing() as connection:
            change = self._change(connection, "api", actor)
            tag_id = get_definition_id(connection, key, value)
            targets = _history.holders_now(connection, tag_id)
            if targets:
                _tagging.unassign(connection, targets, [(key, value)], change, reason="deleted")
            unset = TagSettings(exclusive=False, cascade=False)
            update_definition(connection, tag_id, change.now, unset, registered=False)
            connection.execute(
                tag.update().where(tag.c.id == tag_id).values(color=None, description=None)
            )
            return len(targets)

    # -- history ----------------------------------------------------------------------------

    def tag_history(
        self,
        *,
        kind: Kind | str | None = None,
        ref: Ref | None = None,
        scope: Ref | None = None,
        tag: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[TagEvent]:
        """Adds, removals and moves, newest first: of one entity, of one tag, or both."""
        with self._reading() as connection:
            entity_id = None
            kind_code = None
            if kind is not None:
                kind = Kind.parse(kind)
                kind_code = kind.code
                if ref is not None:
                    entity_id = self._resolve(connection, kind, ref, scope).id
            tag_id = None if tag is None else get_definition_id(connection, *split_tag_string(tag))
            return _history.events(connection, entity_id, tag_id, kind_code, limit)

    def tag_holders(
        self,
        tag: str,
        *,
        at: datetime,
        kind: Kind | str | None = None,
        scope: Ref | None = None,
    ) -> builtins.list[EntityRef]:
        """Who held `tag` at time `at`: for an exclusive tag and a scope, at most one entity."""
        with self._reading() as connection:
            tag_id = get_definition_id(connection, *split_tag_string(tag))
            kind_code = None
            scope_id = None
            if kind is not None:
                parsed = Kind.parse(kind)
                kind_code = parsed.code
                if scope is not None:
                    if parsed.scope is None:
                        raise InvalidInputError(f"a {parsed.label} has no parent; drop the scope")
                    scope_id = self._resolve(connection, parsed.scope, scope, None).id
            millis = to_millis(at)
            return _history.holders_at(connection, tag_id, millis, kind_code, scope_id)


def _entity_counts(connection: sa.Connection, slots: Sequence[tuple[int, int]], sign: int) -> Rows:
    """What keeps `entity_count` right: `sign` is +1 for created entities, -1 for deleted ones."""
    deltas = {slot: sign * times for slot, times in Counter(slots).items()}
    return counting(connection, entity_count, ["kind", "scope_id"], "count", deltas)


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


def _check_text(kind: Kind, **fields: str | None) -> None:
    """Refuse text over a limit or breaking the text rule, alike on SQLite (which would keep
    it) and PostgreSQL (which would fail with a driver error), and a run status off its set."""
    check_entity_text(kind.label, is_run=kind is Kind.RUN, **fields)


def _targets(connection: sa.Connection, ids: Sequence[int]) -> builtins.list[Target]:
    """The entities `ids` names, in that order, in one query however many."""
    query = _targets_statement(connection.dialect.name)
    rows = connection.execute(query, {"values": bound_list(connection, ids)})
    found = {row[0]: Target(*row) for row in rows}
    return [found[i] for i in ids if i in found]


@functools.cache
def _targets_statement(dialect: str) -> sa.Select[Any]:
    return sa.select(*TARGET_COLUMNS).where(in_bound_list(entity.c.id, dialect))


@functools.cache
def _named_statement(dialect: str) -> sa.Select[Any]:
    by_name = in_bound_list(entity.c.name, dialect, element=sa.Text)
    return sa.select(entity).where(
        entity.c.kind == sa.bindparam("kind"), entity.c.scope_id == 0, by_name
    )


@functools.cache
def _updating(fields: tuple[str, ...]) -> sa.Update:
    """The update of an entity's `fields` and time, returning its row; built once per shape."""
    changes: dict[str, Any] = {name: sa.bindparam(name) for name in (*fields, "updated_ms")}
    return (
        entity.update()
        .where(entity.c.id == sa.bindparam("id"))
        .values(**changes)
        .returning(*entity.c)
    )


def _lookup(column: str, given: Mapping[str, Any], lock: bool) -> sa.Select[Any]:
    return _lookup_statement(column, "scope_id" in given, lock)


@functools.cache
def _lookup_statement(column: str, scoped: bool, lock: bool) -> sa.Select[Any]:
    """Entities of a kind (maybe within a scope) whose `column` equals a value, built once;
    `lock` takes a row lock on PostgreSQL (SQLite writers are serial already)."""
    query = sa.select(*TARGET_COLUMNS).where(
        entity.c.kind == sa.bindparam("kind"), entity.c[column] == sa.bindparam("value")
    )
    if scoped:
        query = query.where(entity.c.scope_id == sa.bindparam("scope_id"))
    return query.limit(2).with_for_update() if lock else query.limit(2)


def _as_uuid(ref: Ref) -> str | None:
    if isinstance(ref, uuidlib.UUID):
        return str(ref)
    if isinstance(ref, str) and len(ref) in (32, 36):
        try:
            return str(uuidlib.UUID(ref))
        except ValueError:
            return None
    return None


def _pairs(names: Sequence[str] | str | None) -> builtins.list[tuple[str, str]]:
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    for name in names:
        check_text("the tag", str(name))
    return [split_tag_string(str(name)) for name in names]


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
        if isinstance(before, int):
            return before
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidInputError(
        f"cursor {cursor[:40]!r} is not one this catalog made; pass next_cursor from a page"
    )
