"""Schedules and sensors: what makes the daemon launch runs.

A schedule launches a run of its job at each tick of a cron expression in a timezone; a
function (`@schedule`) may shape the runs. A sensor is a function the daemon calls every
`minimum_interval_seconds`; it returns `RunRequest`s (or nothing, or a `SkipReason`). A
request with a `run_key` launches one run, ever, for that key of that sensor or schedule.
Runs carry `tagbase/schedule_name` or `tagbase/sensor_name`, and `tagbase/partition`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter  # type: ignore[import-untyped]

from tagbase._errors import DefinitionError, Problem
from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput, normalize_tags


@dataclass(frozen=True, slots=True, init=False)
class RunRequest:
    """A run a schedule or sensor asks for: deduplicated by `run_key` when given."""

    run_key: str | None
    tags: tuple[Tag, ...]
    partition_key: str | None
    job_name: str | None
    run_config: Mapping[str, Any] | None

    def __init__(
        self,
        run_key: str | None = None,
        tags: TagsInput = None,
        *,
        partition_key: str | None = None,
        job_name: str | None = None,
        run_config: Mapping[str, Any] | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "run_key", run_key)
        setter(self, "tags", normalize_tags(tags, kind=Kind.RUN))
        setter(self, "partition_key", partition_key)
        setter(self, "job_name", job_name)
        setter(self, "run_config", run_config)


@dataclass(frozen=True, slots=True)
class SkipReason:
    """Returned by a schedule or sensor function that has nothing to launch this time."""

    message: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleEvaluationContext:
    scheduled_execution_time: datetime


@dataclass
class SensorEvaluationContext:
    """What a sensor function sees: its cursor (kept across ticks and daemon restarts) and
    when it last ran."""

    cursor: str | None
    last_tick_time: datetime | None
    tick_time: datetime
    _cursor_changed: bool = field(default=False, repr=False)

    def update_cursor(self, cursor: str | None) -> None:
        self.cursor = cursor
        self._cursor_changed = True


Evaluated = RunRequest | SkipReason | Iterable[RunRequest] | None


def _job_name(job: Any, job_name: str | None, owner: str) -> str:
    name = job_name if job is None else getattr(job, "name", None)
    if not isinstance(name, str):
        raise DefinitionError(
            [Problem(owner, "it names no job", "pass job=the_job (or job_name='...')")]
        )
    return name


def _timezone(name: str | None, owner: str) -> str:
    zone = name or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(
            [Problem(f"{owner} timezone {zone!r}", "is not a known IANA timezone", "use e.g. "
                     "'Europe/Paris' or 'UTC'")]
        ) from None  # fmt: skip
    return zone


@dataclass(frozen=True, slots=True, init=False)
class ScheduleDefinition:
    """Launch a run of `job` at every tick of `cron_schedule` in `execution_timezone`."""

    name: str
    cron_schedule: str
    job_name: str
    execution_timezone: str
    tags: tuple[Tag, ...]
    execution_fn: Callable[..., Evaluated] | None
    description: str | None

    def __init__(
        self,
        name: str | None = None,
        *,
        cron_schedule: str,
        job: Any = None,
        job_name: str | None = None,
        execution_timezone: str | None = None,
        tags: TagsInput = None,
        execution_fn: Callable[..., Evaluated] | None = None,
        description: str | None = None,
    ) -> None:
        target = _job_name(job, job_name, f"schedule {name!r}")
        chosen = name or (execution_fn.__name__ if execution_fn else f"{target}_schedule")
        if not croniter.is_valid(cron_schedule):
            raise DefinitionError(
                [Problem(f"schedule {chosen!r} cron {cron_schedule!r}", "is not a valid cron "
                         "expression", "write five fields, e.g. '0 * * * *' (hourly)")]
            )  # fmt: skip
        setter = object.__setattr__
        setter(self, "name", chosen)
        setter(self, "cron_schedule", cron_schedule)
        setter(self, "job_name", target)
        setter(self, "execution_timezone", _timezone(execution_timezone, f"schedule {chosen!r}"))
        setter(self, "tags", normalize_tags(tags, kind=Kind.RUN))
        setter(self, "execution_fn", execution_fn)
        setter(self, "description", description)

    def ticks_between(self, after: datetime, until: datetime) -> list[datetime]:
        """Cron times in (after, until], in the schedule's timezone."""
        zone = ZoneInfo(self.execution_timezone)
        times = croniter(self.cron_schedule, after.astimezone(zone))
        ticks = []
        while (tick := times.get_next(datetime)) <= until:
            ticks.append(tick)
        return ticks

    def evaluate(self, tick: datetime) -> list[RunRequest]:
        if self.execution_fn is None:
            return [RunRequest()]
        context = ScheduleEvaluationContext(tick)
        return requests_of(_call(self.execution_fn, context), f"schedule {self.name!r}")


