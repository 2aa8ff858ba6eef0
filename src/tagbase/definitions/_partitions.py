"""Partitions: a job's runs each process one slice of the data, named by a partition key
(`tagbase/partition` on the run). Static lists of keys, or time windows (daily, hourly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tagbase._errors import DefinitionError, InvalidInputError, Problem


@dataclass(frozen=True, slots=True, init=False)
class StaticPartitionsDefinition:
    """A fixed list of partition keys."""

    partition_keys: tuple[str, ...]

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = tuple(partition_keys)
        problems = [
            Problem(f"partition key {key!r}", "keys are non-empty and unique", "fix the list")
            for index, key in enumerate(keys)
            if not key or key in keys[:index]
        ]
        if problems:
            raise DefinitionError(problems)
        object.__setattr__(self, "partition_keys", keys)

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        return list(self.partition_keys)

    def get_partition_keys_in_range(self, start: str, end: str) -> list[str]:
        keys = list(self.partition_keys)
        first, last = _index(keys, start), _index(keys, end)
        return keys[first : last + 1]

    def has_partition_key(self, key: str) -> bool:
        return key in self.partition_keys


def _index(keys: list[str], key: str) -> int:
    if key not in keys:
        shown = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
        raise InvalidInputError(
            f"partition key {key!r} is not one of this job's partitions ({shown}). Fix: pick "
            "one of those"
        )
    return keys.index(key)


@dataclass(frozen=True, slots=True)
class TimeWindowPartitionsDefinition:
    """One partition per time window (a day, an hour) from `start`, in a timezone; a window's
    partition exists once the window has ended (`end_offset` adds windows beyond that)."""

    start: datetime
    step: timedelta
    fmt: str
    timezone: str = "UTC"
    end_offset: int = 0
    end: datetime | None = None

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        now = (current_time or datetime.now(UTC)).astimezone(self._zone)
        last = self.end or now
        keys = []
        window = self.start
        while (following := self._next(window)) <= last:
            keys.append(window.strftime(self.fmt))
            window = following
        for _ in range(self.end_offset):
            keys.append(window.strftime(self.fmt))
            window = self._next(window)
        return keys

    def get_partition_keys_in_range(self, start: str, end: str) -> list[str]:
        first, last = self.window_of(start), self.window_of(end)
        if last < first:
            raise InvalidInputError(
                f"partition range {start!r} to {end!r} ends before it starts. Fix: swap them"
            )
        keys = []
        while first <= last:
            keys.append(first.strftime(self.fmt))
            first = self._next(first)
        return keys

    def has_partition_key(self, key: str) -> bool:
        try:
            self.window_of(key)
        except InvalidInputError:
            return False
        return True

    def window_of(self, key: str) -> datetime:
        """The start of the window a key names."""
        try:
            window = datetime.strptime(key, self.fmt).replace(tzinfo=self._zone)
        except ValueError:
            raise InvalidInputError(
                f"partition key {key!r} does not match the format {self.fmt!r}. Fix: write "
                f"e.g. {self.start.strftime(self.fmt)!r}"
            ) from None
        if window < self.start or window.strftime(self.fmt) != key:
            raise InvalidInputError(
                f"partition key {key!r} is before the first partition "
                f"{self.start.strftime(self.fmt)!r}. Fix: pick a later one"
            )
        return window

    def _next(self, window: datetime) -> datetime:
        if self.step >= timedelta(days=1):  # calendar days, across daylight-saving changes
            return (window.replace(tzinfo=None) + self.step).replace(tzinfo=self._zone)
        return (window.astimezone(UTC) + self.step).astimezone(self._zone)

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _zone(timezone: str | None) -> str:
    name = timezone or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"timezone {name!r} is unknown. Fix: give an IANA name such as 'Europe/Paris'"
        ) from None
    return name


def _start(text: str | datetime, fmt: str, timezone: str) -> datetime:
    if isinstance(text, datetime):
        moment = text
    else:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            raise InvalidInputError(
                f"start date {text!r} does not match {fmt!r}. Fix: write it in that format"
            ) from None
    zone = ZoneInfo(timezone)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def DailyPartitionsDefinition(  # noqa: N802 - named as the class it stands for, as in Dagster
    start_date: str | datetime,
    end_date: str | datetime | None = None,
    *,
    timezone: str | None = None,
    end_offset: int = 0,
    fmt: str = "%Y-%m-%d",
) -> TimeWindowPartitionsDefinition:
    """A partition per day from `start_date` (`2024-01-01`), named like it."""
    return _time_windows(timedelta(days=1), start_date, end_date, timezone, end_offset, fmt)


def HourlyPartitionsDefinition(  # noqa: N802 - named as the class it stands for, as in Dagster
    start_date: str | datetime,
    end_date: str | datetime | None = None,
    *,
    timezone: str | None = None,
    end_offset: int = 0,
    fmt: str = "%Y-%m-%d-%H:%M",
) -> TimeWindowPartitionsDefinition:
    """A partition per hour from `start_date` (`2024-01-01-00:00`), named like it."""
    return _time_windows(timedelta(hours=1), start_date, end_date, timezone, end_offset, fmt)


def _time_windows(
    step: timedelta,
    start_date: str | datetime,
    end_date: str | datetime | None,
    timezone: str | None,
    end_offset: int,
    fmt: str,
) -> TimeWindowPartitionsDefinition:
    zone = _zone(timezone)
    end = None if end_date is None else _start(end_date, fmt, zone)
    start = _start(start_date, fmt, zone)
    return TimeWindowPartitionsDefinition(start, step, fmt, zone, end_offset, end)


PartitionsDefinition = StaticPartitionsDefinition | TimeWindowPartitionsDefinition
