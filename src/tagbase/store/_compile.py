"""The SQL back-end of the query language: a syntax tree becomes a WHERE clause on `entity`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tagbase.query import (
    And,
    Compare,
    CreatedCompare,
    Everything,
    HasKey,
    Match,
    MetadataCompare,
    MetadataMatch,
    NameMatch,
    Node,
    Not,
    Or,
    OwnerIs,
    ScopeIs,
    StatusIn,
    TagIs,
    TagMatch,
    TagValueIn,
)
from tagbase.store._schema import (
    entity,
    metadata_key,
    metadata_latest,
    owner,
    tag,
    tag_assignment,
)
from tagbase.store._sql import escape_like

_STRING_FORM = sa.case((tag.c.value == "", tag.c.key), else_=tag.c.key + "=" + tag.c.value)


def compile_query(node: Node, kind: int) -> sa.ColumnElement[bool]:
    """A condition on `entity` rows of `kind` that holds exactly where `node` matches."""
    match node:
        case Everything():
            return sa.true()
        case TagIs(key, value):
            return _has_tag(kind, (tag.c.key == key) & (tag.c.value == value))
        case HasKey(key):
            return _has_tag(kind, tag.c.key == key)
        case TagValueIn(key, values):
            return _has_tag(kind, (tag.c.key == key) & tag.c.value.in_(values))
        case TagMatch(key, how, pattern):
            if key is None:
                return _has_tag(kind, _like(_STRING_FORM, how, pattern))
            return _has_tag(kind, (tag.c.key == key) & _like(tag.c.value, how, pattern))
        case NameMatch(how, pattern):
            return _like(entity.c.name, how, pattern)
        case OwnerIs(name):
            return entity.c.id.in_(sa.select(owner.c.entity_id).where(owner.c.owner == name))
        case StatusIn(values):
            # Spelled out so that NOT gives true, not NULL, for entities without a status.
            return entity.c.status.is_not(None) & entity.c.status.in_(values)
        case ScopeIs(name):
            return entity.c.scope_id.in_(sa.select(_parent.c.id).where(_parent.c.name == name))
        case CreatedCompare(op, millis):
            return _compare(entity.c.created_ms, op, millis)
        case MetadataCompare(key, op, number):
            return _has_metadata(kind, key, _compare(metadata_latest.c.number, op, number))
        case MetadataMatch(key, how, pattern):
            return _has_metadata(kind, key, _like(metadata_latest.c.text, how, pattern))
        case Not(operand):
            return sa.not_(compile_query(operand, kind))
        case And(operands):  # the leading constant makes an empty AND true, an empty OR false
            return sa.and_(sa.true(), *(compile_query(operand, kind) for operand in operands))
        case Or(operands):
            return sa.or_(sa.false(), *(compile_query(operand, kind) for operand in operands))
    raise TypeError(f"unknown query node {node!r}")


_parent = entity.alias("scope_parent")


def _compare(column: Any, op: Compare, value: float) -> sa.ColumnElement[bool]:
    return {  # type: ignore[no-any-return]
        Compare.EQ: column == value,
        Compare.NE: column != value,
        Compare.GT: column > value,
        Compare.GE: column >= value,
        Compare.LT: column < value,
        Compare.LE: column <= value,
    }[op]


def _has_metadata(
    kind: int, key: str, value_condition: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    key_id = sa.select(metadata_key.c.id).where(metadata_key.c.key == key).scalar_subquery()
    holders = sa.select(metadata_latest.c.entity_id).where(
        metadata_latest.c.key_id == key_id, metadata_latest.c.kind == kind, value_condition
    )
    return entity.c.id.in_(holders)


def _has_tag(kind: int, tag_condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    tag_ids = sa.select(tag.c.id).where(tag_condition)
    holders = sa.select(tag_assignment.c.entity_id).where(
        tag_assignment.c.kind == kind, tag_assignment.c.tag_id.in_(tag_ids)
    )
    return entity.c.id.in_(holders)


def _like(column: Any, how: Match, pattern: str) -> sa.ColumnElement[bool]:
    if how is Match.EQUALS:
        return column == pattern  # type: ignore[no-any-return]
    escaped = escape_like(pattern)
    shaped = {
        Match.STARTSWITH: f"{escaped}%",
        Match.ENDSWITH: f"%{escaped}",
        Match.CONTAINS: f"%{escaped}%",
    }[how]
    return column.like(shaped, escape="\\")  # type: ignore[no-any-return]
