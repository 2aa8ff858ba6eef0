"""Tag history: the intervals during which entities held tags, read as events or as of a time.

A tag held now is an open interval in `tag_assignment`; a removed one a closed interval in
`tag_history`. Together they answer "what happened to this tag" and "who held it at T". A
deleted entity is still named, from the tombstone its delete left in `deleted_entity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase._records import EntityRef, TagEvent, from_millis
from tagbase._tags import tag_string
from tagbase.store._schema import (
    REMOVAL_REASONS,
    SOURCES,
    actor,
    deleted_entity,
    entity,
    tag,
    tag_assignment,
    tag_history,
)
from tagbase.store._sql import chunks
from tagbase.store._tagging import TARGET_COLUMNS, Target


def holders_now(connection: sa.Connection, tag_id: int) -> list[Target]:
    query = (
        sa.select(*TARGET_COLUMNS)
        .join(tag_assignment, tag_assignment.c.entity_id == entity.c.id)
        .where(tag_assignment.c.tag_id == tag_id)
    )
    return [Target(*row) for row in connection.execute(query)]


def holders_at(
    connection: sa.Connection, tag_id: int, millis: int, kind: int | None, scope_id: int | None
) -> list[EntityRef]:
    now = (
        sa.select(tag_assignment.c.entity_id, tag_assignment.c.kind)
        .join(entity, entity.c.id == tag_assignment.c.entity_id)
        .where(tag_assignment.c.tag_id == tag_id, tag_assignment.c.added_ms <= millis)
    )
    before = sa.select(tag_history.c.entity_id, tag_history.c.kind).where(
        tag_history.c.tag_id == tag_id,
        tag_history.c.added_ms <= millis,
        tag_history.c.removed_ms > millis,
    )
    if kind is not None:
        now = now.where(tag_assignment.c.kind == kind)
        before = before.where(tag_history.c.kind == kind)
    if scope_id is not None:
        now = now.where(entity.c.scope_id == scope_id)
        before = before.where(tag_history.c.scope_id == scope_id)
    held: dict[int, int] = dict(connection.execute(sa.union_all(now, before)).all())
    known = _refs(connection, set(held))
    # An entity deleted since still held the tag then: it is named, not left out.
    refs = [known.get(i) or deleted_ref(i, code) for i, code in held.items()]
    return sorted(refs, key=lambda ref: ref.display_name)


def deleted_ref(entity_id: int, kind: int) -> EntityRef:
    """An entity deleted before tombstones were kept (revision 0011): only its number is left."""
    return EntityRef("", Kind.from_code(kind), f"#{entity_id}", deleted=True)


def keep_names(connection: sa.Connection, entity_ids: Sequence[int], now: int) -> None:
    """Before entities are deleted (their tags already closed into history): a tombstone for
    each, with its name and its parent's, for the tag history and the change feed (which
    mentions every entity) to name it by. Work done at delete time only, in a statement per
    chunk; moves and other writes pay nothing for it."""
    parent = entity.alias("parent")
    parent_name = sa.select(parent.c.name).where(parent.c.id == entity.c.scope_id)
    for part in chunks(list(entity_ids)):
        mentioned = sa.select(
            entity.c.id,
            entity.c.uuid,
            entity.c.kind,
            entity.c.name,
            parent_name.scalar_subquery(),
            sa.literal(now, sa.BigInteger),
        ).where(entity.c.id.in_(part))
        columns = ["id", "uuid", "kind", "name", "scope_name", "deleted_ms"]
        connection.execute(deleted_entity.insert().from_select(columns, mentioned))


def refs(connection: sa.Connection, ids: Sequence[int]) -> list[EntityRef]:
    """References to entities, in the order of `ids`."""
    known = _refs(connection, set(ids))
    return [known[i] for i in ids if i in known]


def refs_by_id(connection: sa.Connection, ids: set[int]) -> dict[int, EntityRef]:
    """References to entities, deleted ones too, by id (those found)."""
    return _refs(connection, ids)


def _refs(connection: sa.Connection, ids: set[int]) -> dict[int, EntityRef]:
    rows = _rows(connection, ids)
    parents = {row.id: row.name for row in _rows(connection, {row.scope_id for row in rows})}
    known = {
        row.id: EntityRef(row.uuid, Kind.from_code(row.kind), row.name, parents.get(row.scope_id))
        for row in rows
    }
    return known | _tombstones(connection, ids - known.keys())


def _tombstones(connection: sa.Connection, ids: set[int]) -> dict[int, EntityRef]:
    """What deletes kept of entities no longer in the catalog (a query only when some are)."""
    found: dict[int, EntityRef] = {}
    for part in chunks(sorted(i for i in ids if i)):
        query = sa.select(deleted_entity).where(deleted_entity.c.id.in_(part))
        for row in connection.execute(query):
            kind = Kind.from_code(row.kind)
            found[row.id] = EntityRef(row.uuid, kind, row.name, row.scope_name, deleted=True)
    return found


def _rows(connection: sa.Connection, ids: set[int]) -> list[Any]:
    """Entity rows by id. (Parents are read apart, not joined: PostgreSQL may merge-join a
    self-join along the whole primary key.)"""
    found: list[Any] = []
    for part in chunks(sorted(i for i in ids if i)):
        query = sa.select(
            entity.c.id, entity.c.uuid, entity.c.kind, entity.c.name, entity.c.scope_id
        ).where(entity.c.id.in_(part))
        found.extend(connection.execute(query))
    return found


def events(
    connection: sa.Connection,
    entity_id: int | None,
    tag_id: int | None,
    kind: int | None,
    limit: int,
) -> list[TagEvent]:
    """Adds and removals, newest first."""
    added_by = actor.alias("added_by")
    removed_by = actor.alias("removed_by")
    current = (
        sa.select(
            tag_assignment.c.entity_id,
            tag_assignment.c.kind,
            tag.c.key,
            tag.c.value,
            tag_assignment.c.added_ms,
            tag_assignment.c.source,
            added_by.c.name.label("actor"),
        )
        .join(tag, tag.c.id == tag_assignment.c.tag_id)
        .outerjoin(added_by, added_by.c.id == tag_assignment.c.actor_id)
        .order_by(tag_assignment.c.added_ms.desc())
        .limit(limit)
    )
    closed = (
        sa.select(
            tag_history.c.entity_id,
            tag_history.c.kind,
            tag.c.key,
            tag.c.value,
            tag_history.c.added_ms,
            tag_history.c.added_source,
            added_by.c.name.label("added_actor"),
            tag_history.c.removed_ms,
            tag_history.c.removed_source,
            removed_by.c.name.label("removed_actor"),
            tag_history.c.reason,
            tag_history.c.successor_id,
            tag_history.c.id,
        )
        .join(tag, tag.c.id == tag_history.c.tag_id)
        .outerjoin(added_by, added_by.c.id == tag_history.c.added_actor_id)
        .outerjoin(removed_by, removed_by.c.id == tag_history.c.removed_actor_id)
        .order_by(tag_history.c.removed_ms.desc(), tag_history.c.id.desc())
        .limit(limit)
    )
    current = current.where(*_filters(tag_assignment, entity_id, tag_id, kind))
    closed = closed.where(*_filters(tag_history, entity_id, tag_id, kind))
    open_rows = connection.execute(current).all()
    closed_rows = connection.execute(closed).all()
    ids = {row.entity_id for row in open_rows} | {row.entity_id for row in closed_rows}
    ids |= {row.successor_id for row in closed_rows if row.successor_id}
    refs = _refs(connection, ids)

    def ref(entity_id: int, kind: int) -> EntityRef:
        return refs.get(entity_id) or deleted_ref(entity_id, kind)

    found: list[tuple[int, int, TagEvent]] = []
    row: Any
    for row in open_rows:
        found.append((row.added_ms, 0, _added(ref(row.entity_id, row.kind), row)))
    for row in closed_rows:
        name = tag_string(row.key, row.value)
        who = ref(row.entity_id, row.kind)
        found.append(
            (
                row.added_ms,
                0,
                TagEvent(
                    who,
                    name,
                    "added",
                    from_millis(row.added_ms),
                    SOURCES[row.added_source],
                    row.added_actor,
                ),
            )
        )
        successor = ref(row.successor_id, row.kind) if row.successor_id else None
        found.append(
            (
                row.removed_ms,
                1,
                TagEvent(
                    who,
                    name,
                    "removed",
                    from_millis(row.removed_ms),
                    SOURCES[row.removed_source],
                    row.removed_actor,
                    reason=REMOVAL_REASONS[row.reason],
                    moved_to=successor,
                ),
            )
        )
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [event for _, _, event in found[:limit]]


def _added(who: EntityRef, row: Any) -> TagEvent:
    return TagEvent(
        who,
        tag_string(row.key, row.value),
        "added",
        from_millis(row.added_ms),
        SOURCES[row.source],
        row.actor,
    )


def _filters(
    table: sa.Table, entity_id: int | None, tag_id: int | None, kind: int | None
) -> Sequence[sa.ColumnElement[bool]]:
    conditions = []
    if entity_id is not None:
        conditions.append(table.c.entity_id == entity_id)
    if tag_id is not None:
        conditions.append(table.c.tag_id == tag_id)
    if kind is not None:
        conditions.append(table.c.kind == kind)
    return conditions
