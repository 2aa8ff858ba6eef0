"""What every part of the store shares: the engine, the actor, and the transaction in progress.

A write runs in one transaction. `atomic()` widens that to a block: every read and write the
store makes inside it, on this thread, joins one transaction that commits at the end or rolls
back whole — so a lifecycle step (a run's start, a step's end with what it made) is never left
half-written. A block inside a block is a savepoint.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from tagbase._acting import acting_actor
from tagbase._config import DEFAULT_TIMEOUTS, Config, Durability, Timeouts
from tagbase._errors import InvalidInputError, StoreError
from tagbase._identity import AuditEntry
from tagbase._tags import TagPolicy
from tagbase.store import _governance as governance
from tagbase.store import _outbox
from tagbase.store._engine import check_schema, create_engine, writing
from tagbase.store._loading import Names
from tagbase.store._runs import run_row_id
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
        self._actor_ids: dict[str, int] = {}  # committed rows only: all threads use them
        self._names = Names()
        # .connection: the transaction `atomic()` holds open; .new_actors: the actor ids it added
        self._open = threading.local()
        self._run_rows: dict[str, int] = {}
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
        transaction: it commits when the block ends, or rolls back whole if it raises. A block
        inside a block is a savepoint: if it raises, its writes alone are undone."""
        joined = self._joined()
        if joined is None:
            with self._writing() as connection:
                yield
                self._refuse_if_spoiled(connection)
            return
        outer, self._open.spoiled = self._open.spoiled, False
        first_event = _outbox.mark(joined)
        try:
            with self._forgetting_on_failure(), joined.begin_nested():
                yield
                self._refuse_if_spoiled(joined)
        except BaseException:
            _outbox.undo_to(joined, first_event)  # the savepoint's changes are undone
            raise
        finally:
            self._open.spoiled = outer

    def _refuse_if_spoiled(self, connection: sa.Connection) -> None:
        # Calls join the block without a savepoint each (they would double the statements of
        # a run's steps), so one that failed may have written part of itself before raising.
        if self._open.spoiled:
            raise StoreError(
                "a store call inside `atomic()` failed and its error was handled, so the "
                "block cannot commit: that call may be half-written. Fix: put the call in a "
                "block of its own (`with store.atomic(): ...`), which undoes it alone"
            )

    def _joined(self) -> sa.Connection | None:
        return getattr(self._open, "connection", None)

    def reads_at_once(self) -> bool:
        """Whether a read of a row by key returns now, without waiting, so that a server may
        run it on its event loop rather than hop to a thread and back (which costs more than
        the read): on a SQLite file (in WAL a reader never waits for a writer) while the pool
        has an idle connection (one held by an open transaction is not waited for)."""
        pool = self.engine.pool
        return (
            self.engine.dialect.name == "sqlite"
            and isinstance(pool, QueuePool)
            and pool.checkedout() < pool.size()
        )

    @contextmanager
    def _reading(self, *, apart: bool = False) -> Iterator[sa.Connection]:
        """A read transaction: the open one, if any, unless `apart` (its own connection)."""
        joined = None if apart else self._joined()
        if joined is not None:
            self._refuse_if_spoiled(joined)
            yield joined
            return
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction, or the open block's (a call that fails inside spoils it)."""
        joined = self._joined()
        if joined is not None:
            self._refuse_if_spoiled(joined)
            first_event = _outbox.mark(joined)
            try:
                yield joined
            except BaseException:
                self._open.spoiled = True
                _outbox.undo_to(joined, first_event)
                raise
            return
        denials: list[AuditEntry] = []
        new_actors: dict[str, int] = {}
        try:
            with self._forgetting_on_failure(), writing(self.engine) as connection:
                self._open.connection, self._open.spoiled = connection, False
                self._open.new_actors = new_actors
                try:
                    yield connection
                    _outbox.flush(connection)  # the change feed's events, as it commits
                finally:
                    self._open.connection = self._open.new_actors = None
                    _outbox.forget(connection)
                    denials = governance.take_denials(connection)
            # Committed: other threads' transactions may now refer to the actors it added.
            self._actor_ids.update(new_actors)
        finally:
            # The write's own transaction has ended (rolled back, if a policy refused it):
            # refused attempts are kept now, in a short transaction of their own.
            governance.write_denials(self.engine, denials)

    @contextmanager
    def _forgetting_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            # Ids a rolled-back write (or savepoint) added (actors, tag pairs, runs) are gone,
            # and may be reused by the next insert.
            new_actors = getattr(self._open, "new_actors", None)
            if new_actors:
                new_actors.clear()
            self._run_rows.clear()
            self._names = Names()
            raise

    def _run_row(self, connection: sa.Connection, run_id: str) -> int:
        """The entity row of a run by its public id, remembered: a run's id never changes."""
        row = self._run_rows.get(run_id)
        if row is None:
            if len(self._run_rows) >= 10_000:
                self._run_rows.clear()
            row = self._run_rows[run_id] = run_row_id(connection, run_id)
        return row

    def _change(self, connection: sa.Connection, source: str, actor_name: str | None) -> Change:
        if source not in SOURCES:
            raise InvalidInputError(f"source {source!r} is not one of {', '.join(SOURCES)}")
        name = acting_actor() or actor_name or self.actor  # an authenticated user wins
        actor_id = self._actor_id(connection, name) if name else None
        return Change(source, actor_id, now_ms(), name)

    def _actor_id(self, connection: sa.Connection, name: str) -> int:
        """The actor's row id, its row added if missing. An id this transaction added stays
        its own until it commits: another thread's transaction cannot see the row before, nor
        ever if this one rolls back, and (no foreign key checks actor ids) would record its
        changes under an actor row that is not there."""
        found = self._actor_ids.get(name)
        new_actors: dict[str, int] | None = getattr(self._open, "new_actors", None)
        if found is None and new_actors is not None:
            found = new_actors.get(name)
        if found is None:
            (actor_id,) = ensure_named(connection, actor, "name", [name], ("id",))[name]
            found = int(actor_id)
            if new_actors is not None:
                new_actors[name] = found
        return found
