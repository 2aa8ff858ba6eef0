"""Tag writes inside one transaction: the dictionary, assignments, exclusive moves, history.

Every change of an assignment keeps the counters in `tag_usage` right and leaves a closed
interval in `tag_history` for whatever was removed, replaced or moved away.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import sqlalchemy as sa

from tagbase._changes import ChangeType
from tagbase._errors import (
    ExclusiveTagConflictError,
    NotFoundError,
    PolicyDeniedError,
    Problem,
    TagNotAllowedError,
    TagValidationError,
)
from tagbase._tags import Tag, tag_string
from tagbase.store import _governance as governance
from tagbase.store import _outbox
from tagbase.store._dictionary import Pair, TagRow, ensure_tags
from tagbase.store._registry import register_behaviours
from tagbase.store._schema import (
    REMOVAL_REASONS,
    SOURCES,
    entity,
    tag,
    tag_assignment,
    tag_history,
    tag_usage,
)
from tagbase.store._sql import (
    Rows,
    bound_list,
    chunks,
    counting,
    execute_many,
    execute_together,
    fetch,
    in_bound_list,
    lock_rows,
    now_ms,
)


@dataclass(frozen=True, slots=True)
class Target:
    """An entity whose tags change: its id, kind code, scope id and a name for messages."""

    id: int
    kind: int
    scope_id: int
    label: str
    uuid: str = ""
    at: int | None = None  # when its tags and metadata were set, for imported records


TARGET_COLUMNS = (entity.c.id, entity.c.kind, entity.c.scope_id, entity.c.name, entity.c.uuid)
Assigned = dict[int, list[tuple[TagRow, int]]]  # entity id -> (tag, time added) put on it


@dataclass(frozen=True, slots=True)
class Change:
    """Who changes tags, how, and when."""

    source: str
    actor_id: int | None
    now: int
    actor: str | None = None  # the actor's name, for tag policies

    @property
    def source_code(self) -> int:
        return SOURCES.index(self.source)

    def time_for(self, target: Target) -> int:
        """When the change happens to `target`: now, or the time an imported record carries."""
        return self.now if target.at is None else target.at

    def after_locks(self) -> Change:
        """The change timed once its locks are held: a writer that waited for another may not
        date its change earlier, or history would hold intervals that end before they start."""
        return replace(self, now=max(self.now, now_ms()))


def assign(
    connection: sa.Connection,
    items: Sequence[tuple[Target, Sequence[Tag]]],
    change: Change,
    *,
    fresh: bool = False,
    locked: bool = False,
) -> Assigned:
    """Put each target's tags on it. `fresh` says the targets were just created (no tags yet),
    `locked` that this transaction already holds their rows' locks (it wrote them).
    Returns the tags each target gained, with their times."""
    items = [(target, tags) for target, tags in items if tags]
    added: Assigned = defaultdict(list)
    if not items:
        return added
    all_tags = {(t.key, t.value): t for _, tags in items for t in tags}
    _governed(connection, list(all_tags.values()), change, "assign", [t for t, _ in items])
    register_behaviours(connection, [t for t in all_tags.values() if t.has_behaviours], change.now)
    rows = ensure_tags(connection, all_tags, change.now)
    wanted = [(target, [rows[(t.key, t.value)] for t in tags]) for target, tags in items]
    _check_call(wanted)
    lock_rows(connection, tag.c.id, [row.id for row in rows.values() if row.exclusive])
    targets = [target for target, _ in items]
    if not (fresh or locked):
        lock_rows(connection, entity.c.id, [target.id for target in targets])
    change = change.after_locks()
    current = {} if fresh else _current_tags(connection, [target.id for target in targets])
    inserts: list[tuple[Any, ...]] = []
    counts: Counts = defaultdict(int)
    events: list[_outbox.Pending] = []
    for target, target_rows in wanted:
        held = current.get(target.id, {})
        for row in sorted(target_rows, key=lambda row: row.id):
            if row.id in held:
                continue
            event = None if fresh else ChangeType.TAG_ADDED  # a new entity's: in its event
            if not row.multi_valued:
                for old in [old for old, single_key in held.items() if single_key == row.key_id]:
                    _unassign(connection, target, old, change, "replaced", counts)
                    events.append(_event(ChangeType.TAG_REPLACED, change, target, row, old))
                    event = None
            added_ms = change.time_for(target)
            if row.exclusive:
                added_ms, holder = _take_from_holder(
                    connection, target, row, change, added_ms, counts
                )
                events.append(_event(ChangeType.TAG_MOVED, change, target, row, holder))
                event = None
            if event is not None:
                events.append(_event(event, change, target, row))
            inserts.append(_assignment(target, row, change, added_ms))
            counts[(row.id, target.kind)] += 1
            added[target.id].append((row, added_ms))
    _outbox.note_many(connection, events)
    assigned = Rows(_INSERT_ASSIGNMENTS, _ASSIGNMENT_COLUMNS, inserts)
    execute_together(connection, [assigned, _counting(connection, counts)])
    return added


Counts = dict[tuple[int, int], int]  # (tag id, kind) -> change of its usage counter


def _event(
    change_type: ChangeType, change: Change, target: Target, row: TagRow, other: int | None = None
) -> _outbox.Pending:
    """A tag event of `target`; `other` is the tag a value replaced, or the entity an
    exclusive tag moved from."""
    return _outbox.row(change_type, change.now, change.actor_id, target.id, row.id, other)


def _governed(
    connection: sa.Connection,
    tags: Sequence[Tag],
    change: Change,
    action: str,
    targets: Sequence[Target],
) -> None:
    """Refuse the write if a tag policy forbids it, keeping the attempt for the audit list."""
    where = ", ".join(target.label for target in targets[:3])
    try:
        governance.check(connection, tags, change.actor, action=action, where=where)
    except (PolicyDeniedError, TagNotAllowedError) as error:
        governance.note_denial(connection, error, change.actor, action, where)
        raise


def _count(connection: sa.Connection, counts: Counts) -> None:
    """Apply the counter changes of a whole call in one statement."""
    execute_together(connection, [_counting(connection, counts)])


def _counting(connection: sa.Connection, counts: Counts) -> Rows:
    changed = {key: delta for key, delta in counts.items() if delta}
    return counting(connection, tag_usage, ["tag_id", "kind"], "count", changed)


_INSERT_ASSIGNMENTS = tag_assignment.insert()
_INSERT_HISTORY = tag_history.insert()


def _check_call(wanted: Sequence[tuple[Target, list[TagRow]]]) -> None:
    """One call may not give a key two values, nor an exclusive tag to two entities of a scope."""
    problems = []
    for target, rows in wanted:
        by_key: dict[int, list[TagRow]] = defaultdict(list)
        for row in rows:
            if not row.multi_valued:
                by_key[row.key_id].append(row)
        for same_key in by_key.values():
            if len(same_key) > 1:
                names = ", ".join(row.name for row in same_key)
                problems.append(
                    Problem(
                        f"tags {names} on {target.label}",
                        f"key {same_key[0].key!r} takes one value per entity",
                        "pass one of them, or register the key as multi-valued: "
                        f"tagbase tag register {same_key[0].key} --multi-valued",
                    )
                )
    if problems:
        raise TagValidationError(problems)
    holders: dict[tuple[int, int, int], list[Target]] = defaultdict(list)
    for target, rows in wanted:
        for row in rows:
            if row.exclusive:
                holders[(row.id, target.kind, target.scope_id)].append(target)
    for (tag_id, _, _), group in holders.items():
        if len(group) > 1:
            name = next(row.name for _, rows in wanted for row in rows if row.id == tag_id)
            raise ExclusiveTagConflictError(
                f"tag {name!r} is exclusive, so one entity per scope may hold it, but this "
                f"call gives it to {len(group)} entities of one scope: "
                f"{', '.join(target.label for target in group)}. Fix: tag just one of them"
            )


def _current_tags(
    connection: sa.Connection, entity_ids: list[int]
) -> dict[int, dict[int, int | None]]:
    """Entity id -> {tag id: its key id while the key takes one value, else None} of the tags
    it holds."""
    held: dict[int, dict[int, int | None]] = defaultdict(dict)
    given = {"values": bound_list(connection, entity_ids)}
    current = fetch(connection, _current(connection.dialect.name), given)
    for entity_id, tag_id, single_key_id in current:
        held[entity_id][tag_id] = single_key_id
    return held


@functools.cache
def _current(dialect: str) -> sa.Select[Any]:
    return sa.select(
        tag_assignment.c.entity_id, tag_assignment.c.tag_id, tag_assignment.c.single_key_id
    ).where(in_bound_list(tag_assignment.c.entity_id, dialect))


_ASSIGNMENT_COLUMNS = (
    "entity_id",
    "tag_id",
    "single_key_id",
    "kind",
    "exclusive_scope",
    "source",
    "actor_id",
    "added_ms",
)


def _assignment(target: Target, row: TagRow, change: Change, added_ms: int) -> tuple[Any, ...]:
    """An assignment row, in `_ASSIGNMENT_COLUMNS` order."""
    return (
        target.id,
        row.id,
        None if row.multi_valued else row.key_id,
        target.kind,
        target.scope_id if row.exclusive else None,
        change.source_code,
        change.actor_id,
        added_ms,
    )


def _take_from_holder(
    connection: sa.Connection, target: Target, row: TagRow, change: Change, at: int, counts: Counts
) -> tuple[int, int | None]:
    """Move an exclusive tag: whoever holds it in the target's scope gives it up. Returns the
    time of the move and the holder's id (None if none held it). The time is `at`, but never
    before the holder got the tag (an imported record with an old time, or another machine's
    clock), so that holders never overlap in history."""
    given = {"tag_id": row.id, "kind": target.kind, "scope_id": target.scope_id}
    removed = [Removed(*found) for found in fetch(connection, _TAKE_FROM_HOLDER, given)]
    moved_at = max([at, *(int(old.added_ms) for old in removed)])
    moved = replace(change, now=moved_at)
    scope_of = {old.entity_id: target.scope_id for old in removed}  # the scope they shared
    _close(connection, removed, scope_of, moved, "moved", counts, successor=target.id)
    return moved_at, removed[0].entity_id if removed else None  # the unique index: one at most


class Removed(NamedTuple):
    """An assignment just deleted, as its DELETE returned it."""

    entity_id: int
    tag_id: int
    kind: int
    source: int
    actor_id: int | None
    added_ms: int


_RETURNED = tuple(tag_assignment.c[name] for name in Removed._fields)
# Built once: a small update runs them, and building costs more than running them.
_TAKE_FROM_HOLDER = (
    tag_assignment.delete()
    .where(
        tag_assignment.c.tag_id == sa.bindparam("tag_id"),
        tag_assignment.c.kind == sa.bindparam("kind"),
        tag_assignment.c.exclusive_scope == sa.bindparam("scope_id"),
    )
    .returning(*_RETURNED)
)
_UNASSIGN = (
    tag_assignment.delete()
    .where(
        tag_assignment.c.entity_id == sa.bindparam("entity_id"),
        tag_assignment.c.tag_id == sa.bindparam("tag_id"),
    )
    .returning(*_RETURNED)
)


def _unassign(
    connection: sa.Connection,
    target: Target,
    tag_id: int,
    change: Change,
    reason: str,
    counts: Counts,
) -> None:
    given = {"entity_id": target.id, "tag_id": tag_id}
    removed = [Removed(*found) for found in fetch(connection, _UNASSIGN, given)]
    _close(connection, removed, {target.id: target.scope_id}, change, reason, counts)


def _close(
    connection: sa.Connection,
    removed: Sequence[Any],
    scope_of: Mapping[int, int],
    change: Change,
    reason: str,
    counts: Counts,
    successor: int | None = None,
) -> None:
    """Record removed assignments in history, and their counter changes in `counts`."""
    if not removed:
        return
    execute_many(
        connection,
        _INSERT_HISTORY,
        [
            {
                "entity_id": row.entity_id,
                "tag_id": row.tag_id,
                "kind": row.kind,
                "scope_id": scope_of[row.entity_id],
                "added_ms": row.added_ms,
                "added_source": row.source,
                "added_actor_id": row.actor_id,
                "removed_ms": change.now,
                "removed_source": change.source_code,
                "removed_actor_id": change.actor_id,
                "reason": REMOVAL_REASONS.index(reason),
                "successor_id": successor,
            }
            for row in removed
        ],
    )
    for row in removed:
        counts[(row.tag_id, row.kind)] -= 1


def unassign(
    connection: sa.Connection,
    targets: Sequence[Target],
    names: Sequence[Pair],
    change: Change,
    *,
    reason: str = "removed",
    missing_ok: bool = False,
) -> set[int]:
    """Take tags off targets. A bare key (`env`) removes the label `env` or, when the entity
    has no such label, every value of `env`. Returns the ids of the targets that lost a tag."""
    _governed(connection, [Tag(k, v) for k, v in names], change, "remove", targets)
    lock_rows(connection, entity.c.id, [target.id for target in targets])
    change = change.after_locks()
    held = _held_pairs(connection, [target.id for target in targets])
    doomed: list[tuple[int, int]] = []
    unmatched = set(names)
    for target in targets:
        pairs = held.get(target.id, {})
        for key, value in names:
            matching = [
                tag_id
                for (held_key, held_value), tag_id in pairs.items()
                if held_key == key
                and (held_value == value or (value == "" and (key, "") not in pairs))
            ]
            if matching:
                unmatched.discard((key, value))
            doomed.extend((target.id, tag_id) for tag_id in matching)
    if unmatched and not missing_ok:
        names_text = ", ".join(sorted(tag_string(*pair) for pair in unmatched))
        where = ", ".join(target.label for target in targets[:3])
        raise NotFoundError(
            f"no tag {names_text} on {where}; nothing was removed. "
            "Fix: check the tag's spelling; list the entity's tags to see what it holds"
        )
    scope_of = {target.id: target.scope_id for target in targets}
    counts: Counts = defaultdict(int)
    for part in chunks(doomed):  # a chunk of (entity, tag) pairs per statement
        removed = connection.execute(
            tag_assignment.delete()
            .where(sa.tuple_(tag_assignment.c.entity_id, tag_assignment.c.tag_id).in_(part))
            .returning(*_RETURNED)
        ).all()
        _close(connection, removed, scope_of, change, reason, counts)
        _outbox.note_many(connection, [_removal(change, row, reason) for row in removed])
    _count(connection, counts)
    return {entity_id for entity_id, _ in doomed}


def _removal(change: Change, removed: Any, reason: str) -> _outbox.Pending:
    why = None if reason == "removed" else _outbox.payload({"reason": reason})
    return _outbox.row(
        ChangeType.TAG_REMOVED, change.now, change.actor_id, removed.entity_id, removed.tag_id,
        payload=why,
    )  # fmt: skip


def unassign_all(connection: sa.Connection, targets: Sequence[Target], change: Change) -> None:
    """Take every tag off targets that are being deleted, a chunk of entities per statement."""
    scope_of = {target.id: target.scope_id for target in targets}
    counts: Counts = defaultdict(int)
    for part in chunks(list(scope_of)):
        removed = connection.execute(
            tag_assignment.delete()
            .where(tag_assignment.c.entity_id.in_(part))
            .returning(*_RETURNED)
        ).all()
        _close(connection, removed, scope_of, change, "deleted", counts)
    _count(connection, counts)


def _held_pairs(connection: sa.Connection, entity_ids: list[int]) -> dict[int, dict[Pair, int]]:
    held: dict[int, dict[Pair, int]] = defaultdict(dict)
    for part in chunks(entity_ids):
        query = (
            sa.select(tag_assignment.c.entity_id, tag.c.key, tag.c.value, tag.c.id)
            .join(tag, tag.c.id == tag_assignment.c.tag_id)
            .where(tag_assignment.c.entity_id.in_(part))
        )
        for entity_id, key, value, tag_id in connection.execute(query):
            held[entity_id][(key, value)] = tag_id
    return held
