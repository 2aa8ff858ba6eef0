"""Looked-up text checked against the text rule before it reaches the database.

Writes are validated before they are built; a lookup (a name, a scope, a tag key, a filter
value) can carry any text. PostgreSQL refuses NUL with a raw driver error and SQLite just finds
nothing, so both are told the same thing: an `InvalidInputError` naming the value and the rule
(`tagbase._limits.text_problem`), before the statement runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from tagbase._errors import InvalidInputError
from tagbase._limits import text_problem


def guard_lookups(engine: sa.Engine) -> None:
    """Check the text parameters of every statement the engine runs (`check_lookup`)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(
        _connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        check_lookup(statement, parameters, many)


def check_lookup(statement: str, parameters: Any, many: bool = False) -> None:
    """Refuse text that breaks the text rule in a single SELECT's parameters (bulk statements
    are writes of validated rows, and would pay for a scan of every value)."""
    if many or statement.lstrip()[:4].upper() not in ("SELE", "WITH"):
        return
    values = parameters.values() if isinstance(parameters, Mapping) else parameters or ()
    for value in _texts(values):
        broken = text_problem(value)
        if broken is not None:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise InvalidInputError(f"the text {shown!r}: {broken}. Fix: remove it")


def _texts(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list | tuple):  # a bound list of names or keys
            yield from (item for item in value if isinstance(item, str))
