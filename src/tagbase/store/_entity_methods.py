"""The entity part of the store: reading, listing, counting, changing and deleting entities."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._changes import RUN_STATUS_CHANGES, ChangeType
from tagbase._errors import AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError
from tagbase._kinds import Kind
from tagbase._limits import check_page
from tagbase._records import Entity, Page
from tagbase._tags import TagsInput, normalize_tags
from tagbase.metadata import normalize_metadata, validate_owners
from tagbase.query import Node
from tagbase.store import _history, _metadata_store, _outbox, _tagging
from tagbase.store._catalog_base import (
    INSERT_OWNERS,
    CatalogBase,
    Ref,
    check_entity_fields,
    entity_counts,
    tag_pairs,
)
from tagbase.store._facets import facet_counts
from tagbase.store._fast import bound_list, execute_together, fetch, in_bound_list
from tagbase.store._loading import ID, NAME, load_entities, page_rows, records
from tagbase.store._plan import IdQuery
from tagbase.store._schema import entity, owner
from tagbase.store._sql import chunks
from tagbase.store._tagging import TARGET_COLUMNS, Change, Target

MAX_PAGE_SIZE = 10_000


class EntityMethods(CatalogBase):
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
        removals = tag_pairs(remove_tags)
        values = normalize_metadata(metadata)
        owner_names = None if owners is None else validate_owners(owners)
        if name is not None and not name.strip():
            raise InvalidInputError("a name cannot be empty; give a name or leave it as None")
        check_entity_fields(kind, name=name, description=description, status=status)
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
            _note_update(connection, kind, target, change, fields, owners is not None)
            if removals:
                _tagging.unassign(connection, [target], removals, change)
            _tagging.assign(connection, [(target, tags)], change, locked=True)  # updated above
            _metadata_store.log(connection, [(target, values)], change)
            if owner_names is not None:
                connection.execute(owner.delete().where(owner.c.entity_id == found.id))
                if owner_names:
                    connection.execute(
                        INSERT_OWNERS, [{"entity_id": found.id, "owner": o} for o in owner_names]
                    )
            # Read back in the same transaction (a second one costs two more round trips),
            # from the entity row the update returned.
            updated: Entity = records(connection, [row], self._names)[0]
            return updated

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
            deleted = ChangeType.ENTITY_DELETED
            _outbox.note_many(
                connection,
                [_outbox.row(deleted, change.now, change.actor_id, t.id) for t in targets],
            )
            _tagging.unassign_all(connection, targets, change)
            _history.keep_names(connection, [target.id for target in targets], change.now)
            execute_together(
                connection,
                [entity_counts(connection, [(t.kind, t.scope_id) for t in targets], -1)],
            )
            for part in chunks([target.id for target in targets]):
                connection.execute(entity.delete().where(entity.c.id.in_(part)))
        self._run_rows.clear()  # a deleted run's row is no longer its

    def find_alias(self, kind: Kind | str, ref: Ref) -> Entity | None:
        """The entity `ref` names as an alias, `PARENT@TAG`: the holder of the registered
        exclusive tag TAG within PARENT. None when `ref` is no alias (no `@`, or TAG is not an
        exclusive tag); NotFoundError when PARENT is unknown or nobody there holds TAG. Every
        lookup of a scoped entity without its parent (`get`, `update`, `delete`...) reads an
        alias so too."""
        with self._reading() as connection:
            held = self._alias(connection, Kind.parse(kind), ref, lock=False)
            return None if held is None else load_entities(connection, [held.id], self._names)[0]


def _note_update(
    connection: sa.Connection,
    kind: Kind,
    target: Target,
    change: Change,
    fields: Mapping[str, str],
    owners: bool,
) -> None:
    """The events of an entity's own fields: a run's status is its own event (`run.started`...),
    anything else an `entity.updated` naming what changed."""
    status = fields.get("status") if kind is Kind.RUN else None
    if status is not None:
        _outbox.note(
            connection,
            _outbox.row(RUN_STATUS_CHANGES[status], change.now, change.actor_id, target.id),
        )
    changed = sorted(name for name in fields if name != "status" or status is None)
    changed += ["owners"] if owners else []
    if changed:
        details: dict[str, object] = {"changed": changed}
        details |= {name: fields[name] for name in ("name", "status") if name in changed}
        payload = _outbox.payload(details)
        updated = ChangeType.ENTITY_UPDATED
        _outbox.note(
            connection,
            _outbox.row(updated, change.now, change.actor_id, target.id, payload=payload),
        )


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
