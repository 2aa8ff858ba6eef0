"""Partitions through the run queue: every way a run is queued (a job, a job name alone, a
template, a sensor, a backfill, a retry) checks its partition key before the run is
recorded; a worker checks it again when the job's partitions changed meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tagbase import (
    Client,
    Definitions,
    PartitionKeyError,
    RunRequest,
    StaticPartitionsDefinition,
    job,
    op,
    sensor,
    sync_definitions,
)
from tagbase.orchestration._daemon import Daemon
from tagbase.orchestration._retries import retry_if_wanted
from tagbase.orchestration._worker import execute_claimed
from tagbase.store import Store

colours = StaticPartitionsDefinition(["red", "green", "blue"])


@op
def noop() -> int:
    return 1


@job(partitions_def=colours)
def painting() -> None:
    noop()


@job
def plain() -> None:
    noop()


def recorded(store: Store) -> None:
    """The jobs in the catalog, as `tagbase load` leaves them."""
    sync_definitions(Definitions(jobs=[painting, plain]), store)


def test_a_queued_launch_checks_its_partition(client: Client) -> None:
    with pytest.raises(PartitionKeyError, match="'purple'"):
        client.launch_run(painting, tags={"tagbase/partition": "purple"})
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        client.launch_run(plain, tags={"tagbase/partition": "red"})
    with pytest.raises(PartitionKeyError, match="'purple'"):
        client.launch_run(painting, partition_key="purple")
    with pytest.raises(PartitionKeyError, match="'blue', 'red'"):
        client.launch_run(painting, tags={"tagbase/partition": "red"}, partition_key="blue")
    assert client.count("run") == 0
    by_tag = client.launch_run(painting, tags={"tagbase/partition": "red"})
    by_argument = client.launch_run(painting, partition_key="green")
    for run, key in ((by_tag, "red"), (by_argument, "green")):
        assert {t.key: (t.value, t.source) for t in run.tags.assigned} == {
            "tagbase/partition": (key, "system")
        }


def test_a_launch_by_job_name_is_checked_against_the_catalog(client: Client, store: Store) -> None:
    recorded(store)
    with pytest.raises(PartitionKeyError, match=r"red, green, blue"):
        client.launch_run("painting", tags={"tagbase/partition": "purple"})
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        client.launch_run("plain", tags={"tagbase/partition": "red"})
    assert client.count("run") == 0
    assert client.launch_run("painting", tags=["tagbase/partition=blue"]).status == "queued"


def test_a_template_launch_is_checked(client: Client, store: Store) -> None:
    recorded(store)
    client.create_run_template("nightly", "painting", tags={"env": "prod"})
    with pytest.raises(PartitionKeyError, match="'purple'"):
        client.launch_run_template("nightly", tags={"tagbase/partition": "purple"})
    with pytest.raises(PartitionKeyError, match="name one"):
        client.launch_run_template("nightly")
    assert client.count("run") == 0


def test_a_backfill_of_a_job_without_partitions_is_refused(client: Client, store: Store) -> None:
    recorded(store)
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        client.launch_backfill(plain, partition_keys=["a", "b"])
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        client.launch_backfill("plain", start="a", end="b")
    with pytest.raises(PartitionKeyError, match="'purple'"):
        client.launch_backfill("painting", partition_keys=["red", "purple"])
    assert client.count("run") == 0
    made = client.launch_backfill("painting", start="green", end="blue")
    assert made.partition_keys == ("green", "blue")


@sensor(job=plain)
def wrong_partition(context: object) -> RunRequest:
    return RunRequest(run_key="once", partition_key="red")


def test_a_sensor_asking_a_partition_of_a_job_without_is_an_error(
    client: Client, store: Store
) -> None:
    definitions = Definitions(jobs=[plain], sensors=[wrong_partition])
    now = datetime(2024, 3, 1, tzinfo=UTC)
    result = Daemon(definitions, store, lambda: now, heartbeat_timeout_s=30).tick()
    assert result.runs == []
    [error] = result.errors
    assert "PartitionKeyError" in error
    assert "has no partitions" in error
    assert client.count("run") == 0


def test_a_worker_fails_a_run_whose_partition_is_gone(client: Client, store: Store) -> None:
    run = client.launch_run(painting, tags={"tagbase/partition": "blue"})

    @job(name="painting", partitions_def=StaticPartitionsDefinition(["red", "green"]))
    def repainted() -> None:
        noop()

    lease = store.claim("worker-1", ["painting"], (), 0)
    assert lease is not None
    execute_claimed(Definitions(jobs=[repainted]), store, lease)
    failed = client.get_run(run.id)
    assert failed.status == "failed"
    assert "PartitionKeyError" in failed.metadata["tagbase/error"].value
    assert "'blue'" in failed.metadata["tagbase/error"].value


def test_a_retry_keeps_the_partition(client: Client, store: Store) -> None:
    recorded(store)
    run = client.launch_run(
        painting, tags={"tagbase/partition": "green", "tagbase/max_retries": "1"}
    )
    store.update("run", run.id, status="failed", source="system")
    retry = retry_if_wanted(store, run.id)
    assert retry is not None
    tags = {t.key: (t.value, t.source) for t in retry.tags.assigned}
    assert tags["tagbase/partition"] == ("green", "system")
    assert tags["tagbase/parent_run_id"] == (run.id, "system")
