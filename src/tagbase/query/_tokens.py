"""The tokens of a query: words (made of characters that remember whether they were quoted),
parentheses and commas."""

from __future__ import annotations

from dataclasses import dataclass

from tagbase._errors import QueryError

KEYWORDS = ("and", "or", "not", "in", "notin")
OPERATORS = (">=", "<=", "!=", "=", ">", "<")
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


def find_operator(chars: tuple[Char, ...], operators: tuple[str, ...]) -> tuple[int, str] | None:
    """The first unquoted operator, longest first at each position."""
    for index, char in enumerate(chars):
        if char.quoted:
            continue
        for operator in sorted(operators, key=len, reverse=True):
            window = chars[index : index + len(operator)]
            if "".join(c.text for c in window) == operator and not any(c.quoted for c in window):
                return index, operator
    return None
