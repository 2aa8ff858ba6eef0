"""Stored text cannot drive the terminal: the CLI prints control characters (ESC, CR,
backspace, bell...) and bidirectional overrides of names, values and messages escaped, as
`\\x1b`, `\\u202e`. Newlines and tabs stay: they only lay text out.

Plain output (`click.echo`) goes through `SafeStream` while a command runs; Rich output through
`SafeConsole`, which escapes the text of every segment but its own styling codes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.segment import Segment

# C0 and C1 controls but \t and \n, DEL, and the marks that reorder or hide text
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every character that could move the cursor, restyle or rewrite the
    terminal, or reorder what it shows, written as an escape."""
    return _UNSAFE.sub(_escaped, text)


class SafeStream:
    """A text stream that writes what it is given with unsafe characters escaped."""

    def __init__(self, wrapped: IO[str]) -> None:
        self.wrapped = wrapped

    def write(self, text: str) -> int:
        return self.wrapped.write(printable(text))

    def isatty(self) -> bool:
        return False  # whoever styles output for a terminal: its codes would come out escaped

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, buffer...
        return getattr(self.wrapped, name)


def unwrapped(stream: IO[str]) -> IO[str]:
    """The stream beneath a `SafeStream`: Rich writes its own styling codes there."""
    return stream.wrapped if isinstance(stream, SafeStream) else stream


def json_text(text: str) -> str:
    """JSON text with the unsafe characters JSON lets through raw (C1 controls, bidi marks)
    written as JSON escapes, so that it stays valid JSON."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@contextmanager
def safe_output() -> Iterator[None]:
    """While a command runs, what it prints to stdout and stderr is escaped."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = SafeStream(stdout)
    sys.stderr = SafeStream(stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr


class SafeConsole(Console):
    """A Rich console that escapes the text it renders, and keeps its own control codes."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style)
            for segment in buffer
        )
