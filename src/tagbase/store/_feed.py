"""Reading the change feed: rows of the outbox (`_outbox`) by id, made into `ChangeEvent`s,
and pruning what retention no longer keeps.

A row names its entity, tag and other party by id; they are read here, a query per page (an
entity deleted since is named by its tombstone), so the log stays small.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from tagbase._changes import ChangeEvent, ChangeType
from tagbase._records import EntityRef, from_millis
from tagbase._tags import tag_string
from tagbase.store import _history
from tagbase.store._outbox import change_event
from tagbase.store._schema import actor, entity, tag
from tagbase.store._sql import chunks

PRUNE_CHUNK = 50_000  # rows deleted per transaction, so a prune never holds the lock long


class FeedRow(NamedTuple):
    id: int
    type: int
    at_ms: int
    actor: str | None
    entity_id: int | None
    tag_id: int | None
    other_id: int | None
    payload: str | None


_READ = (
    sa.select(
        change_event.c.id,
        change_event.c.type,
        change_event.c.at_ms,
        actor.c.name,
        change_event.c.entity_id,
        change_event.c.tag_id,
        change_event.c.other_id,
        change_event.c.payload,
    )
    .outerjoin(actor, actor.c.id == change_event.c.actor_id)
    .order_by(change_event.c.id)
)


def read_rows(
    connection: sa.Connection, after: int, types: Collection[ChangeType] | None, limit: int
) -> list[FeedRow]:
    """Up to `limit` rows after id `after`, of `types` (all if None), oldest first."""
    query = _READ.where(change_event.c.id > after)
    if types is not None:
        query = query.where(change_event.c.type.in_(sorted(t.code for t in types)))
    return [FeedRow(*row) for row in connection.execute(query.limit(limit))]


def entity_kinds(connection: sa.Connection, rows: Sequence[FeedRow]) -> dict[int, list[int]]:
    """Kind code -> ids of the rows' entities that still exist."""
    ids = sorted({row.entity_id for row in rows if row.entity_id})
    kinds: dict[int, list[int]] = {}
    for part in chunks(ids):
        found = connection.execute(
            sa.select(entity.c.id, entity.c.kind).where(entity.c.id.in_(part))
        )
        for entity_id, kind in found:
            kinds.setdefault(kind, []).append(entity_id)
    return kinds


_MOVED, _REPLACED = ChangeType.TAG_MOVED.code, ChangeType.TAG_REPLACED.code


def records(connection: sa.Connection, rows: Sequence[FeedRow]) -> list[ChangeEvent]:
    """The rows as events, their entities and tags named (a query for each, per page)."""
    details = [json.loads(row.payload) if row.payload else {} for row in rows]
    entity_ids = {row.entity_id for row in rows if row.entity_id}
    entity_ids |= {row.other_id for row in rows if row.type == _MOVED and row.other_id}
    tag_ids = {row.tag_id for row in rows if row.tag_id}
    tag_ids |= {row.other_id for row in rows if row.type == _REPLACED and row.other_id}
    tag_ids |= {tag_id for detail in details for tag_id in detail.get("tag_ids", ())}
    refs = _history.refs_by_id(connection, entity_ids)
    names = _tag_names(connection, tag_ids)
    return [
        ChangeEvent(
            id=row.id,
            type=ChangeType.from_code(row.type),
            at=from_millis(row.at_ms),
            actor=row.actor,
            entity=refs.get(row.entity_id) if row.entity_id else None,
            payload=_payload(row, detail, refs, names),
        )
        for row, detail in zip(rows, details, strict=True)
    ]


def _payload(
    row: FeedRow, detail: dict[str, Any], refs: dict[int, EntityRef], names: dict[int, str]
) -> dict[str, Any]:
    """What the event says besides its entity: the stored details, with ids made names."""
    shown: dict[str, Any] = {}
    if row.tag_id:
        shown["tag"] = names.get(row.tag_id)
    if row.type == _REPLACED:
        shown["old"] = names.get(row.other_id) if row.other_id else None
    if row.type == _MOVED:
        held = refs.get(row.other_id) if row.other_id else None
        shown["from"] = None if held is None else ref_fields(held)
        moved_to = refs.get(row.entity_id) if row.entity_id else None
        shown["to"] = None if moved_to is None else ref_fields(moved_to)
    if "tag_ids" in detail:
        shown["tags"] = sorted(names[i] for i in detail.pop("tag_ids") if i in names)
    return shown | detail


def ref_fields(ref: EntityRef) -> dict[str, Any]:
    """An entity reference as plain JSON values, as a payload carries it."""
    return {
        "id": ref.id,
        "kind": ref.kind.value,
        "name": ref.name,
        "scope": ref.scope_name,
        "deleted": ref.deleted,
    }


def _tag_names(connection: sa.Connection, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for part in chunks(sorted(ids)):
        query = sa.select(tag.c.id, tag.c.key, tag.c.value).where(tag.c.id.in_(part))
        names.update(
            {tag_id: tag_string(key, value) for tag_id, key, value in connection.execute(query)}
        )
    return names


def newest_id(connection: sa.Connection) -> int:
    found = connection.execute(sa.select(sa.func.max(change_event.c.id))).scalar()
    return int(found or 0)


def first_kept(connection: sa.Connection, before_ms: int) -> int:
    """The id of the oldest event at or after `before_ms`, or past the newest if every event
    is older. It reads ids from the oldest up: it costs what the prune deletes."""
    query = (
        sa.select(change_event.c.id)
        .where(change_event.c.at_ms >= before_ms)
        .order_by(change_event.c.id)
        .limit(1)
    )
    found = connection.execute(query).scalar()
    if found is None:  # every event is older; one written meanwhile is newer than this
        return newest_id(connection) + 1
    return int(found)


def delete_before(connection: sa.Connection, first_kept_id: int) -> int:
    """Delete up to `PRUNE_CHUNK` of the oldest events before `first_kept_id`; how many went."""
    oldest = (
        sa.select(change_event.c.id)
        .where(change_event.c.id < first_kept_id)
        .order_by(change_event.c.id)
        .limit(PRUNE_CHUNK)
    )
    doomed = sa.select(oldest.subquery().c.id)
    deleted = connection.execute(change_event.delete().where(change_event.c.id.in_(doomed)))
    return int(deleted.rowcount)
