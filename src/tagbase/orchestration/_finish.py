"""Ending a run from outside it: a worker stopping it (cancel, max runtime), or another
process noticing its worker died. Steps left `started` end with it."""

from __future__ import annotations

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._run_records import ENDED
from tagbase.execution._steps import now_ms
from tagbase.metadata import MetadataValue
from tagbase.store import Store
from tagbase.store import _runs as runs


def finish_run(store: Store, run_id: str, status: str, reason: str) -> Entity:
    """Mark the run `failed` or `canceled` with the reason, unless it already ended."""
    run = store.get(Kind.RUN, run_id)
    if run.status in ENDED:
        return run
    ended = now_ms()
    row_id = runs.run_row_id(store.engine, run.id)
    _end_open_steps(store.engine, row_id, status, reason, ended)
    metadata: dict[str, object] = {
        "tagbase/ended_at": MetadataValue.timestamp(ended / 1000),
        "tagbase/error": reason,
    }
    started = run.metadata.get("tagbase/started_at")
    if started is not None:
        metadata["tagbase/duration_s"] = ended / 1000 - float(started.value)
    updated = store.update(Kind.RUN, run.id, status=status, metadata=metadata, source="system")
    runs.add_events(store.engine, row_id, [runs.Event(f"run_{status}", ended, None, reason)])
    return updated


def _end_open_steps(engine: sa.Engine, row_id: int, status: str, reason: str, at: int) -> None:
    with engine.connect() as connection:
        open_steps = connection.execute(
            sa.select(runs.run_step.c.step_key, runs.run_step.c.op_name).where(
                runs.run_step.c.run_id == row_id, runs.run_step.c.status == "started"
            )
        ).all()
    step_status = "failed" if status == "failed" else "canceled"
    ends = [runs.StepEnd(key, op, step_status, None, at, reason) for key, op in open_steps]
    events = [runs.Event(f"step_{step_status}", at, key, reason) for key, _ in open_steps]
    if ends:
        runs.end_steps(engine, row_id, ends, events)
