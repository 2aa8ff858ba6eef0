"""The in-memory evaluator: the reference semantics the SQL compiler is tested against."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from tagbase._tags import tag_string
from tagbase.query._ast import (
    And,
    CreatedCompare,
    Everything,
    HasKey,
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


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the evaluator needs to know of an entity."""

    name: str
    tags: Collection[tuple[str, str]]
    owners: Collection[str] = ()
    status: str | None = None
    scope_name: str | None = None
    created_ms: int = 0
    numbers: Mapping[str, float | None] = field(default_factory=dict)
    texts: Mapping[str, str | None] = field(default_factory=dict)


def matches(node: Node, entity: Candidate) -> bool:
    match node:
        case Everything():
            return True
        case TagIs(key, value):
            return (key, value) in entity.tags
        case HasKey(key):
            return any(tag_key == key for tag_key, _ in entity.tags)
        case TagValueIn(key, values):
            return any(k == key and v in values for k, v in entity.tags)
        case TagMatch(key, match, pattern):
            texts = (
                [tag_string(k, v) for k, v in entity.tags]
                if key is None
                else [v for k, v in entity.tags if k == key]
            )
            return any(match.test(text, pattern) for text in texts)
        case NameMatch(match, pattern):
            return match.test(entity.name, pattern)
        case OwnerIs(owner):
            return owner in entity.owners
        case StatusIn(values):
            return entity.status in values
        case ScopeIs(name):
            return entity.scope_name == name
        case CreatedCompare(op, millis):
            return op.test(entity.created_ms, millis)
        case MetadataCompare(key, op, number):
            found = entity.numbers.get(key)
            return found is not None and op.test(found, number)
        case MetadataMatch(key, match, pattern):
            text = entity.texts.get(key)
            return text is not None and match.test(text, pattern)
        case Not(operand):
            return not matches(operand, entity)
        case And(operands):
            return all(matches(operand, entity) for operand in operands)
        case Or(operands):
            return any(matches(operand, entity) for operand in operands)
    raise TypeError(f"unknown query node {node!r}")
