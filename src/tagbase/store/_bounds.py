"""Bounded work: a read statement stops at the statement timeout, a call waits for a pooled
connection at most the pool timeout, and both end in a `StoreError` naming the setting.

PostgreSQL stops a read with `SET LOCAL statement_timeout` at the start of each read
transaction (`read_begin`). SQLite has no such setting: a progress handler, called every few
thousand virtual machine steps, interrupts a read statement once its deadline has passed.
Writes are not bounded: stopping one half-way would only waste its work, and their statements
are point lookups and inserts.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from tagbase._config import TIMEOUT_SETTINGS, Timeouts
from tagbase._errors import PoolTimeoutError, StatementTimeoutError

_STEPS = 20_000  # SQLite VM steps between two looks at the clock: well under a millisecond
_DEADLINE = "tagbase_deadline"  # in a pooled connection's info: when its read must stop
_READING = "tagbase_reading"  # in a pooled connection's info: its statements' time limit
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by the timeout


def read_begin(timeouts: Timeouts) -> str:
    """What PostgreSQL runs to begin a read transaction."""
    if timeouts.statement_s is None:
        return "BEGIN"
    return f"BEGIN; SET LOCAL statement_timeout = {max(1, round(timeouts.statement_s * 1000))}"


def pool_class(timeouts: Timeouts) -> type[QueuePool]:
    """A queue pool whose timeout is a `PoolTimeoutError` saying what to do."""

    class _Pool(QueuePool):
        def _do_get(self) -> Any:
            try:
                return super()._do_get()
            except sa.exc.TimeoutError:
                raise PoolTimeoutError(
                    f"all {self.checkedout()} database connections "
                    f"stayed busy for the pool timeout of {timeouts.pool_s:g} s, so the call "
                    "was not run. Fix: retry shortly; if it keeps happening, lower "
                    f"{TIMEOUT_SETTINGS['statement_timeout']} so that slow reads end sooner, "
                    f"or raise {TIMEOUT_SETTINGS['pool_timeout']}"
                ) from None

    return _Pool


def bound_sqlite_reads(engine: sa.Engine, timeouts: Timeouts) -> None:
    """Interrupt a SQLite read statement once it has run for the statement timeout."""
    limit = timeouts.statement_s
    if limit is None:
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        info = record.info

        def stop_if_late() -> int:
            deadline = info.get(_DEADLINE)
            return 1 if deadline is not None and time.monotonic() > deadline else 0

        dbapi_connection.set_progress_handler(stop_if_late, _STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection: sa.Connection, *_args: Any) -> None:
        statement_starts(connection)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_DEADLINE] = None


def mark_reading(connection: sa.Connection, limit: float | None) -> None:
    """Say how long each statement of the SQLite transaction now beginning may run: None for
    no limit (a write, or no statement timeout)."""
    info = connection.connection.info
    info[_READING] = limit
    info[_DEADLINE] = None


def statement_starts(connection: sa.Connection) -> None:
    """Start the clock of a SQLite read statement (the statements SQLAlchemy runs, and those
    the store runs on the driver's cursor)."""
    info = connection.connection.info
    limit = info.get(_READING)
    info[_DEADLINE] = None if limit is None else time.monotonic() + limit


def translate_timeouts(engine: sa.Engine, timeouts: Timeouts) -> None:
    """Raise a stopped read as a `StatementTimeoutError` rather than a driver error."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        original = context.original_exception
        code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        stopped = code in (_QUERY_CANCELED, "SQLITE_INTERRUPT")
        if stopped and timeouts.statement_s is not None:
            raise StatementTimeoutError(
                f"the read ran longer than the statement timeout of {timeouts.statement_s:g} s "
                "and was stopped; nothing was changed. Fix: narrow the query (fewer terms, a "
                f"tag or name that selects fewer entities), or raise "
                f"{TIMEOUT_SETTINGS['statement_timeout']}, in seconds (0: no limit)"
            ) from None
