"""The typed syntax tree every query front-end produces and every back-end consumes."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias


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


class Compare(StrEnum):
    """A comparison of numbers or times."""

    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="

    @property
    def function(self) -> Callable[[Any, Any], Any]:
        """The comparison as a function: on numbers it answers, on SQL columns it builds."""
        return _COMPARISONS[self]

    def test(self, left: float, right: float) -> bool:
        return bool(self.function(left, right))


_COMPARISONS: dict[Compare, Callable[[Any, Any], Any]] = {
    Compare.EQ: operator.eq,
    Compare.NE: operator.ne,
    Compare.GT: operator.gt,
    Compare.GE: operator.ge,
    Compare.LT: operator.lt,
    Compare.LE: operator.le,
}


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
class StatusIn:
    """The entity's status (of a run: queued, started, success, failed...) is one of these."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScopeIs:
    """The entity's parent is named `name`: the job of a run, the asset of a version..."""

    name: str


@dataclass(frozen=True, slots=True)
class CreatedCompare:
    """The creation time compared with `millis` (ms since the epoch, UTC)."""

    op: Compare
    millis: int


@dataclass(frozen=True, slots=True)
class MetadataCompare:
    """The latest numeric value of metadata `key` compared with a number."""

    key: str
    op: Compare
    number: float


@dataclass(frozen=True, slots=True)
class MetadataMatch:
    """The latest text value of metadata `key` matches a pattern."""

    key: str
    match: Match
    pattern: str


@dataclass(frozen=True, slots=True)
class MetadataHasKey:
    """Has a latest value for metadata `key`, of any type."""

    key: str


@dataclass(frozen=True, slots=True)
class MetadataIs:
    """The latest value of metadata `key` is the boolean `flag`."""

    key: str
    flag: bool


@dataclass(frozen=True, slots=True)
class MetadataTimeCompare:
    """The latest value of metadata `key` is a timestamp, compared with `seconds` (since the
    epoch, UTC)."""

    key: str
    op: Compare
    seconds: float


@dataclass(frozen=True, slots=True)
class AssetIs:
    """Of a run: it materialized (made a version of) asset `name`. Of an asset version: it is a
    version of asset `name`."""

    name: str


@dataclass(frozen=True, slots=True)
class MadeByRun:
    """Of an asset version: the run that made it (its `tagbase/run_id`) matches `condition`."""

    condition: Node


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
    Everything
    | TagIs
    | HasKey
    | TagValueIn
    | TagMatch
    | NameMatch
    | OwnerIs
    | StatusIn
    | ScopeIs
    | CreatedCompare
    | MetadataCompare
    | MetadataMatch
    | MetadataHasKey
    | MetadataIs
    | MetadataTimeCompare
    | AssetIs
    | MadeByRun
    | Not
    | And
    | Or
)


def all_of(nodes: list[Node]) -> Node:
    """AND of nodes, without needless wrapping."""
    kept = [node for node in nodes if not isinstance(node, Everything)]
    if not kept:
        return Everything()
    return kept[0] if len(kept) == 1 else And(tuple(kept))
