"""The selection-string parser: hand-written, typed, and precise about where an error is.

    query   := or
    or      := and ("or" and)*
    and     := unary (["and"] unary)*            -- juxtaposition also means AND
    unary   := "not" unary | "(" query ")" | term
    term    := word [("in" | "notin") "(" value ("," value)* ")"]

A word is a run of characters up to whitespace, parentheses or a comma; quoted parts
("..." or '...', with backslash escapes) may contain any of those and are always literal.
Fields: tag: name: owner: kind: group: job: status: metadata: asset: run.tag: and created
comparisons. The limits of `_limits` (length, depth, terms) are checked while parsing, so a
query beyond them fails before any SQL and without deep recursion.
An unquoted `*` at the start or end of a value is a wildcard. A word without a field searches
names (`orders` means `name:*orders*`).
"""

from __future__ import annotations

from datetime import datetime

from tagbase._errors import QueryError
from tagbase._records import to_millis
from tagbase._run_records import ENDED
from tagbase.query._ast import (
    And,
    AssetIs,
    Compare,
    CreatedCompare,
    Everything,
    HasKey,
    MadeByRun,
    Match,
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
from tagbase.query._limits import (
    MAX_QUERY_DEPTH,
    MAX_QUERY_TERMS,
    check_text,
    depth_error,
    terms_error,
)
from tagbase.query._metadata_terms import metadata_term
from tagbase.query._tokens import OPERATORS, Char, Token, find_operator, tokenize

FIELDS = (
    "tag",
    "name",
    "owner",
    "kind",
    "group",
    "job",
    "status",
    "metadata",
    "asset",
    "run.tag",
)
STATUSES = ("queued", "started", *sorted(ENDED))  # what a run's status can be
TIME_FIELDS = ("created",)


def parse(query: str) -> Node:
    """The syntax tree of a selection string; an empty string selects everything."""
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        check_text(query)
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0
        self.depth = 0  # parentheses and 'not's open around the current position
        self.terms = 0

    def count_terms(self, count: int, position: int) -> None:
        self.terms += count
        if self.terms > MAX_QUERY_TERMS:
            raise terms_error(self.query, position)

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
        operands = _flat(Or, self.parse_and())
        while (token := self.peek()) is not None and token.keyword == "or":
            self.take()
            operands.extend(_flat(Or, self.parse_and()))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = _flat(And, self.parse_unary())
        while (token := self.peek()) is not None and token.kind != ")" and token.keyword != "or":
            if token.keyword == "and":
                self.take()
            operands.extend(_flat(And, self.parse_unary()))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise depth_error(self.query, token.position)

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.error(
                "the query ends where a condition should follow",
                len(self.query),
                "add a condition such as tag:env=prod, or remove the trailing operator",
            )
        if token.keyword == "not":
            self.nest(self.take())
            operand = self.parse_unary()
            self.depth -= 1
            return operand.operand if isinstance(operand, Not) else Not(operand)
        if token.kind == "(":
            self.nest(self.take())
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.error("this parenthesis is never closed", token.position, "add ')'")
            self.take()
            self.depth -= 1
            return node
        if token.kind != "word" or token.keyword is not None:
            raise self.error(f"unexpected {token.text!r}", token.position, _hint_for(token))
        return self.parse_term(self.take())

    def parse_term(self, token: Token) -> Node:
        self.count_terms(1, token.position)
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
        if field == "run.tag":
            return MadeByRun(self._tag(token, body))
        if field == "metadata":
            return metadata_term(self, token, body)
        if field == "status":
            return self._status(body)
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
            match, pattern = self.pattern(body)
            return NameMatch(match, pattern)
        text = self.literal(body)
        if field == "owner":
            return OwnerIs(text)
        if field == "kind":
            return TagIs(f"tagbase/kind/{text}", "")
        if field == "group":
            return TagIs("tagbase/group", text)
        if field == "job":
            return ScopeIs(text)
        return AssetIs(text)

    def _status(self, body: tuple[Char, ...]) -> Node:
        text = self.literal(body)
        if text not in STATUSES and not any(char.quoted for char in body):
            raise self.error(
                f"{text!r} is not a run status",
                body[0].position,
                f"use one of {', '.join(STATUSES)}; quote the value to match a status another "
                f'kind was given, e.g. status:"{text}"',
            )
        return StatusIn((text,))

    def _tag(self, token: Token, body: tuple[Char, ...]) -> Node:
        split = find_operator(body, ("!=", "="))
        if split is None:
            key = self.literal(body)
            if not key:
                raise self.error("tag: needs a key", token.position + 4, "e.g. tag:env=prod")
            return self._maybe_list(key) or HasKey(key)
        at, operator = split
        key = self.literal(body[:at])
        if not key:
            raise self.error(
                "tag: needs a key before the operator", body[at].position, "e.g. tag:env=prod"
            )
        value = body[at + len(operator) :]
        self.refuse_doubled(operator, value, f"tag:{key}{operator}")
        match, pattern = self.pattern(value)
        condition: Node = (
            TagIs(key, pattern) if match is Match.EQUALS else TagMatch(key, match, pattern)
        )
        return Not(condition) if operator == "!=" else condition

    def refuse_doubled(self, operator: str, value: tuple[Char, ...], example: str) -> None:
        """`tag:env==demo` would look for the value '=demo'; say what to write instead."""
        if value and value[0].text == "=" and not value[0].quoted:
            rest = "".join(char.text for char in value[1:])
            raise self.error(
                f"'{operator}=' is not an operator",
                value[0].position - len(operator),
                f"write {example}{rest}; to match a value that starts with '=', quote it: "
                f'{example}"={rest}"',
            )

    def _maybe_list(self, key: str) -> Node | None:
        token = self.peek()
        if token is None or token.keyword not in ("in", "notin"):
            return None
        self.take()
        values = self._value_list(token)
        node = TagValueIn(key, values)
        return Not(node) if token.keyword == "notin" else node

    def _value_list(self, after: Token) -> tuple[str, ...]:
        return tuple(self.literal(chars) for chars in self.value_list(after))

    def value_list(self, after: Token) -> list[tuple[Char, ...]]:
        """The values of `in (a, b)` after the `in` token, each as its characters."""
        opening = self.peek()
        if opening is None or opening.kind != "(":
            raise self.error(
                f"'{after.text}' needs a list", after.position + len(after.text), "write (a, b)"
            )
        self.take()
        values: list[tuple[Char, ...]] = []
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
            value = self.take()
            if values:  # the term itself was counted already
                self.count_terms(1, value.position)
            values.append(value.chars)
            separator = self.peek()
            if separator is not None and separator.kind == ",":
                self.take()
                continue
            if separator is not None and separator.kind == ")":
                self.take()
                return values
            position = separator.position if separator else len(self.query)
            raise self.error(
                "expected ',' or ')' in the list",
                position,
                'separate values with commas, and quote a value with spaces: ("a b", c)',
            )

    def _created(self, token: Token, rest: tuple[Char, ...]) -> Node:
        split = find_operator(rest, OPERATORS)
        if split is None or split[0] != 0:
            raise self.error(
                "created needs a comparison", token.position, "e.g. created>2026-01-01"
            )
        operator = split[1]
        text = self.literal(rest[len(operator) :])
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(
                f"{text!r} is not a date or time",
                rest[0].position + len(operator),
                "use ISO 8601: 2026-01-31 or 2026-01-31T12:00",
            ) from None
        return CreatedCompare(Compare(operator), to_millis(moment))

    def pattern(self, chars: tuple[Char, ...]) -> tuple[Match, str]:
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

    def literal(self, chars: tuple[Char, ...]) -> str:
        return "".join(char.text for char in chars)


def _split_field(token: Token) -> tuple[str | None, tuple[Char, ...]]:
    """The field name (bare letters before ':' or a comparison) and what follows it."""
    chars = token.chars
    index = 0
    while index < len(chars) and not chars[index].quoted and chars[index].text.isalpha():
        index += 1
    if "".join(c.text for c in chars[:index]).lower() == "run" and _spells(chars, index, ".tag"):
        index += 4
    if index == 0 or index == len(chars) or chars[index].quoted:
        return None, chars
    if chars[index].text == ":" or chars[index].text in "<>=!":
        return "".join(c.text for c in chars[:index]).lower(), chars[index:]
    return None, chars


def _spells(chars: tuple[Char, ...], start: int, text: str) -> bool:
    window = chars[start : start + len(text)]
    return "".join(c.text for c in window).lower() == text and not any(c.quoted for c in window)


def _flat(kind: type[And] | type[Or], node: Node) -> list[Node]:
    """The operands of `node` if it is the same kind of and/or, so lists stay flat."""
    return list(node.operands) if isinstance(node, kind) else [node]


def _hint_for(token: Token) -> str:
    if token.kind == ")":
        return "remove it, or add the '(' it closes"
    if token.kind == ",":
        return "commas separate values inside in (...); quote a value that contains one"
    if token.keyword in ("in", "notin"):
        return "in/notin follow a tag or metadata key: tag:team in (ml, data)"
    return "put a condition between 'and', 'or' and 'not'"
