"""The documented limits of a query, checked before any SQL is built.

Text queries are checked as they are parsed (length and characters first, then depth and terms,
each error pointing at its column); syntax trees built in Python are checked by `check_tree`,
without recursion, so a tree of any shape gets an `InvalidInputError` rather than a
`RecursionError`. Below the limits every query runs on both databases.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Final

from tagbase._errors import InvalidInputError, QueryError
from tagbase.query._ast import And, MadeByRun, Node, Not, Or

MAX_QUERY_LENGTH: Final = 100_000
"""Characters in a query's text."""
MAX_QUERY_DEPTH: Final = 32
"""Nesting of parentheses and `not`s (each counts one level)."""
MAX_QUERY_TERMS: Final = 1_000
"""Conditions in a query; each value of an `in (...)` list counts as one."""
# A parsed condition may stand for up to four leaves (`metadata:row_count=true` tests two keys,
# each as a boolean and as text) and a parenthesis for an and inside an or: the bounds of a tree.
_TREE_DEPTH: Final = 2 * MAX_QUERY_DEPTH + 8
_TREE_LEAVES: Final = 4 * MAX_QUERY_TERMS


def check_text(query: str) -> None:
    """Refuse text too long to parse, or holding a character no database stores."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(query):,} characters long, over the limit of "
            f"{MAX_QUERY_LENGTH:,} (MAX_QUERY_LENGTH)",
            query=query[:80] + "...",
            position=80,
            hint="select with fewer conditions, e.g. one tag shared by the entities you want",
        )
    for position, char in enumerate(query):
        if char == "\x00" or "\ud800" <= char <= "\udfff":
            what = "a NUL character" if char == "\x00" else f"a lone surrogate {char!r}"
            raise QueryError(
                f"{what} cannot be part of a query",
                query=query.replace("\x00", "\\0").encode(errors="replace").decode(),
                position=position,
                hint="remove it; names, tags and metadata never hold it",
            )


def depth_error(query: str, position: int) -> QueryError:
    return QueryError(
        f"the query nests deeper than {MAX_QUERY_DEPTH} levels of parentheses and 'not' "
        "(MAX_QUERY_DEPTH)",
        query=query,
        position=position,
        hint="remove needless parentheses; 'not not x' is x",
    )


def terms_error(query: str, position: int) -> QueryError:
    return QueryError(
        f"the query has more than {MAX_QUERY_TERMS:,} conditions (MAX_QUERY_TERMS); "
        "each value of an in (...) list counts as one",
        query=query,
        position=position,
        hint="select with fewer conditions, e.g. tag a group of entities and query that tag",
    )


def check_tree(node: Node) -> None:
    """Refuse a syntax tree beyond the limits or holding text no database stores."""
    pending: list[tuple[Node, int]] = [(node, 0)]
    terms = 0
    while pending:
        current, depth = pending.pop()
        if depth > _TREE_DEPTH:
            raise InvalidInputError(
                f"the query tree nests deeper than {_TREE_DEPTH} levels (2 x MAX_QUERY_DEPTH "
                "+ 8); Fix: flatten nested and/or and drop double negations"
            )
        if isinstance(current, Not):
            pending.append((current.operand, depth + 1))
        elif isinstance(current, MadeByRun):
            pending.append((current.condition, depth + 1))
        elif isinstance(current, And | Or):
            pending.extend((operand, depth + 1) for operand in current.operands)
        else:
            terms += _weight(current)
            if terms > _TREE_LEAVES:
                raise InvalidInputError(
                    f"the query tree has more than {_TREE_LEAVES:,} conditions "
                    "(4 x MAX_QUERY_TERMS); Fix: select with fewer conditions, e.g. by one tag"
                )


def _weight(leaf: Node) -> int:
    """How many conditions a leaf stands for; refuses text no database stores."""
    weight = 1
    for field in fields(leaf):
        value = getattr(leaf, field.name)
        texts = value if isinstance(value, tuple) else (value,)
        for text in texts:
            if isinstance(text, str) and _unstorable(text):
                raise InvalidInputError(
                    f"the query value {text!r} holds a NUL character or a lone surrogate; "
                    "Fix: remove it, names, tags and metadata never hold one"
                )
        if isinstance(value, tuple):
            weight = max(weight, len(value))
    return weight


def _unstorable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)
