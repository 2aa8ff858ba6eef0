"""Who the changes made in this context are recorded under.

A team server knows who sent a request from its token; everything the request changes is
recorded under that user (`acting_as`), whatever actor a caller names and whatever user the
server's own configuration names. Outside such a context, a store records the actor a call
names, or else its configured one. A context variable, so that each request (each thread and
each task) has its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ACTING: ContextVar[str | None] = ContextVar("tagbase_acting_as", default=None)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    token = _ACTING.set(actor)
    try:
        yield
    finally:
        _ACTING.reset(token)


def acting_actor() -> str | None:
    """The authenticated actor of this context, if there is one."""
    return _ACTING.get()
