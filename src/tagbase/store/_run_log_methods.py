"""The run log part of the store: a run's steps and events, written as the run goes.

A run is a catalog entity (kind `run`), named here by its public id; its steps and events sit
in two tables beside the catalog (`_runs`). Each method is one transaction, or joins the one
`atomic()` holds open, so a step's end commits with what the step made.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from tagbase._run_records import MetadataPoint, RunEvent, StepRecord
from tagbase.store import _runs
from tagbase.store._base import StoreBase
from tagbase.store._runs import Event, StepEnd
from tagbase.store._series import metadata_series


class RunLogMethods(StoreBase):
    def add_run_events(self, run_id: str, events: Sequence[Event]) -> None:
        """Events of the run itself (queued, started, ended...), in the order given."""
        with self._writing() as connection:
            _runs.add_events(connection, self._run_row(connection, run_id), events)

    def start_step(self, run_id: str, step_key: str, op_name: str, at_ms: int) -> None:
        """The step's row, `started`, and its `step_started` event."""
        with self._writing() as connection:
            row = self._run_row(connection, run_id)
            _runs.start_step(connection, row, step_key, op_name, at_ms)

    def end_steps(self, run_id: str, ends: Sequence[StepEnd], events: Sequence[Event]) -> None:
        """Steps that ended or were skipped (a step never started gets its row), with events."""
        with self._writing() as connection:
            _runs.end_steps(connection, self._run_row(connection, run_id), ends, events)

    def end_open_steps(self, run_id: str, status: str, reason: str, at_ms: int) -> list[str]:
        """End the run's steps still `started` as `failed` (or `canceled` for any other run
        status), with the reason; the keys of the steps it ended."""
        step_status = "failed" if status == "failed" else "canceled"
        with self._writing() as connection:
            row = self._run_row(connection, run_id)
            step = _runs.run_step.c
            open_steps = connection.execute(
                sa.select(step.step_key, step.op_name).where(
                    step.run_id == row, step.status == "started"
                )
            ).all()
            ends = [StepEnd(key, op, step_status, None, at_ms, reason) for key, op in open_steps]
            events = [Event(f"step_{step_status}", at_ms, key, reason) for key, _ in open_steps]
            if ends:
                _runs.end_steps(connection, row, ends, events)
        return [end.key for end in ends]

    def list_steps(self, run_id: str) -> list[StepRecord]:
        """A run's steps in the order they started."""
        with self._reading() as connection:
            return _runs.list_steps(connection, run_id)

    def list_events(self, run_id: str) -> list[RunEvent]:
        """A run's events in the order they were written."""
        with self._reading() as connection:
            return _runs.list_events(connection, run_id)

    def metadata_series(self, entity_id: str, key: str) -> list[MetadataPoint]:
        """Every number logged under `key` on an entity and on its children, oldest first."""
        with self._reading() as connection:
            return metadata_series(connection, entity_id, key)
