"""The daemon: ticks schedules and sensors into queued runs, fails the runs of dead workers
and prunes the change feed past its retention. Its memory is in the store (cursors, launched
run keys), so a restart neither repeats nor forgets a run. Time comes from `clock`, which
tests replace."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tagbase._config import Config
from tagbase._records import Entity, from_millis, to_millis
from tagbase._tags import Tag
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._partitions import PARTITION_TAG
from tagbase.definitions._schedules import (
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
)
from tagbase.execution import sync_definitions
from tagbase.execution._runtime import Runtime, current_runtime, use_runtime
from tagbase.orchestration._launching import launch_run
from tagbase.orchestration._monitor import reap
from tagbase.store import CursorState, StoreContract

log = logging.getLogger("tagbase.daemon")
PRUNE_EVERY = timedelta(hours=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickResult:
    """What one tick did: the runs it queued and the errors of schedules and sensors."""

    runs: list[Entity] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Daemon:
    definitions: Definitions
    store: StoreContract = field(default_factory=lambda: current_runtime().store)
    clock: Callable[[], datetime] = utc_now
    heartbeat_timeout_s: float = field(
        default_factory=lambda: Config.load().run_queue.heartbeat_timeout_s
    )
    events_retention_days: float | None = field(
        default_factory=lambda: Config.load().events_retention_days
    )
    runtime: Runtime = field(init=False)  # its store, which schedules' and sensors' code sees
    _pruned_at: datetime | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.store, current_runtime().artifacts)

    def run(self, *, interval_s: float = 1.0, stop: Callable[[], bool] | None = None) -> None:
        """Tick every `interval_s` until `stop()` says so, its definitions synced first."""
        sync_definitions(self.definitions, self.store)
        while not (stop and stop()):
            self.tick()
            time.sleep(interval_s)

    def tick(self) -> TickResult:
        with use_runtime(self.runtime):
            return self._tick()

    def _tick(self) -> TickResult:
        now = self.clock()
        result = TickResult()
        for schedule in self.definitions.schedules:
            self._guarded(result, f"schedule {schedule.name!r}", self._schedule, schedule, now)
        for sensor in self.definitions.sensors:
            self._guarded(result, f"sensor {sensor.name!r}", self._sensor, sensor, now)
        reap(self.store, to_millis(now), self.heartbeat_timeout_s)
        self._guarded(result, "change feed retention", self._prune_events, now)
        return result

    def _prune_events(self, now: datetime) -> list[Entity]:
        """Drop change events past retention, once every `PRUNE_EVERY` (it reads the oldest
        ids up to the first kept: cheap when there is little to drop)."""
        days = self.events_retention_days
        if days is None or (self._pruned_at and now - self._pruned_at < PRUNE_EVERY):
            return []
        self._pruned_at = now
        pruned = self.store.prune_changes(to_millis(now - timedelta(days=days)))
        if pruned:
            log.info("pruned %d change events older than %g days", pruned, days)
        return []

    def _guarded(self, result: TickResult, what: str, tick: Callable[..., list[Entity]],
                 *args: object) -> None:  # fmt: skip
        try:
            result.runs.extend(tick(*args))
        except Exception as error:  # one broken sensor must not stop the others: report it
            log.exception("%s failed", what)
            result.errors.append(f"{what}: {type(error).__name__}: {error}")

    def _schedule(self, schedule: ScheduleDefinition, now: datetime) -> list[Entity]:
        origin = f"schedule:{schedule.name}"
        state = self.store.get_cursor(origin)
        now_ms = to_millis(now)
        if state is None or state.last_tick_ms is None:  # first seen: ticks from now on
            self.store.set_cursor(origin, CursorState(None, now_ms), now_ms)
            return []
        runs = []
        system = {"tagbase/schedule_name": schedule.name}
        for tick in schedule.ticks_between(from_millis(state.last_tick_ms), now):
            requests = schedule.evaluate(tick)
            for index, request in enumerate(requests):
                key = request.run_key or _tick_key(tick, index)
                tags = [*schedule.tags, *request.tags]
                run = self._launch(origin, key, request, schedule.job_name, tags, system)
                runs.extend([run] if run else [])
        self.store.set_cursor(origin, CursorState(None, now_ms), now_ms)
        return runs

    def _sensor(self, sensor: SensorDefinition, now: datetime) -> list[Entity]:
        origin = f"sensor:{sensor.name}"
        state = self.store.get_cursor(origin) or CursorState(None, None)
        last = state.last_tick_ms
        if last is not None and to_millis(now) - last < sensor.minimum_interval_seconds * 1000:
            return []
        previous = None if last is None else from_millis(last)
        context = SensorEvaluationContext(state.cursor, previous, now)
        requests = sensor.evaluate(context)
        system = {"tagbase/sensor_name": sensor.name}
        runs = []
        for request in requests:
            run = self._launch(origin, request.run_key, request, sensor.job_name, (), system)
            runs.extend([run] if run else [])
        self.store.set_cursor(origin, CursorState(context.cursor, to_millis(now)),
                   to_millis(now))  # fmt: skip
        return runs

    def _launch(
        self,
        origin: str,
        run_key: str | None,
        request: RunRequest,
        job_name: str,
        tags: Sequence[Tag],
        system: dict[str, str],
    ) -> Entity | None:
        """Queue a requested run, once per run key; None if the key launched a run before."""
        job = self.definitions.get_job_def(request.job_name or job_name)
        chosen = dict(system)
        if request.partition_key is not None:  # checked against the job's partitions
            chosen[PARTITION_TAG] = request.partition_key
        now_ms = to_millis(self.clock())
        with self.store.atomic():  # a launch that fails gives its run key back
            if run_key is not None and not self.store.claim_run_key(origin, run_key, now_ms):
                return None
            run = launch_run(job, tags=[*tags, *request.tags], system=chosen, store=self.store)
            if run_key is not None:
                self.store.attach_run(origin, run_key, run.id)
        return run


def _tick_key(tick: datetime, index: int) -> str:
    stamp = tick.isoformat()
    return stamp if index == 0 else f"{stamp}#{index}"
