"""The SQL back-end of the query language: a resolved syntax tree becomes a condition on an
entity id column. Tag and metadata tests are primary-key probes correlated with that column;
attribute tests (name, status, scope, time) read the `entity` row, which callers join."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from tagbase.query import (
    And,
    Compare,
    CreatedCompare,
    Everything,
    Match,
    MetadataCompare,
    MetadataHasKey,
    MetadataIs,
    MetadataMatch,
    MetadataTimeCompare,
    NameMatch,
    Not,
    Or,
    OwnerIs,
    ScopeIs,
    StatusIn,
)
from tagbase.query._evaluate import BOOL_STORED
from tagbase.store._schema import (
    entity,
    metadata_entry,
    metadata_key,
    metadata_latest,
    owner,
    tag_assignment,
)
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


ENTITY_NODES: tuple[type, ...] = (NameMatch, StatusIn, ScopeIs, CreatedCompare)
_BALANCED_FROM = 16  # longer and/or lists are nested as a balanced tree: SQLite's parser
# refuses an expression deeper than 1000, and `a or b or ...` is as deep as it is long


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
        case MetadataHasKey(key):
            return _metadata(ident, key, sa.true())
        case MetadataIs(key, flag):
            return _metadata(ident, key, _stored_as(*BOOL_STORED[flag]))
        case MetadataTimeCompare(key, op, seconds):
            compared = compare(metadata_latest.c.number, op, seconds)
            return _metadata(ident, key, compared & _stored_as("timestamp"))
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
            return balanced(sa.and_, [sa.true(), *(condition(part, ident) for part in operands)])
        case Or(operands):
            return balanced(sa.or_, [sa.false(), *_or_parts(operands, ident)])
    compiled = getattr(node, "compile", None)  # the store's own resolved nodes
    if compiled is None:
        raise TypeError(f"unknown query node {node!r}")
    return compiled(ident)  # type: ignore[no-any-return]


def balanced(
    join: Callable[..., sa.ColumnElement[bool]], parts: Sequence[sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    """`join(*parts)`, nested as a balanced tree of parenthesised groups when long."""
    if len(parts) <= _BALANCED_FROM:
        return join(*parts)
    middle = len(parts) // 2
    return join(
        _Parenthesized(balanced(join, parts[:middle])),
        _Parenthesized(balanced(join, parts[middle:])),
    )


class _Parenthesized(ColumnElement[bool]):
    """A condition in parentheses that SQLAlchemy keeps: it merges nested and/or lists, and
    even groupings, back into one flat (and, to SQLite, too deep) list."""

    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [("inner", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, inner: ColumnElement[bool]) -> None:
        self.inner = inner


@compiles(_Parenthesized)
def _render_parenthesized(element: _Parenthesized, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.inner, **kw)})"


def _or_parts(operands: Sequence[Any], ident: Any) -> list[sa.ColumnElement[bool]]:
    """The conditions of an OR, with equalities on one metadata key folded into one IN test
    and the tags of every tag term into one probe."""
    texts: dict[str, list[str]] = {}
    numbers: dict[str, list[float]] = {}
    tag_ids: set[int] = set()
    parts: list[sa.ColumnElement[bool]] = []
    for operand in operands:
        match operand:
            case TagIds(ids):
                tag_ids |= ids
            case MetadataMatch(key, Match.EQUALS, pattern):
                texts.setdefault(key, []).append(pattern)
            case MetadataCompare(key, Compare.EQ, number):
                numbers.setdefault(key, []).append(number)
            case _:
                parts.append(condition(operand, ident))
    if tag_ids:
        parts.append(condition(TagIds(frozenset(tag_ids)), ident))
    parts += [_metadata(ident, k, metadata_latest.c.text.in_(v)) for k, v in texts.items()]
    parts += [_metadata(ident, k, metadata_latest.c.number.in_(v)) for k, v in numbers.items()]
    return parts


def _stored_as(type_name: str, payload: str | None = None) -> sa.ColumnElement[bool]:
    """The latest value (of the enclosing metadata probe) has this type (and payload)."""
    found = sa.select(metadata_entry.c.id).where(
        metadata_entry.c.id == metadata_latest.c.entry_id, metadata_entry.c.type == type_name
    )
    if payload is not None:
        found = found.where(metadata_entry.c.payload == payload)
    return found.exists()


def reads_entity(node: Any) -> bool:
    """Whether `node` tests attributes of the entity row itself."""
    if isinstance(node, ENTITY_NODES) or getattr(node, "reads_entity", False):
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
