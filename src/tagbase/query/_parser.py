"""The selection-string parser: hand-written, typed, and precise about where an error is.

    query   := or
    or      := and ("or" and)*
    and     := unary (["and"] unary)*            -- juxtaposition also means AND
    unary   := "not" unary | "(" query ")" | term
    term    := word [("in" | "notin") "(" value ("," value)* ")"]

A word is a run of characters up to whitespace, parentheses or a comma; quoted parts
("..." or '...', with backslash escapes) may contain any of those and are always literal.
Fields: tag: name: owner: kind: group: job: status: metadata: and created/updated comparisons.
An unquoted `*` at the start or end of a value is a wildcard. A word without a field searches
names (`orders` means `name:*orders*`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tagbase._errors import QueryError
from tagbase._records import to_millis
from tagbase.query._ast import (
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

FIELDS = ("tag", "name", "owner", "kind", "group", "job", "status", "metadata")
TIME_FIELDS = ("created",)
KEYWORDS = ("and", "or", "not", "in", "notin")
_OPERATORS = (">=", "<=", "!=", "=", ">", "<")
_PUNCTUATION = "(),"


@dataclass(frozen=True, slots=True)
class Char:
    """One character of a word: quoted characters are always literal."""

    text: str
    quoted: bool
    position: int


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word", "(", ")", ","
    chars: tuple[Char, ...]
    position: int

    @property
    def text(self) -> str:
        return "".join(char.text for char in self.chars)

    @property
    def keyword(self) -> str | None:
        text = self.text.lower()
        if self.kind == "word" and text in KEYWORDS and not any(c.quoted for c in self.chars):
            return text
        return None


def parse(query: str) -> Node:
    """The syntax tree of a selection string; an empty string selects everything."""
    return _Parser(query).parse()


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in _PUNCTUATION:
            tokens.append(Token(char, (Char(char, False, index),), index))
            index += 1
        else:
            start = index
            chars: list[Char] = []
            while index < len(query) and not (
                query[index].isspace() or query[index] in _PUNCTUATION
            ):
                if query[index] in "\"'":
                    index = _read_quoted(query, index, chars)
                else:
                    chars.append(Char(query[index], False, index))
                    index += 1
            tokens.append(Token("word", tuple(chars), start))
    return tokens


def _ends_word(char: str) -> bool:
    return char.isspace() or char in _PUNCTUATION


def _read_quoted(query: str, start: int, chars: list[Char]) -> int:
    quote = query[start]
    index = start + 1
    while index < len(query):
        char = query[index]
        if char == "\\" and index + 1 < len(query):
            chars.append(Char(query[index + 1], True, index + 1))
            index += 2
        elif char == quote:
            return index + 1
        else:
            chars.append(Char(char, True, index))
            index += 1
    raise QueryError(
        "this quote is never closed", query=query, position=start, hint=f"add a closing {quote}"
    )


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0

    def error(self, message: str, position: int, hint: str) -> QueryError:
        return QueryError(message, query=self.query, position=position, hint=hint)

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return Everything()
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise self.error(f"unexpected {extra.text!r}", extra.position, _hint_for(extra))
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while (token := self.peek()) is not None and token.keyword == "or":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind != ")" and token.keyword != "or":
            if token.keyword == "and":
                self.take()
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.error(
                "the query ends where a condition should follow",
                len(self.query),
                "add a condition such as tag:env=prod, or remove the trailing operator",
            )
        if token.keyword == "not":
            self.take()
            return Not(self.parse_unary())
        if token.kind == "(":
            self.take()
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.error("this parenthesis is never closed", token.position, "add ')'")
            self.take()
            return node
        if token.kind != "word" or token.keyword is not None:
            raise self.error(f"unexpected {token.text!r}", token.position, _hint_for(token))
        return self.parse_term(self.take())

    def parse_term(self, token: Token) -> Node:
        field, rest = _split_field(token)
        if field is None:
            return self._bare_word(token)
        if field in TIME_FIELDS:
            return self._created(token, rest)
        if field not in FIELDS:
            raise self.error(
                f"unknown field {field!r}",
                token.position,
                f"use one of {', '.join(f + ':' for f in FIELDS)} or created>DATE; "
                "quote a value that contains ':'",
            )
        if not rest[1:] and field != "tag":
            raise self.error(
                f"{field}: needs a value",
                token.position + len(field) + 1,
                f'e.g. {field}:something; quote a value with spaces: {field}:"a b"',
            )
        body = rest[1:]
        if field == "tag":
            return self._tag(token, body)
        if field == "metadata":
            return self._metadata(token, body)
        return self._simple(field, body)

    def _bare_word(self, token: Token) -> Node:
        if any(c.text in "=<>:" and not c.quoted for c in token.chars):
            raise self.error(
                f"{token.text!r} names no field",
                token.position,
                "write field:value, e.g. tag:env=prod or name:orders*",
            )
        return NameMatch(Match.CONTAINS, token.text)

    def _simple(self, field: str, body: tuple[Char, ...]) -> Node:
        if field == "name":
            match, pattern = self._pattern(body)
            return NameMatch(match, pattern)
        text = self._literal(body)
        if field == "owner":
            return OwnerIs(text)
        if field == "kind":
            return TagIs(f"tagbase/kind/{text}", "")
        if field == "group":
            return TagIs("tagbase/group", text)
        if field == "job":
            return ScopeIs(text)
        return StatusIn((text,))

    def _tag(self, token: Token, body: tuple[Char, ...]) -> Node:
        split = _find_operator(body, ("!=", "="))
        if split is None:
            key = self._literal(body)
            if not key:
                raise self.error("tag: needs a key", token.position + 4, "e.g. tag:env=prod")
            return self._maybe_list(key) or HasKey(key)
        at, operator = split
        key = self._literal(body[:at])
        if not key:
            raise self.error(
                "tag: needs a key before the operator", body[at].position, "e.g. tag:env=prod"
            )
        value = body[at + len(operator) :]
        match, pattern = self._pattern(value)
        condition: Node = (
            TagIs(key, pattern) if match is Match.EQUALS else TagMatch(key, match, pattern)
        )
        return Not(condition) if operator == "!=" else condition

    def _maybe_list(self, key: str) -> Node | None:
        token = self.peek()
        if token is None or token.keyword not in ("in", "notin"):
            return None
        self.take()
        values = self._value_list(token)
        node = TagValueIn(key, values)
        return Not(node) if token.keyword == "notin" else node

    def _value_list(self, after: Token) -> tuple[str, ...]:
        opening = self.peek()
        if opening is None or opening.kind != "(":
            raise self.error(
                f"'{after.text}' needs a list", after.position + len(after.text), "write (a, b)"
            )
        self.take()
        values: list[str] = []
        while True:
            token = self.peek()
            if token is None:
                raise self.error("this list is never closed", opening.position, "add ')'")
            if token.kind != "word":
                raise self.error(
                    f"expected a value, found {token.text!r}",
                    token.position,
                    'list values separated by commas: (a, b); quote odd ones: ("a b", c)',
                )
            values.append(self._literal(self.take().chars))
            separator = self.peek()
            if separator is not None and separator.kind == ",":
                self.take()
                continue
            if separator is not None and separator.kind == ")":
                self.take()
                return tuple(values)
            position = separator.position if separator else len(self.query)
            raise self.error(
                "expected ',' or ')' in the list",
                position,
                'separate values with commas, and quote a value with spaces: ("a b", c)',
            )

    def _metadata(self, token: Token, body: tuple[Char, ...]) -> Node:
        split = _find_operator(body, _OPERATORS)
        if split is None:
            raise self.error(
                "metadata: needs a comparison",
                token.position,
                "e.g. metadata:row_count>1000 or metadata:tagbase/uri=s3://*",
            )
        at, operator = split
        key = self._literal(body[:at])
        value = body[at + len(operator) :]
        if not key:
            raise self.error(
                "metadata: needs a key before the operator",
                body[at].position,
                "e.g. metadata:row_count>1000",
            )
        number = _number(value)
        compare = Compare(operator)
        if number is not None:
            return MetadataCompare(key, compare, number)
        if compare not in (Compare.EQ, Compare.NE):
            position = value[0].position if value else body[at].position + len(operator)
            raise self.error(
                f"{operator} compares numbers, and this value is not one",
                position,
                "give a number, e.g. metadata:row_count>1000",
            )
        match, pattern = self._pattern(value)
        node = MetadataMatch(key, match, pattern)
        return Not(node) if compare is Compare.NE else node

    def _created(self, token: Token, rest: tuple[Char, ...]) -> Node:
        split = _find_operator(rest, _OPERATORS)
        if split is None or split[0] != 0:
            raise self.error(
                "created needs a comparison", token.position, "e.g. created>2026-01-01"
            )
        operator = split[1]
        text = self._literal(rest[len(operator) :])
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(
                f"{text!r} is not a date or time",
                rest[0].position + len(operator),
                "use ISO 8601: 2026-01-31 or 2026-01-31T12:00",
            ) from None
        return CreatedCompare(Compare(operator), to_millis(moment))

    def _pattern(self, chars: tuple[Char, ...]) -> tuple[Match, str]:
        """A value with optional leading/trailing unquoted `*` wildcards."""
        leading = bool(chars) and chars[0].text == "*" and not chars[0].quoted
        trailing = len(chars) > int(leading) and chars[-1].text == "*" and not chars[-1].quoted
        inner = chars[int(leading) : len(chars) - int(trailing)]
        for char in inner:
            if char.text == "*" and not char.quoted:
                raise self.error(
                    "a * wildcard goes only at the start or the end of a value",
                    char.position,
                    'quote the value to match a literal *, e.g. name:"a*b"',
                )
        text = "".join(char.text for char in inner)
        if leading and trailing:
            return Match.CONTAINS, text
        if leading:
            return Match.ENDSWITH, text
        if trailing:
            return Match.STARTSWITH, text
        return Match.EQUALS, text

    def _literal(self, chars: tuple[Char, ...]) -> str:
        return "".join(char.text for char in chars)


def _split_field(token: Token) -> tuple[str | None, tuple[Char, ...]]:
    """The field name (bare letters before ':' or a comparison) and what follows it."""
    chars = token.chars
    index = 0
    while index < len(chars) and not chars[index].quoted and chars[index].text.isalpha():
        index += 1
    if index == 0 or index == len(chars) or chars[index].quoted:
        return None, chars
    if chars[index].text == ":" or chars[index].text in "<>=!":
        return "".join(c.text for c in chars[:index]).lower(), chars[index:]
    return None, chars


def _find_operator(chars: tuple[Char, ...], operators: tuple[str, ...]) -> tuple[int, str] | None:
    """The first unquoted operator, longest first at each position."""
    for index, char in enumerate(chars):
        if char.quoted:
            continue
        for operator in sorted(operators, key=len, reverse=True):
            window = chars[index : index + len(operator)]
            if "".join(c.text for c in window) == operator and not any(c.quoted for c in window):
                return index, operator
    return None


def _number(chars: tuple[Char, ...]) -> float | None:
    if not chars or any(char.quoted for char in chars):
        return None
    try:
        number = float("".join(char.text for char in chars))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _hint_for(token: Token) -> str:
    if token.kind == ")":
        return "remove it, or add the '(' it closes"
    if token.kind == ",":
        return "commas separate values inside in (...); quote a value that contains one"
    if token.keyword in ("in", "notin"):
        return "in/notin follow a tag key: tag:team in (ml, data)"
    return "put a condition between 'and', 'or' and 'not'"
