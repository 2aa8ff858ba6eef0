"""Turning rows into records, a page at a time, with a fixed number of queries."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase._records import AssignedTag, Entity, EntityRef, Tags, from_millis
from tagbase.metadata import decode_metadata_value
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
from tagbase.store._sql import bound_list, chunks, fetch, in_bound_list


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


# Entity rows are plain tuples in the table's column order (SQLAlchemy rows are tuples too).
ID, UUID, KIND, NAME, SCOPE_ID, NUMBER, DESCRIPTION, STATUS, CREATED_MS, UPDATED_MS = range(10)
EntityRow = Sequence[Any]


def load_entities(connection: sa.Connection, ids: Sequence[int], names: Names) -> list[Entity]:
    """Records for `ids`, in that order."""
    return records(connection, entity_rows(connection, ids), names)


def entity_rows(connection: sa.Connection, ids: Sequence[int]) -> list[EntityRow]:
    """The rows of the entities `ids` names, in that order, read through the driver."""
    if not ids:
        return []
    given = {"values": bound_list(connection, ids)}
    found = {row[ID]: row for row in fetch(connection, _statements(connection).entities, given)}
    return [found[i] for i in ids if i in found]


def page_rows(connection: sa.Connection, ids: sa.Select[Any]) -> list[EntityRow]:
    """The entity rows an ordered, limited id query finds, in its order. The ids come first,
    then their rows as plain tuples: cheaper than full rows through SQLAlchemy's result."""
    return entity_rows(connection, connection.execute(ids).scalars().all())


def records(connection: sa.Connection, rows: Sequence[EntityRow], names: Names) -> list[Entity]:
    """Records for entity rows: parents, tags, and metadata with owners in three more queries."""
    if not rows:
        return []
    statements = _statements(connection)
    given = {"values": bound_list(connection, [row[ID] for row in rows])}
    scope_ids = {row[SCOPE_ID] for row in rows} - {0}
    found_parents = (
        fetch(connection, statements.parents, {"values": bound_list(connection, scope_ids)})
        if scope_ids
        else []
    )
    parents = {
        scope_id: EntityRef(uuid, Kind.from_code(kind), name)
        for scope_id, uuid, kind, name in found_parents
    }
    times = Times()
    tags: dict[int, list[AssignedTag]] = defaultdict(list)
    _read_tags(connection, fetch(connection, statements.tags, given), tags, names, times)
    metadata: dict[int, dict[str, Any]] = defaultdict(dict)
    owners: dict[int, list[str]] = defaultdict(list)
    found = sorted(fetch(connection, statements.metadata_and_owners, given), key=_by_entity_and_key)
    for entity_id, key_or_owner, type_name, payload in found:
        if type_name is None:
            owners[entity_id].append(key_or_owner)
        else:
            metadata[entity_id][key_or_owner] = decode_metadata_value(type_name, payload)
    kinds = {code: Kind.from_code(code) for code in {row[KIND] for row in rows}}
    return [
        Entity(
            row[UUID],
            kinds[row[KIND]],
            row[NAME],
            parents.get(row[SCOPE_ID]),
            row[NUMBER],
            row[DESCRIPTION],
            row[STATUS],
            Tags(sorted(tags[row[ID]])),
            metadata[row[ID]],
            tuple(sorted(owners[row[ID]])),
            times[row[CREATED_MS]],
            times[row[UPDATED_MS]],
        )
        for row in rows
    ]


def _by_entity_and_key(row: Any) -> tuple[int, str]:
    return row[0], row[1]


class Times(dict[int, datetime]):
    """Datetimes by millisecond, each made once: a page repeats the same few times a lot."""

    def __missing__(self, millis: int) -> datetime:
        made = self[millis] = from_millis(millis)
        return made


def _read_tags(
    connection: sa.Connection,
    rows: Any,
    tags: dict[int, list[AssignedTag]],
    names: Names,
    times: Times,
) -> None:
    """The hot loop of every listing: plain tuples, and one datetime per distinct time."""
    names.learn(connection, {row[1] for row in rows}, {row[3] for row in rows if row[3]})
    for entity_id, tag_id, source, actor_id, added_ms, exclusive_scope in rows:
        key, value = names.tags[tag_id]
        actor_name = names.actors.get(actor_id) if actor_id else None
        tags[entity_id].append(
            AssignedTag(
                key,
                value,
                SOURCES[source],
                actor_name,
                times[added_ms],
                exclusive_scope is not None,
            )
        )


class _Statements(NamedTuple):
    entities: sa.Select[Any]
    parents: sa.Select[Any]
    tags: sa.Select[Any]
    metadata_and_owners: sa.CompoundSelect[Any]


def _statements(connection: sa.Connection) -> _Statements:
    return _statements_for(connection.dialect.name)


@functools.cache
def _statements_for(dialect: str) -> _Statements:
    """The loading queries, built once per dialect with the id list as one parameter."""
    return _Statements(
        entities=sa.select(entity).where(in_bound_list(entity.c.id, dialect)),
        # Parents are read apart: joined, PostgreSQL may merge-join along the whole primary key.
        parents=sa.select(entity.c.id, entity.c.uuid, entity.c.kind, entity.c.name).where(
            in_bound_list(entity.c.id, dialect)
        ),
        tags=sa.select(
            tag_assignment.c.entity_id,
            tag_assignment.c.tag_id,
            tag_assignment.c.source,
            tag_assignment.c.actor_id,
            tag_assignment.c.added_ms,
            tag_assignment.c.exclusive_scope,
        ).where(in_bound_list(tag_assignment.c.entity_id, dialect)),
        # One round trip for both: owner rows are the ones without a metadata type.
        metadata_and_owners=sa.union_all(
            sa.select(
                metadata_latest.c.entity_id,
                metadata_key.c.key,
                metadata_entry.c.type,
                metadata_entry.c.payload,
            )
            .join(metadata_entry, metadata_entry.c.id == metadata_latest.c.entry_id)
            .join(metadata_key, metadata_key.c.id == metadata_latest.c.key_id)
            .where(in_bound_list(metadata_latest.c.entity_id, dialect)),
            sa.select(owner.c.entity_id, owner.c.owner, sa.null(), sa.null()).where(
                in_bound_list(owner.c.entity_id, dialect)
            ),
        ),
    )
