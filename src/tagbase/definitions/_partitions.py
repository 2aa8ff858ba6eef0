"""Partitions: a job's runs each process one slice of the data, named by a partition key
(`tagbase/partition` on the run, and on each asset version of a partitioned asset). Static
lists of keys, or time windows (daily, hourly).

A run of a job with partitions names one of its keys; a run of a job without names none.
`check_partition_key` is that rule, for every way a run is launched. A job's partitions are
recorded in the catalog as its `tagbase/partitions` metadata (`partitions_json`), so that a
launch by job name alone is checked too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tagbase._errors import DefinitionError, InvalidInputError, PartitionKeyError, Problem
from tagbase._tags import Tag

PARTITION_TAG = "tagbase/partition"
PARTITIONS_METADATA = "tagbase/partitions"


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

    def has_partition_key(self, key: str, current_time: datetime | None = None) -> bool:
        return key in self.partition_keys


def _index(keys: list[str], key: str) -> int:
    if key not in keys:
        raise _not_a_partition(key, "these static partitions", keys)
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
        keys = []
        window = self.start
        while self._exists(window, current_time):
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

    def has_partition_key(self, key: str, current_time: datetime | None = None) -> bool:
        """Whether `key` is one of `get_partition_keys(current_time)`, without listing them."""
        try:
            window = self.window_of(key)
        except InvalidInputError:
            return False
        return self._exists(window, current_time)

    def _exists(self, window: datetime, current_time: datetime | None) -> bool:
        """Whether a window has ended by `end` (else by now), or is one of the `end_offset`
        windows after the last that has."""
        last = self.end or current_time or datetime.now(UTC)
        return self._shift(window, 1 - self.end_offset).astimezone(UTC) <= last.astimezone(UTC)

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
        since = window.astimezone(UTC) - self.start.astimezone(UTC)
        if self.step < timedelta(days=1) and since % self.step:
            raise InvalidInputError(
                f"partition key {key!r} does not start a window of {self.step} from "
                f"{self.start.strftime(self.fmt)!r}. Fix: pick a window's start"
            )
        return window

    def _next(self, window: datetime) -> datetime:
        return self._shift(window, 1)

    def _shift(self, window: datetime, count: int) -> datetime:
        """The window `count` windows after (or before, when negative) `window`."""
        if self.step >= timedelta(days=1):  # calendar days, across daylight-saving changes
            return (window.replace(tzinfo=None) + self.step * count).replace(tzinfo=self._zone)
        return (window.astimezone(UTC) + self.step * count).astimezone(self._zone)

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


# -- the rule every launch follows ----------------------------------------------------------


def shown_keys(keys: Sequence[str]) -> str:
    """A few keys of a long list: its first and last ones, and how many there are."""
    if not keys:
        return "none yet"
    if len(keys) <= 6:
        return ", ".join(keys)
    return f"{', '.join(keys[:3])}, ..., {', '.join(keys[-2:])} ({len(keys)} keys)"


def _not_a_partition(key: str, subject: str, keys: Sequence[str]) -> PartitionKeyError:
    example = f"e.g. {keys[-1]!r}" if keys else "once there is one"
    return PartitionKeyError(
        [
            Problem(
                f"partition key {key!r}",
                f"it is not a partition of {subject} (those are: {shown_keys(keys)})",
                f"pick one of those, {example}",
            )
        ]
    )


def check_partition_key(
    partitions: PartitionsDefinition | None, key: str | None, subject: str
) -> None:
    """Refuse a run of `subject` (say "job 'daily'") for `key`, unless the job has partitions
    and `key` is one of them, or it has none and no key is given."""
    if partitions is None:
        if key is not None:
            raise PartitionKeyError(
                [
                    Problem(
                        f"partition key {key!r}",
                        f"{subject} has no partitions, so its runs take no partition key",
                        "drop the key (partition_key=, the tag tagbase/partition), or give "
                        "the job partitions_def=",
                    )
                ]
            )
        return
    if key is None:
        keys = partitions.get_partition_keys()
        raise PartitionKeyError(
            [
                Problem(
                    subject,
                    f"a run of it processes one of its partitions ({shown_keys(keys)})",
                    "name one: partition_key=..., the tag tagbase/partition=..., or "
                    "--partition KEY",
                )
            ]
        )
    if not partitions.has_partition_key(key):
        raise _not_a_partition(key, subject, partitions.get_partition_keys())


def split_partition(
    subject: str,
    partitions: PartitionsDefinition | None,
    launch: Sequence[Tag],
    partition_key: str | None = None,
) -> tuple[tuple[Tag, ...], tuple[Tag, ...]]:
    """The launch tags less `tagbase/partition`, and the run's partition (given as that tag,
    or as `partition_key`; both must agree) as a system tag, checked against `partitions`."""
    keys = {tag.value for tag in launch if tag.key == PARTITION_TAG}
    keys |= set() if partition_key is None else {partition_key}
    if len(keys) > 1:
        shown = ", ".join(repr(key) for key in sorted(keys))
        raise PartitionKeyError(
            [
                Problem(
                    f"partition keys {shown}",
                    f"a run of {subject} processes one partition",
                    "give one key (partition_key= and the tag tagbase/partition must agree)",
                )
            ]
        )
    key = next(iter(keys), None)
    check_partition_key(partitions, key, subject)
    rest = tuple(tag for tag in launch if tag.key != PARTITION_TAG)
    return rest, () if key is None else (Tag(PARTITION_TAG, key),)


# -- in the catalog ---------------------------------------------------------------------------


def partitions_json(partitions: PartitionsDefinition) -> dict[str, object]:
    """A job's partitions as its `tagbase/partitions` metadata."""
    if isinstance(partitions, StaticPartitionsDefinition):
        return {"type": "static", "keys": list(partitions.partition_keys)}
    end = partitions.end
    return {
        "type": "time_window",
        "start": partitions.start.isoformat(),
        "step_s": partitions.step.total_seconds(),
        "fmt": partitions.fmt,
        "timezone": partitions.timezone,
        "end_offset": partitions.end_offset,
        "end": None if end is None else end.isoformat(),
    }


def partitions_from_json(data: object, subject: str) -> PartitionsDefinition | None:
    """The partitions `partitions_json` described (None for a JSON null); a described
    definition that does not read back is an error naming `subject` and the fix."""
    if data is None:
        return None
    try:
        if not isinstance(data, Mapping):
            raise TypeError(type(data).__name__)
        if data["type"] == "static":
            return StaticPartitionsDefinition([str(key) for key in data["keys"]])
        zone = _zone(str(data["timezone"]))
        start, end = (
            None if text is None else datetime.fromisoformat(text).astimezone(ZoneInfo(zone))
            for text in (data["start"], data["end"])
        )
        if start is None:
            raise TypeError("no start")
        return TimeWindowPartitionsDefinition(
            start,
            timedelta(seconds=float(data["step_s"])),
            str(data["fmt"]),
            zone,
            int(data["end_offset"]),
            end,
        )
    except (KeyError, TypeError, ValueError, InvalidInputError):
        raise InvalidInputError(
            f"the {PARTITIONS_METADATA} metadata of {subject} does not describe partitions. "
            "Fix: record the job's definitions again (tagbase load -f FILE)"
        ) from None
