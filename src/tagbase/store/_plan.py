"""Query planning: the cheapest SQL for a query, chosen with the tag dictionary's usage counters.

Tag predicates are first resolved to sets of tag ids (one indexed lookup each). A conjunct that
needs a tag is then the natural place to start: the rows of its few tags in the
`(tag_id, kind, entity_id)` index, newest first, checked against the other conditions with
primary-key probes. Of several such conjuncts the one held by the fewest entities leads.
Without one, the scan starts from the newest entities of the kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tagbase.query import (
    And,
    AssetIs,
    Everything,
    HasKey,
    MadeByRun,
    Match,
    Node,
    Not,
    Or,
    TagIs,
    TagMatch,
    TagValueIn,
)
from tagbase.query._limits import check_tree
from tagbase.store._compile import TagIds, condition, like, one_of, reads_entity
from tagbase.store._dictionary import TAG_SEARCH, has_tag_search, pair_condition, pair_digest
from tagbase.store._relations import resolve_relation
from tagbase.store._schema import entity, entity_count, tag, tag_assignment, tag_usage
from tagbase.store._sql import fetch

_DRIVER_MAX_TAGS = 64  # beyond this many tag ids, an index union costs more than a scan


def resolve(connection: sa.Connection, node: Node, kind: int) -> Any:
    """The tree with every tag predicate replaced by the ids of the tags it accepts."""
    match node:
        case TagIs(key, value):  # the commonest term: a statement built once
            given = {"kind": kind, "digest": pair_digest(key, value), "key": key, "value": value}
            return _tag_ids(fetch(connection, _ONE_PAIR, given))
        case HasKey() | TagValueIn() | TagMatch():
            query = _WITH_USAGE.where(_tag_condition(node, has_tag_search(connection)))
            return _tag_ids(connection.execute(query, {"kind": kind}).all())
        case Not(operand):
            return Not(resolve(connection, operand, kind))
        case And(operands):
            return And(tuple(resolve(connection, operand, kind) for operand in operands))
        case Or(operands):
            pairs = [operand for operand in operands if isinstance(operand, TagIs)]
            if len(pairs) < 2:
                return Or(tuple(resolve(connection, operand, kind) for operand in operands))
            others = [resolve(connection, o, kind) for o in operands if not isinstance(o, TagIs)]
            found = _pairs_ids(connection, pairs, kind)  # alone, it may lead the plan
            return Or((found, *others)) if others else found  # type: ignore[arg-type]
        case AssetIs() | MadeByRun():
            return resolve_relation(node, kind, lambda inner, k: resolve(connection, inner, k))
    return node


def _pairs_ids(connection: sa.Connection, pairs: list[TagIs], kind: int) -> TagIds:
    """The tags of many `key=value` terms (an OR of them) in one lookup by digest."""
    wanted = {(pair.key, pair.value) for pair in pairs}
    digests = sorted({pair_digest(key, value) for key, value in wanted})
    query = _WITH_USAGE.add_columns(tag.c.key, tag.c.value).where(tag.c.digest.in_(digests))
    rows = connection.execute(query, {"kind": kind}).all()
    return _tag_ids([row for row in rows if (row.key, row.value) in wanted])


_WITH_USAGE = sa.select(tag.c.id, tag_usage.c.count).outerjoin(
    tag_usage, (tag_usage.c.tag_id == tag.c.id) & (tag_usage.c.kind == sa.bindparam("kind"))
)
_ONE_PAIR = _WITH_USAGE.where(
    tag.c.digest == sa.bindparam("digest"),
    tag.c.key == sa.bindparam("key"),
    tag.c.value == sa.bindparam("value"),
)


def _tag_ids(rows: Any) -> TagIds:
    """The ids of the tags found, and how many entities of the kind hold any of them."""
    return TagIds(frozenset(row[0] for row in rows), sum(row[1] or 0 for row in rows))


def _tag_condition(node: Node, fts: bool) -> sa.ColumnElement[bool]:
    match node:
        case HasKey(key):
            return tag.c.key == key
        case TagValueIn(key, values):
            return (tag.c.key == key) & tag.c.value.in_(values)
        case TagMatch(None, how, pattern):
            return _string_form_condition(how, pattern, fts)
        case TagMatch(key, how, pattern):
            return (tag.c.key == key) & like(tag.c.value, how, pattern)
    raise TypeError(f"not a tag predicate: {node!r}")


def _string_form_condition(how: Match, pattern: str, fts: bool) -> sa.ColumnElement[bool]:
    """Match the string form (`key`, or `key=value` when the value is not empty) through the
    key index when the pattern allows: keys never hold '=', so its first '=' ends the key.
    Other matches read the trigram index of string forms: PostgreSQL's planner takes its
    pg_trgm index by itself; on SQLite the FTS5 table (`fts`) narrows the tags first."""
    key, equals, value = pattern.partition("=")
    if how is Match.EQUALS:
        return pair_condition(key, value) if value or not equals else sa.false()
    if how is Match.STARTSWITH:
        if equals:
            return (tag.c.key == key) & (tag.c.value != "") & like(tag.c.value, how, value)
        return like(tag.c.key, Match.STARTSWITH, key)
    matches = like(tag.c.string_form, how, pattern)
    if not fts or len(pattern) < 3:  # a trigram index needs three characters to look up
        return matches
    glob = ("*{}*" if how is Match.CONTAINS else "*{}").format(_escape_glob(pattern))
    candidates = sa.select(TAG_SEARCH.c.rowid).where(TAG_SEARCH.c.string_form.op("GLOB")(glob))
    return tag.c.id.in_(candidates) & matches


def _escape_glob(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def conjuncts(node: Any) -> list[Any]:
    if isinstance(node, And):
        return [part for operand in node.operands for part in conjuncts(operand)]
    if isinstance(node, Everything):
        return []
    return [node]


def choose_driver(parts: list[Any]) -> TagIds | None:
    """The tag conjunct held by the fewest entities of the kind. A union of many tags (a long
    `or` of tags) leads too when few entities hold them."""
    candidates = [
        part
        for part in parts
        if isinstance(part, TagIds)
        and (len(part.ids) <= _DRIVER_MAX_TAGS or part.held <= _SORT_LIMIT)
    ]
    return min(candidates, key=lambda part: part.held, default=None)


_DRIVING = tag_assignment.alias("driving")  # built once: an alias builds its columns anew
_SORT_LIMIT = 20_000  # a union of several tags is sorted; past this, scanning newest-first wins


@dataclass(frozen=True, slots=True)
class IdQuery:
    """The ids of the matching entities, unordered; `ident` orders and pages them."""

    select: sa.Select[Any]
    ident: Any
    empty: bool = False
    known_count: int | None = None  # when the usage counters already answer `count`
    count_query: sa.Select[Any] | None = None  # a cheaper way to count, when there is one


def _counted(kind: int, scope_id: int | None) -> sa.Select[Any]:
    """Every entity of the kind (within a scope), from the counters."""
    query = sa.select(sa.func.coalesce(sa.func.sum(entity_count.c.count), 0))
    query = query.where(entity_count.c.kind == kind)
    return query if scope_id is None else query.where(entity_count.c.scope_id == scope_id)


def plan(connection: sa.Connection, kind: int, scope_id: int | None, node: Node) -> IdQuery:
    """The cheapest id query for `node` over entities of `kind` (within a parent's scope)."""
    check_tree(node)
    parts = conjuncts(resolve(connection, node, kind))
    if any(isinstance(part, TagIds) and not part.ids for part in parts):
        nothing = sa.select(entity.c.id).where(sa.false())
        return IdQuery(nothing, entity.c.id, empty=True, known_count=0)
    driver = choose_driver(parts)
    if driver is not None and len(driver.ids) > 1 and driver.held > _SORT_LIMIT:
        driver = None
    rest = [part for part in parts if part is not driver]
    if driver is None:
        select = sa.select(entity.c.id).where(entity.c.kind == kind)
        if scope_id is not None:
            select = select.where(entity.c.scope_id == scope_id)
        select = select.where(*(condition(part, entity.c.id) for part in rest))
        return IdQuery(select, entity.c.id, count_query=None if rest else _counted(kind, scope_id))
    driving = _DRIVING
    ident = driving.c.entity_id
    select = sa.select(ident).where(driving.c.kind == kind, one_of(driving.c.tag_id, driver.ids))
    if scope_id is not None or any(reads_entity(part) for part in rest):
        select = select.join(entity, entity.c.id == ident)
        if scope_id is not None:
            select = select.where(entity.c.scope_id == scope_id)
    select = select.where(*(condition(part, ident) for part in rest))
    if len(driver.ids) > 1:  # one entity may hold several of the tags
        select = select.distinct()
    alone = not rest and scope_id is None and len(driver.ids) == 1
    return IdQuery(select, ident, known_count=driver.held if alone else None)