@dataclass(frozen=True, slots=True)
class SensorDefinition:
    """A function the daemon calls every `minimum_interval_seconds` for run requests."""

    name: str
    evaluation_fn: Callable[..., Evaluated]
    job_name: str
    minimum_interval_seconds: float = 30.0
    description: str | None = None

    def evaluate(self, context: SensorEvaluationContext) -> list[RunRequest]:
        return requests_of(_call(self.evaluation_fn, context), f"sensor {self.name!r}")


def _call(fn: Callable[..., Evaluated], context: object) -> Evaluated:
    takes_context = bool(inspect.signature(fn).parameters)
    return fn(context) if takes_context else fn()


def requests_of(returned: Evaluated, owner: str) -> list[RunRequest]:
    if returned is None or isinstance(returned, SkipReason):
        return []
    if isinstance(returned, RunRequest):
        return [returned]
    requests = list(returned)
    wrong = [item for item in requests if not isinstance(item, RunRequest | SkipReason)]
    if wrong:
        raise DefinitionError(
            [Problem(owner, f"it returned {wrong[0]!r}", "return RunRequest(...)s, a "
                     "SkipReason or None")]
        )  # fmt: skip
    return [item for item in requests if isinstance(item, RunRequest)]


@overload
def schedule(fn: Callable[..., Evaluated], /) -> ScheduleDefinition: ...
@overload
def schedule(
    *,
    cron_schedule: str,
    job: Any = None,
    job_name: str | None = None,
    name: str | None = None,
    execution_timezone: str | None = None,
    tags: TagsInput = None,
    description: str | None = None,
) -> Callable[[Callable[..., Evaluated]], ScheduleDefinition]: ...
def schedule(
    fn: Callable[..., Evaluated] | None = None,
    /,
    **options: Any,
) -> ScheduleDefinition | Callable[[Callable[..., Evaluated]], ScheduleDefinition]:
    """A schedule whose function shapes each tick's runs: it takes the context (with
    `scheduled_execution_time`) and returns `RunRequest`s, a `SkipReason` or None."""
    if fn is not None:
        raise DefinitionError(
            [Problem(f"schedule {fn.__name__!r}", "it has no cron_schedule",
                     "write @schedule(cron_schedule='0 * * * *', job=...)")]
        )  # fmt: skip

    def decorate(function: Callable[..., Evaluated]) -> ScheduleDefinition:
        # `options` is not changed: the same decorator may be applied again
        named = {**options, "name": options.get("name") or function.__name__}
        return ScheduleDefinition(execution_fn=function, **named)

    return decorate


def sensor(
    job: Any = None,
    *,
    job_name: str | None = None,
    name: str | None = None,
    minimum_interval_seconds: float = 30.0,
    description: str | None = None,
) -> Callable[[Callable[..., Evaluated]], SensorDefinition]:
    """A sensor: `@sensor(job=the_job)` over a function returning `RunRequest(run_key=...,
    tags=...)`s (or None, or a `SkipReason`); it may take a context with a cursor."""

    def decorate(function: Callable[..., Evaluated]) -> SensorDefinition:
        chosen = name or function.__name__
        target = _job_name(job, job_name, f"sensor {chosen!r}")
        return SensorDefinition(
            chosen, function, target, minimum_interval_seconds, description or function.__doc__
        )

    return decorate
