"""The SQL back-end of the query language: a resolved syntax tree becomes a condition on an
entity id column. Tag and metadata tests are primary-key probes correlated with that column;
attribute tests (name, status, scope, time) read the `entity` row, which callers join."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tagbase.query import (
    And,
    Compare,
    CreatedCompare,
    Everything,
    Match,
    MetadataCompare,
    MetadataMatch,
    NameMatch,
    Not,
    Or,
    OwnerIs,
    ScopeIs,
    StatusIn,
)
from tagbase.store._schema import entity, metadata_key, metadata_latest, owner, tag_assignment
from tagbase.store._sql import escape_like

_parent = entity.alias("scope_parent")


@dataclass(frozen=True, slots=True)
class TagIds:
    """Holds at least one of these tags (a resolved tag predicate). `held` counts the
    assignments of these tags to entities of the queried kind, from the usage counters."""

    ids: frozenset[int]
    held: int = 0


def like(column: Any, how: Match, pattern: str) -> sa.ColumnElement[bool]:
    """A case-sensitive match; prefixes become index ranges."""
    if how is Match.EQUALS:
        return column == pattern  # type: ignore[no-any-return]
    shaped = {
        Match.STARTSWITH: "{}%",
        Match.ENDSWITH: "%{}",
        Match.CONTAINS: "%{}%",
    }[how].format(escape_like(pattern))
    return column.like(shaped, escape="\\")  # type: ignore[no-any-return]


ENTITY_NODES = (NameMatch, StatusIn, ScopeIs, CreatedCompare)


def condition(node: Any, ident: Any) -> sa.ColumnElement[bool]:
    """True exactly for the entities (named by `ident`) that `node` accepts."""
    match node:
        case Everything():
            return sa.true()
        case TagIds(ids):
            if not ids:
                return sa.false()
            probe = sa.select(tag_assignment.c.tag_id).where(
                tag_assignment.c.entity_id == ident, one_of(tag_assignment.c.tag_id, ids)
            )
            return probe.exists()
        case OwnerIs(name):
            found = sa.select(owner.c.owner).where(
                owner.c.entity_id == ident, owner.c.owner == name
            )
            return found.exists()
        case MetadataCompare(key, op, number):
            return _metadata(ident, key, compare(metadata_latest.c.number, op, number))
        case MetadataMatch(key, how, pattern):
            return _metadata(ident, key, like(metadata_latest.c.text, how, pattern))
        case NameMatch(how, pattern):
            return like(entity.c.name, how, pattern)
        case StatusIn(values):
            # Spelled out so that NOT gives true, not NULL, for entities without a status.
            return entity.c.status.is_not(None) & entity.c.status.in_(values)
        case ScopeIs(name):
            return entity.c.scope_id.in_(sa.select(_parent.c.id).where(_parent.c.name == name))
        case CreatedCompare(op, millis):
            return compare(entity.c.created_ms, op, millis)
        case Not(operand):
            return sa.not_(condition(operand, ident))
        case And(operands):  # the leading constant makes an empty AND true, an empty OR false
            return sa.and_(sa.true(), *(condition(operand, ident) for operand in operands))
        case Or(operands):
            return sa.or_(sa.false(), *(condition(operand, ident) for operand in operands))
    raise TypeError(f"unknown query node {node!r}")


def reads_entity(node: Any) -> bool:
    """Whether `node` tests attributes of the entity row itself."""
    if isinstance(node, ENTITY_NODES):
        return True
    if isinstance(node, Not):
        return reads_entity(node.operand)
    if isinstance(node, And | Or):
        return any(reads_entity(operand) for operand in node.operands)
    return False


def one_of(column: Any, ids: frozenset[int]) -> sa.ColumnElement[bool]:
    if len(ids) == 1:
        return column == next(iter(ids))  # type: ignore[no-any-return]
    return column.in_(sorted(ids))  # type: ignore[no-any-return]


def compare(column: Any, op: Compare, value: float) -> sa.ColumnElement[bool]:
    return op.function(column, value)  # type: ignore[no-any-return]


def _metadata(
    ident: Any, key: str, value_condition: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    key_id = sa.select(metadata_key.c.id).where(metadata_key.c.key == key).scalar_subquery()
    found = sa.select(metadata_latest.c.entry_id).where(
        metadata_latest.c.entity_id == ident, metadata_latest.c.key_id == key_id, value_condition
    )
    return found.exists()
