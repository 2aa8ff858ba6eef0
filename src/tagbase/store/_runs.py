"""Steps and events of runs: two tables beside the catalog, written as a run goes.

Functions over the connection of the transaction the store holds (see `_run_log_methods`).
The run itself is a catalog entity (kind `run`); rows point at it and go with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import from_millis
from tagbase._run_records import RunEvent, StepRecord
from tagbase.store._schema import Id, Millis, bytewise_text, entity, metadata_obj

run_step = sa.Table(
    "run_step",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("step_key", bytewise_text(255), nullable=False),
    sa.Column("op_name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("started_ms", Millis, nullable=True),
    sa.Column("ended_ms", Millis, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("stack", sa.Text, nullable=True),
    sa.Index(None, "run_id", "step_key", unique=True),
)

run_event = sa.Table(
    "run_event",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("step_key", sa.String(255), nullable=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("at_ms", Millis, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sa.Index(None, "run_id", "id"),
)


@dataclass(frozen=True, slots=True)
class Event:
    """An event to write: what, when, for which step, with an optional message."""

    event: str
    at_ms: int
    step_key: str | None = None
    message: str | None = None


def run_row_id(connection: sa.Connection, run_uuid: str) -> int:
    """The surrogate key of a run entity, by its public id."""
    found = connection.execute(
        sa.select(entity.c.id).where(entity.c.uuid == run_uuid, entity.c.kind == Kind.RUN.code)
    ).scalar()
    if found is None:
        raise NotFoundError(f"no run with id {run_uuid!r}", fix=_fixes.listing(Kind.RUN))
    return int(found)


def _event_rows(run_id: int, events: Sequence[Event]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "step_key": e.step_key,
            "event": e.event,
            "at_ms": e.at_ms,
            "message": e.message,
        }
        for e in events
    ]


def add_events(connection: sa.Connection, run_id: int, events: Sequence[Event]) -> None:
    if not events:
        return
    connection.execute(run_event.insert(), _event_rows(run_id, events))


def start_step(
    connection: sa.Connection, run_id: int, step_key: str, op_name: str, at_ms: int
) -> None:
    """The step's row, as started, and its event, in one transaction."""
    connection.execute(
        run_step.insert().values(
            run_id=run_id,
            step_key=step_key,
            op_name=op_name,
            status="started",
            started_ms=at_ms,
        )
    )
    connection.execute(
        run_event.insert(), _event_rows(run_id, [Event("step_started", at_ms, step_key)])
    )


@dataclass(frozen=True, slots=True)
class StepEnd:
    key: str
    op_name: str
    status: str
    started_ms: int | None
    ended_ms: int
    error: str | None = None
    stack: str | None = None


def end_steps(
    connection: sa.Connection, run_id: int, ends: Sequence[StepEnd], events: Sequence[Event]
) -> None:
    """Steps that ended (or were skipped), with their events, in one transaction."""
    for end in ends:
        values = {
            "status": end.status,
            "ended_ms": end.ended_ms,
            "error": end.error,
            "stack": end.stack,
        }
        updated = connection.execute(
            run_step.update()
            .where(run_step.c.run_id == run_id, run_step.c.step_key == end.key)
            .values(**values)
        )
        if updated.rowcount == 0:
            connection.execute(
                run_step.insert().values(
                    run_id=run_id,
                    step_key=end.key,
                    op_name=end.op_name,
                    started_ms=end.started_ms,
                    **values,
                )
            )
    if events:
        connection.execute(run_event.insert(), _event_rows(run_id, events))


def list_steps(connection: sa.Connection, run_uuid: str) -> list[StepRecord]:
    """A run's steps in the order they started."""
    run_id = run_row_id(connection, run_uuid)
    rows = connection.execute(
        sa.select(run_step).where(run_step.c.run_id == run_id).order_by(run_step.c.id)
    ).all()
    return [
        StepRecord(
            run_uuid,
            row.step_key,
            row.op_name,
            row.status,
            None if row.started_ms is None else from_millis(row.started_ms),
            None if row.ended_ms is None else from_millis(row.ended_ms),
            row.error,
            row.stack,
        )
        for row in rows
    ]


def list_events(connection: sa.Connection, run_uuid: str) -> list[RunEvent]:
    """A run's events in the order they were written."""
    run_id = run_row_id(connection, run_uuid)
    rows = connection.execute(
        sa.select(run_event).where(run_event.c.run_id == run_id).order_by(run_event.c.id)
    ).all()
    return [
        RunEvent(run_uuid, from_millis(row.at_ms), row.event, row.step_key, row.message)
        for row in rows
    ]
