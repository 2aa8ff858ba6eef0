"""The SQL back-end of the query language: a syntax tree becomes a WHERE clause on `entity`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tagbase.query import (
    And,
    Everything,
    HasKey,
    Match,
    NameMatch,
    Node,
    Not,
    Or,
    OwnerIs,
    TagIs,
    TagMatch,
    TagValueIn,
)
from tagbase.store._schema import entity, owner, tag, tag_assignment
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
        case Not(operand):
            return sa.not_(compile_query(operand, kind))
        case And(operands):
            return sa.and_(*(compile_query(operand, kind) for operand in operands))
        case Or(operands):
            return sa.or_(*(compile_query(operand, kind) for operand in operands))
    raise TypeError(f"unknown query node {node!r}")


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
