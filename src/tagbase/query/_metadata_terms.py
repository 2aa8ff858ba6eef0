"""`metadata:` terms: has-key, comparisons of numbers and times, booleans, text patterns and
`in` lists.

    metadata:KEY                      has a value for KEY (any type)
    metadata:KEY>1000                 a number compared (ints and floats, as 64-bit floats)
    metadata:KEY>2026-01-01           a timestamp compared (ISO 8601, UTC when no zone)
    metadata:KEY=true                 the boolean true (or the text "true")
    metadata:KEY=s3://*               text matched, with * at either end
    metadata:KEY in (a, 2, true)      metadata:KEY=a or metadata:KEY=2 or metadata:KEY=true

A standard key may be named without its `tagbase/` prefix: `metadata:row_count>1000` tests
`row_count` and `tagbase/row_count`. An unquoted value is read as a number, then true/false,
then a time; a quoted one is always text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from tagbase._errors import QueryError
from tagbase.metadata import StandardMetadataKeys
from tagbase.query._ast import (
    Compare,
    Match,
    MetadataCompare,
    MetadataHasKey,
    MetadataIs,
    MetadataMatch,
    MetadataTimeCompare,
    Node,
    Not,
    Or,
)
from tagbase.query._tokens import OPERATORS, Char, Token, find_operator

_PREFIX = "tagbase/"
STANDARD_KEYS = frozenset(
    value for name, value in vars(StandardMetadataKeys).items() if name.isupper()
)
_FLAGS = {"true": True, "false": False}


class TermParser(Protocol):
    """What a term needs of the parser reading it (`_parser._Parser`, which calls terms)."""

    def error(self, message: str, position: int, hint: str) -> QueryError: ...
    def peek(self) -> Token | None: ...
    def take(self) -> Token: ...
    def literal(self, chars: tuple[Char, ...]) -> str: ...
    def pattern(self, chars: tuple[Char, ...]) -> tuple[Match, str]: ...
    def value_list(self, after: Token) -> list[tuple[Char, ...]]: ...
    def refuse_doubled(self, operator: str, value: tuple[Char, ...], example: str) -> None: ...


def metadata_term(parser: TermParser, token: Token, body: tuple[Char, ...]) -> Node:
    split = find_operator(body, OPERATORS)
    if split is None:
        key = parser.literal(body)
        listed = parser.peek()
        if listed is not None and listed.keyword in ("in", "notin"):
            parser.take()
            values = parser.value_list(listed)
            node = _any_key(key, lambda k: _any(_equal(parser, k, v) for v in values))
            return Not(node) if listed.keyword == "notin" else node
        return _any_key(key, MetadataHasKey)
    at, operator = split
    key = parser.literal(body[:at])
    value = body[at + len(operator) :]
    if not key:
        raise parser.error(
            "metadata: needs a key before the operator",
            body[at].position,
            "e.g. metadata:tagbase/row_count>1000",
        )
    parser.refuse_doubled(operator, value, f"metadata:{key}{operator}")
    compare = Compare(operator)
    if compare in (Compare.EQ, Compare.NE):
        node = _any_key(key, lambda k: _equal(parser, k, value))
        return Not(node) if compare is Compare.NE else node
    ordered = _ordered(parser, compare, value, body[at].position + len(operator))
    return _any_key(key, ordered)


def _any_key(key: str, build: Callable[[str], Node]) -> Node:
    """`build` for the key, and for its standard form when it names one without the prefix."""
    if "/" not in key and _PREFIX + key in STANDARD_KEYS:
        return Or((build(key), build(_PREFIX + key)))
    return build(key)


def _any(nodes: Iterable[Node]) -> Node:
    found = tuple(nodes)
    return found[0] if len(found) == 1 else Or(found)


def _equal(parser: TermParser, key: str, value: tuple[Char, ...]) -> Node:
    """KEY=value: every reading of an unquoted value, or the text when it is quoted."""
    number = _number(value)
    if number is not None:
        return MetadataCompare(key, Compare.EQ, number)
    match, pattern = parser.pattern(value)
    text = MetadataMatch(key, match, pattern)
    if match is not Match.EQUALS or any(char.quoted for char in value):
        return text
    flag = _FLAGS.get(pattern)
    if flag is not None:
        return Or((MetadataIs(key, flag), text))
    seconds = _seconds(pattern)
    if seconds is not None:
        return Or((MetadataTimeCompare(key, Compare.EQ, seconds), text))
    return text


def _ordered(
    parser: TermParser, compare: Compare, value: tuple[Char, ...], position: int
) -> Callable[[str], Node]:
    """KEY>value and the like: a number or a time, nothing else is ordered."""
    number = _number(value)
    if number is not None:
        return lambda key: MetadataCompare(key, compare, number)
    text = parser.literal(value)
    seconds = None if any(char.quoted for char in value) else _seconds(text)
    if seconds is not None:
        return lambda key: MetadataTimeCompare(key, compare, seconds)
    if not any(char.quoted for char in value) and _non_finite(text):
        raise parser.error(
            f"{text!r} is not a number a metadata value can hold",
            position,
            "metadata numbers are finite; compare with a finite bound such as 1e300",
        )
    raise parser.error(
        f"{compare.value} compares numbers and times, and {text!r} is neither",
        position,
        "give a number or an ISO 8601 time, e.g. metadata:tagbase/row_count>1000 or "
        "metadata:trained_at>2026-01-01",
    )


def _number(chars: tuple[Char, ...]) -> float | None:
    if not chars or any(char.quoted for char in chars):
        return None
    try:
        number = float("".join(char.text for char in chars))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _non_finite(text: str) -> bool:
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def _seconds(text: str) -> float | None:
    """An ISO 8601 date or time as seconds since the epoch (UTC when it names no zone)."""
    if not text[:4].isdigit():  # fromisoformat also reads week dates and bare times
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
