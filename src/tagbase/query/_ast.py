"""The typed syntax tree every query front-end produces and every back-end consumes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias


class Match(StrEnum):
    """How a pattern is compared with text. Every comparison is case-sensitive."""

    EQUALS = "equals"
    STARTSWITH = "startswith"
    ENDSWITH = "endswith"
    CONTAINS = "contains"

    def test(self, text: str, pattern: str) -> bool:
        if self is Match.EQUALS:
            return text == pattern
        if self is Match.STARTSWITH:
            return text.startswith(pattern)
        if self is Match.ENDSWITH:
            return text.endswith(pattern)
        return pattern in text


@dataclass(frozen=True, slots=True)
class Everything:
    """Matches every entity (the empty query)."""


@dataclass(frozen=True, slots=True)
class TagIs:
    """Has exactly the pair key=value; value "" is the label `key`."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class HasKey:
    """Has any value for `key` (including the label)."""

    key: str


@dataclass(frozen=True, slots=True)
class TagValueIn:
    """Has key=v for one of `values`."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagMatch:
    """Has a tag whose text matches: the value of `key`, or the string form when key is None."""

    key: str | None
    match: Match
    pattern: str


@dataclass(frozen=True, slots=True)
class NameMatch:
    match: Match
    pattern: str


@dataclass(frozen=True, slots=True)
class OwnerIs:
    owner: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


Node: TypeAlias = (
    Everything | TagIs | HasKey | TagValueIn | TagMatch | NameMatch | OwnerIs | Not | And | Or
)


def all_of(nodes: list[Node]) -> Node:
    """AND of nodes, without needless wrapping."""
    kept = [node for node in nodes if not isinstance(node, Everything)]
    if not kept:
        return Everything()
    return kept[0] if len(kept) == 1 else And(tuple(kept))
