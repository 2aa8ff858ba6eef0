"""The in-memory evaluator: the reference semantics the SQL compiler is tested against."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tagbase._tags import tag_string
from tagbase.query._ast import (
    And,
    Everything,
    HasKey,
    NameMatch,
    Node,
    Not,
    Or,
    OwnerIs,
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
        case Not(operand):
            return not matches(operand, entity)
        case And(operands):
            return all(matches(operand, entity) for operand in operands)
        case Or(operands):
            return any(matches(operand, entity) for operand in operands)
    raise TypeError(f"unknown query node {node!r}")
