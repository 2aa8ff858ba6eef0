"""The daemon: schedule ticks and sensor requests become queued runs with their system tags,
never twice, across restarts; backfills queue a run per partition. Each test runs on the
database and on a team server's store over HTTP (a daemon with no database of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tagbase import (
    Client,
    DailyPartitionsDefinition,
    Definitions,
    HourlyPartitionsDefinition,
    RunRequest,
    ScheduleDefinition,
    SkipReason,
    StaticPartitionsDefinition,
    job,
    op,
    schedule,
    sensor,
)
from tagbase._errors import DefinitionError, InvalidInputError
from tagbase.orchestration._daemon import Daemon
from tagbase.store import Store, StoreContract
from tests.serving import serve_store


@op
def noop() -> int:
    return 1


@job(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def daily() -> None:
    noop()


@job(tags={"team": "ml"})
def plain() -> None:
    noop()


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


hourly = ScheduleDefinition(
    "hourly", cron_schedule="0 * * * *", job=plain, execution_timezone="Europe/Paris"
)


@schedule(cron_schedule="0 2 * * *", job=daily, tags={"kind": "nightly"})
def nightly(context: object) -> RunRequest:
    tick = context.scheduled_execution_time  # type: ignore[attr-defined]
    return RunRequest(partition_key=(tick - timedelta(days=1)).strftime("%Y-%m-%d"))


files: list[str] = []


@sensor(job=plain, minimum_interval_seconds=10)
def new_files(context: object) -> list[RunRequest] | SkipReason:
    if not files:
        return SkipReason("no files")
    return [RunRequest(run_key=name, tags={"file": name}) for name in files]


def definitions() -> Definitions:
    return Definitions(jobs=[daily, plain], schedules=[hourly, nightly], sensors=[new_files])


@pytest.fixture(params=["direct", "http"])
def store(request: pytest.FixtureRequest, store: Store) -> Iterator[StoreContract]:
    if request.param == "direct":
        yield store
        return
    with serve_store(request, store) as remote:
        yield remote


def daemon(store: StoreContract, clock: Clock) -> Daemon:
    return Daemon(definitions(), store, clock, heartbeat_timeout_s=30)


START = datetime(2024, 3, 1, 0, 30, tzinfo=UTC)


def test_schedules_tick_into_tagged_runs_once(client: Client, store: StoreContract) -> None:
    clock = Clock(START)
    assert daemon(store, clock).tick().runs == []  # first seen: ticks from now on
    clock.now = START + timedelta(hours=3)  # 01:00, 02:00, 03:00 UTC pass
    result = daemon(store, clock).tick()
    assert result.errors == []
    hourly_runs = [r for r in result.runs if r.tag_dict.get("tagbase/schedule_name") == "hourly"]
    assert len(hourly_runs) == 3
    assert all(r.status == "queued" for r in result.runs)
    [nightly_run] = [r for r in result.runs if r.tag_dict["tagbase/schedule_name"] == "nightly"]
    assert nightly_run.tag_dict["tagbase/partition"] == "2024-02-29"
    assert nightly_run.tag_dict["kind"] == "nightly"
    assert nightly_run.scope is not None
    assert nightly_run.scope.name == "daily"
    again = daemon(store, clock)  # a restart at the same time launches nothing again
    assert again.tick().runs == []
    assert client.count("run") == 4


def test_a_restart_after_a_crash_does_not_repeat_ticks(
    client: Client, store: StoreContract
) -> None:
    clock = Clock(START)
    daemon(store, clock).tick()
    clock.now = START + timedelta(hours=1)
    first = daemon(store, clock)
    first.tick()
    from tagbase.store import CursorState

    # as if the daemon died after launching, before moving its cursor
    store.set_cursor("schedule:hourly", CursorState(None, int(START.timestamp() * 1000)), 0)
    assert daemon(store, clock).tick().runs == []
    assert client.count("run", tags={"tagbase/schedule_name": "hourly"}) == 1


def test_sensor_requests_are_deduplicated_by_run_key(client: Client, store: StoreContract) -> None:
    files.clear()
    clock = Clock(START)
    assert daemon(store, clock).tick().runs == []
    files.extend(["a.csv", "b.csv"])
    clock.now += timedelta(seconds=11)
    runs = daemon(store, clock).tick().runs
    assert sorted(r.tag_dict["file"] for r in runs) == ["a.csv", "b.csv"]
    assert all(r.tag_dict["tagbase/sensor_name"] == "new_files" for r in runs)
    files.append("c.csv")
    clock.now += timedelta(seconds=5)  # within the minimum interval: not evaluated
    assert daemon(store, clock).tick().runs == []
    clock.now += timedelta(seconds=6)
    restarted = daemon(store, clock)  # a new daemon: the run keys are in the store
    assert [r.tag_dict["file"] for r in restarted.tick().runs] == ["c.csv"]
    assert client.count("run", tags={"tagbase/sensor_name": "new_files"}) == 3
    files.clear()


def test_a_backfill_queues_a_run_per_partition(client: Client) -> None:
    backfill = client.launch_backfill(
        "daily", start="2024-01-01", end="2024-01-10", definitions=definitions(), tags=["bf"]
    )
    assert len(backfill.run_ids) == 10
    runs = client.list_runs(tags={"tagbase/backfill": backfill.id}, size=100).items
    assert len(runs) == 10
    assert sorted(r.tag_dict["tagbase/partition"] for r in runs) == [
        f"2024-01-{day:02d}" for day in range(1, 11)
    ]
    assert {r.status for r in runs} == {"queued"}
    assert all(r.has_tag("bf") for r in runs)


def test_a_backfill_refuses_unknown_partitions(client: Client) -> None:
    with pytest.raises(InvalidInputError, match="2023-12-31"):
        client.launch_backfill(
            "daily", start="2023-12-31", end="2024-01-02", definitions=definitions()
        )
    assert client.count("run") == 0


def test_partitions() -> None:
    now = datetime(2024, 1, 4, 5, tzinfo=UTC)
    assert DailyPartitionsDefinition("2024-01-01").get_partition_keys(now) == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
    ]
    hours = HourlyPartitionsDefinition("2024-01-01-00:00", timezone="Europe/Paris")
    assert hours.get_partition_keys(datetime(2024, 1, 1, 2, 30, tzinfo=UTC)) == [
        "2024-01-01-00:00",
        "2024-01-01-01:00",
        "2024-01-01-02:00",
    ]
    colours = StaticPartitionsDefinition(["red", "green", "blue"])
    assert colours.get_partition_keys_in_range("green", "blue") == ["green", "blue"]
    with pytest.raises(DefinitionError):
        StaticPartitionsDefinition(["a", "a"])


def test_bad_schedules_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match="cron"):
        ScheduleDefinition("bad", cron_schedule="every hour", job=plain)
    with pytest.raises(DefinitionError, match="timezone"):
        ScheduleDefinition("bad", cron_schedule="0 * * * *", job=plain, execution_timezone="Mars")
