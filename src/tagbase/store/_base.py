"""What every part of the store shares: the engine, the actor, and the transaction in progress.

A write runs in one transaction. `atomic()` widens that to a block: every read and write the
store makes inside it, on this thread, joins one transaction that commits at the end or rolls
back whole — so a lifecycle step (a run's start, a step's end with what it made) is never left
half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

import sqlalchemy as sa

from tagbase._config import DEFAULT_TIMEOUTS, Config, Durability, Timeouts
from tagbase._errors import InvalidInputError
from tagbase._tags import TagPolicy
from tagbase.store._engine import check_schema, create_engine, writing
from tagbase.store._loading import Names
from tagbase.store._schema import SOURCES, actor
from tagbase.store._sql import ensure_named, now_ms
from tagbase.store._tagging import Change


class StoreBase:
    """A catalog on SQLite or PostgreSQL: its engine, tag policy and default actor."""

    def __init__(
        self,
        url: str,
        *,
        tag_policy: TagPolicy = TagPolicy.DEFAULT,
        actor: str | None = None,
        durability: Durability = Durability.NORMAL,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, durability, timeouts)
        self.tag_policy = tag_policy
        self.actor = actor
        self._actor_ids: dict[str, int] = {}
        self._names = Names()
        self._open = threading.local()  # .connection: the transaction `atomic()` holds open
        try:
            check_schema(self.engine, url)
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def from_config(cls, config: Config | None = None) -> Self:
        config = config or Config.load()
        return cls(
            config.database_url,
            tag_policy=config.tag_policy,
            actor=config.actor,
            durability=config.durability,
            timeouts=config.timeouts,
        )

    def close(self) -> None:
        self.engine.dispose()

    def after_fork(self) -> None:
        """In a forked child: drop the parent's pooled connections without closing them."""
        self.engine.dispose(close=False)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Everything the store writes (and reads) in the block, on this thread, is one
        transaction: it commits when the block ends, or rolls back whole if it raises."""
        if self._joined() is not None:
            yield
            return
        with self._writing():
            yield

    def _joined(self) -> sa.Connection | None:
        return getattr(self._open, "connection", None)

    @contextmanager
    def _reading(self, *, apart: bool = False) -> Iterator[sa.Connection]:
        """A read transaction: the open one, if any, unless `apart` (its own connection)."""
        joined = None if apart else self._joined()
        if joined is not None:
            yield joined
            return
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        try:
            joined = self._joined()
            if joined is not None:
                # A savepoint keeps each write all-or-nothing inside the block too, so a
                # caller that handles a refused write (an entity that exists) can go on.
                with joined.begin_nested():
                    yield joined
                return
            with writing(self.engine) as connection:
                self._open.connection = connection
                try:
                    yield connection
                finally:
                    self._open.connection = None
        except BaseException:
            # Ids the rolled-back write added (actors, tag pairs) are gone, and may be reused.
            self._actor_ids.clear()
            self._names = Names()
            raise

    def _change(self, connection: sa.Connection, source: str, actor_name: str | None) -> Change:
        if source not in SOURCES:
            raise InvalidInputError(f"source {source!r} is not one of {', '.join(SOURCES)}")
        name = actor_name or self.actor
        return Change(source, self._actor_id(connection, name) if name else None, now_ms())

    def _actor_id(self, connection: sa.Connection, name: str) -> int:
        if name not in self._actor_ids:
            (actor_id,) = ensure_named(connection, actor, "name", [name], ("id",))[name]
            self._actor_ids[name] = int(actor_id)
        return self._actor_ids[name]
