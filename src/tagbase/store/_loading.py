"""Turning rows into records, a page at a time, with a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase._metadata import decode_metadata_value
from tagbase._records import AssignedTag, Entity, EntityRef, from_millis
from tagbase.store._schema import (
    SOURCES,
    actor,
    entity,
    metadata_entry,
    metadata_key,
    metadata_latest,
    owner,
    tag,
    tag_assignment,
)
from tagbase.store._sql import chunks


class Names:
    """Tag pairs and actor names by id, kept across calls: neither kind of row is ever changed
    or deleted once committed, so what was read stays true. Bounded, for huge dictionaries."""

    LIMIT = 200_000

    def __init__(self) -> None:
        self.tags: dict[int, tuple[str, str]] = {}
        self.actors: dict[int, str] = {}

    def learn(self, connection: sa.Connection, tag_ids: set[int], actor_ids: set[int]) -> None:
        missing_tags = sorted(tag_ids - self.tags.keys())
        missing_actors = sorted(actor_ids - self.actors.keys())
        if len(self.tags) + len(missing_tags) > self.LIMIT:
            self.tags.clear()
            missing_tags = sorted(tag_ids)
        for part in chunks(missing_tags):
            query = sa.select(tag.c.id, tag.c.key, tag.c.value).where(tag.c.id.in_(part))
            self.tags.update({row[0]: (row[1], row[2]) for row in connection.execute(query)})
        if missing_actors:
            query = sa.select(actor.c.id, actor.c.name).where(actor.c.id.in_(missing_actors))
            self.actors.update({row[0]: row[1] for row in connection.execute(query)})


def load_entities(connection: sa.Connection, ids: Sequence[int], names: Names) -> list[Entity]:
    """Records for `ids`, in that order."""
    if not ids:
        return []
    rows: dict[int, sa.Row[Any]] = {}
    tags: dict[int, list[AssignedTag]] = defaultdict(list)
    metadata: dict[int, dict[str, Any]] = defaultdict(dict)
    owners: dict[int, list[str]] = defaultdict(list)
    parents: dict[int, EntityRef] = {}
    for part in chunks(list(ids)):
        given = {"ids": part}
        for row in connection.execute(_ENTITIES, given):
            rows[row.id] = row
        scope_ids = sorted({row.scope_id for row in rows.values() if row.scope_id})
        for scope_id, uuid, kind, name in connection.execute(_PARENTS, {"ids": scope_ids}):
            parents[scope_id] = EntityRef(uuid, Kind.from_code(kind), name)
        _read_tags(connection, connection.execute(_TAGS, given).all(), tags, names)
        for row in connection.execute(_METADATA, given):
            metadata[row.entity_id][row.key] = decode_metadata_value(row.type, row.payload)
        for entity_id, name in connection.execute(_OWNERS, given):
            owners[entity_id].append(name)
    return [
        _entity(rows[i], parents.get(rows[i].scope_id), tags[i], metadata[i], owners[i])
        for i in ids
        if i in rows
    ]


def _read_tags(
    connection: sa.Connection, rows: Any, tags: dict[int, list[AssignedTag]], names: Names
) -> None:
    """The hot loop of every listing: plain tuples, and one datetime per distinct time."""
    names.learn(connection, {row[1] for row in rows}, {row[3] for row in rows if row[3]})
    times: dict[int, datetime] = {}
    for entity_id, tag_id, source, actor_id, added_ms, exclusive_scope in rows:
        added_at = times.get(added_ms)
        if added_at is None:
            added_at = times[added_ms] = from_millis(added_ms)
        key, value = names.tags[tag_id]
        actor_name = names.actors.get(actor_id) if actor_id else None
        tags[entity_id].append(
            AssignedTag(
                key, value, SOURCES[source], actor_name, added_at, exclusive_scope is not None
            )
        )


# Built once with an expanding parameter: no per-call coercion of every id.
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)

_ENTITIES = sa.select(entity).where(entity.c.id.in_(_IDS))
# Parents are read apart: joined, PostgreSQL may merge-join along the whole primary key.
_PARENTS = sa.select(entity.c.id, entity.c.uuid, entity.c.kind, entity.c.name).where(
    entity.c.id.in_(_IDS)
)

_TAGS = sa.select(
    tag_assignment.c.entity_id,
    tag_assignment.c.tag_id,
    tag_assignment.c.source,
    tag_assignment.c.actor_id,
    tag_assignment.c.added_ms,
    tag_assignment.c.exclusive_scope,
).where(tag_assignment.c.entity_id.in_(_IDS))

_METADATA = (
    sa.select(
        metadata_latest.c.entity_id,
        metadata_key.c.key,
        metadata_entry.c.type,
        metadata_entry.c.payload,
    )
    .join(metadata_entry, metadata_entry.c.id == metadata_latest.c.entry_id)
    .join(metadata_key, metadata_key.c.id == metadata_latest.c.key_id)
    .where(metadata_latest.c.entity_id.in_(_IDS))
    .order_by(metadata_latest.c.entity_id, metadata_key.c.key)
)

_OWNERS = sa.select(owner.c.entity_id, owner.c.owner).where(owner.c.entity_id.in_(_IDS))


def _entity(
    row: sa.Row[Any],
    scope: EntityRef | None,
    tags: list[AssignedTag],
    metadata: dict[str, Any],
    owners: list[str],
) -> Entity:
    return Entity(
        id=row.uuid,
        kind=Kind.from_code(row.kind),
        name=row.name,
        scope=scope,
        number=row.number,
        description=row.description,
        status=row.status,
        tags=tuple(sorted(tags)),
        metadata=metadata,
        owners=tuple(sorted(owners)),
        created_at=from_millis(row.created_ms),
        updated_at=from_millis(row.updated_ms),
    )
