"""Orchestration: the run queue and its workers, run monitoring, schedules, sensors and
backfills. Runs are launched into the queue; workers claim them by priority within the tag
concurrency limits; a daemon ticks schedules and sensors."""

from tagbase.orchestration._cancel import cancel_run
from tagbase.orchestration._launching import LaunchRequest, launch_run, launch_runs
from tagbase.orchestration._monitor import reap
from tagbase.orchestration._retries import retry_if_wanted
from tagbase.orchestration._worker import Worker

__all__ = [
    "LaunchRequest",
    "Worker",
    "cancel_run",
    "launch_run",
    "launch_runs",
    "reap",
    "retry_if_wanted",
]
