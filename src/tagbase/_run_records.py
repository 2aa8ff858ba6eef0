"""Plain records of what happened inside runs: steps and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tagbase._records import EntityRef

ENDED = frozenset({"success", "failed", "canceled"})  # the statuses a run ends with


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step of a run: its status, when it ran, and why it failed if it did."""

    run_id: str
    key: str
    op: str
    status: str  # started, success, failed, skipped
    started_at: datetime | None
    ended_at: datetime | None
    error: str | None = None
    stack: str | None = None

    @property
    def duration(self) -> float | None:
        """Seconds the step took, once it ended."""
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class RunEvent:
    """One event of a run, in the order it was written."""

    run_id: str
    at: datetime
    event: str  # run_queued, run_started, step_started, step_success, ..., log
    step: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class MetadataPoint:
    """One number of a metadata time series: on which entity, what, and when it was logged."""

    entity: EntityRef
    value: Any
    at: datetime
