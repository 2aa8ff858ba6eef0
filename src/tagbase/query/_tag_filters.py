"""Front-ends for the seeds' Client filters: operator strings, key/value dicts, names."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from tagbase._errors import QueryError
from tagbase._tags import Tag, split_tag_string
from tagbase.query._ast import (
    HasKey,
    Match,
    NameMatch,
    Node,
    Not,
    Or,
    TagIs,
    TagMatch,
    TagValueIn,
    all_of,
)

OPERATORS = ("equals", "notequals", "contains", "startswith", "endswith", "oneof", "notoneof")


def from_operator_strings(filters: Iterable[str | Tag]) -> Node:
    """`["production", "contains:exp", "notequals:old"]`: AND of items, each on a tag's string
    form (`key` for a label, `key=value` otherwise). An unknown `word:` prefix is part of the
    tag, so `data:raw` means the tag `data:raw`."""
    return all_of([_operator_item(item) for item in filters])


def _operator_item(item: str | Tag) -> Node:
    if isinstance(item, Tag):
        return TagIs(item.key, item.value)
    operator, sep, operand = item.partition(":")
    if not sep or operator not in OPERATORS:
        return _equals(item)
    if operator in ("oneof", "notoneof"):
        choices = Or(tuple(_equals(choice) for choice in _choices(item, operand)))
        return Not(choices) if operator == "notoneof" else choices
    if operator == "equals":
        return _equals(operand)
    if operator == "notequals":
        return Not(_equals(operand))
    return TagMatch(None, Match(operator), operand)


def _equals(text: str) -> Node:
    key, value = split_tag_string(text)
    return TagIs(key, value)


def _choices(item: str, operand: str) -> list[str]:
    if operand.startswith("["):
        try:
            parsed = json.loads(operand)
        except json.JSONDecodeError as error:
            raise QueryError(
                "the list after 'oneof:' is not valid JSON",
                query=item,
                position=item.index(":") + 1 + error.pos,
                hint='write oneof:["a","b"] or oneof:a,b',
            ) from None
        if isinstance(parsed, list) and all(isinstance(choice, str) for choice in parsed):
            return parsed
        raise QueryError(
            "the list after 'oneof:' must hold strings",
            query=item,
            position=item.index(":") + 1,
            hint='write oneof:["a","b"]',
        )
    return [choice.strip() for choice in operand.split(",") if choice.strip()]


def from_tag_dict(filters: Mapping[str, str | Iterable[str] | None]) -> Node:
    """`{"team": "ml", "env": ["prod", "staging"]}`: AND across keys, OR within a key.
    A value of None means "has the key"; "" means the label."""
    nodes: list[Node] = []
    for key, wanted in filters.items():
        if wanted is None:
            nodes.append(HasKey(key))
        elif isinstance(wanted, str):
            nodes.append(TagIs(key, wanted))
        else:
            nodes.append(TagValueIn(key, tuple(wanted)))
    return all_of(nodes)


def from_name_filter(text: str) -> Node:
    """`"orders"` is the exact name; `"startswith:ord"`, `"contains:der"`... match a part."""
    how, sep, pattern = text.partition(":")
    if sep and how in {match.value for match in Match}:
        return NameMatch(Match(how), pattern)
    return NameMatch(Match.EQUALS, text)
