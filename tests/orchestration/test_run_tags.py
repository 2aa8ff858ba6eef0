"""Every path that makes a run gives it the same tags: the job's (its `tagbase/*` execution tags
included), the launch's, tagbase's own. A launch by job name alone reads the job's tags from
the catalog; retries keep retries, priority and max runtime; `dagster/` execution keys are
aliases that take effect; tag concurrency limits and priority read the tags of the ops and
assets a run executes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tagbase import (
    Client,
    Definitions,
    RunRequest,
    StaticPartitionsDefinition,
    Tag,
    TagValidationError,
    asset,
    define_asset_job,
    job,
    op,
    sensor,
    sync_definitions,
)
from tagbase._concurrency import TagConcurrencyLimit
from tagbase.cli import cli
from tagbase.orchestration._backfill import launch_backfill
from tagbase.orchestration._daemon import Daemon
from tagbase.orchestration._retries import retry_if_wanted
from tagbase.orchestration._worker import execute_claimed
from tagbase.store import Lease, Store

EXECUTION = {
    "tagbase/max_retries": "2",
    "tagbase/retry_strategy": "all_steps",
    "tagbase/priority": "7",
    "tagbase/max_runtime": "600",
}
FLAKY_TAGS = {"team": "x", **EXECUTION}

PROJECT = """
from tagbase import job, op


@op
def explode() -> int:
    raise RuntimeError("flaky")


@job(tags={"team": "x", "tagbase/max_retries": "2", "tagbase/retry_strategy": "all_steps",
           "tagbase/priority": "7", "tagbase/max_runtime": "600"})
def flaky():
    explode()
"""


@op
def explode() -> int:
    raise RuntimeError("flaky")


@job(tags=FLAKY_TAGS)
def flaky() -> None:
    explode()


@op
def noop() -> int:
    return 1


@job(tags=[Tag("latest", exclusive=True), "nightly"])
def newest() -> None:
    noop()


colours = StaticPartitionsDefinition(["red", "green"])


@job(tags={"tagbase/priority": "3"}, partitions_def=colours)
def painting() -> None:
    noop()


def tags_of(run: object) -> dict[str, str]:
    """A run's tags that are not tagbase's own bookkeeping of this one run."""
    own = {"tagbase/parent_run_id", "tagbase/root_run_id", "tagbase/retry_number"}
    return {k: v for k, v in run.tag_dict.items() if k not in own}  # type: ignore[attr-defined]


@pytest.fixture
def recorded(client: Client) -> Definitions:
    """The jobs in the catalog, as `tagbase load` leaves them."""
    definitions = Definitions(jobs=[flaky, newest, painting])
    sync_definitions(definitions, client.store)
    return definitions


def work(store: Store, definitions: Definitions) -> Lease | None:
    """What a worker does with the next queued run: claim, run, release, retry a failure."""
    lease = store.claim("worker-1", None, (), 0)
    if lease is None:
        return None
    execute_claimed(definitions, store, lease)
    store.release(lease)
    retry_if_wanted(store, lease.run_uuid)
    return lease


# -- 1. one set of tags, whatever made the run --------------------------------------------------


def test_a_launch_by_job_name_carries_the_jobs_execution_tags(
    client: Client, recorded: Definitions
) -> None:
    by_name = client.launch_run("flaky")
    by_definition = client.launch_run(flaky)
    assert tags_of(by_name) == tags_of(by_definition) == FLAKY_TAGS
    assert {t.source for t in by_name.tags.assigned} == {"definition"}


def test_the_cli_launch_gives_the_same_tags_with_and_without_the_project(
    client: Client, recorded: Definitions, tmp_path: Path
) -> None:
    project = tmp_path / "project.py"
    project.write_text(PROJECT)
    runner = CliRunner()
    for args in (["launch", "flaky"], ["launch", "flaky", "-f", str(project)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    runs = client.list_runs(pipeline_name_or_id="flaky")
    assert len(runs) == 2
    assert [tags_of(run) for run in runs] == [FLAKY_TAGS, FLAKY_TAGS]


def test_templates_schedules_sensors_backfills_and_in_process_runs_carry_them(
    client: Client, recorded: Definitions
) -> None:
    client.create_run_template("nightly", "flaky", tags={"env": "prod"})
    template = client.launch_run_template("nightly")
    assert tags_of(template) == {**FLAKY_TAGS, "env": "prod"}

    @sensor(job=flaky)
    def poke(context: object) -> RunRequest:
        return RunRequest(run_key="one")

    daemon = Daemon(Definitions(jobs=[flaky], sensors=[poke]), client.store)
    daemon.clock = lambda: datetime(2026, 1, 1, tzinfo=UTC)
    [sensed] = daemon.tick().runs
    assert tags_of(sensed) == {**FLAKY_TAGS, "tagbase/sensor_name": "poke"}

    backfill = launch_backfill("painting", partition_keys=["red", "green"], store=client.store)
    for run_id in backfill.run_ids:
        assert client.get_run(run_id).tag_dict["tagbase/priority"] == "3"

    failed = flaky.execute_in_process(raise_on_error=False)
    assert tags_of(client.get_run(failed.run_id)) == FLAKY_TAGS


def test_a_job_launched_by_name_keeps_its_exclusive_tag(
    client: Client, recorded: Definitions
) -> None:
    first = client.launch_run("newest")
    second = client.launch_run("newest")
    assert client.get_run(first.id).tag_names == ["nightly"]
    assert client.get_run(second.id).tag_names == ["latest", "nightly"]


def test_max_retries_2_retries_twice_keeping_priority_and_max_runtime(
    client: Client, recorded: Definitions
) -> None:
    client.launch_run("flaky")
    leases = []
    while (lease := work(client.store, recorded)) is not None:
        leases.append(lease)
    assert len(leases) == 3  # the run and two retries
    runs = [client.get_run(lease.run_uuid) for lease in leases]
    assert [run.status for run in runs] == ["failed"] * 3
    assert [run.tag_dict.get("tagbase/retry_number") for run in runs] == [None, "1", "2"]
    for run, lease in zip(runs, leases, strict=True):
        assert tags_of(run) == FLAKY_TAGS
        assert lease.deadline_ms == 600_000  # claimed at 0 ms, max_runtime 600 s


def test_a_retry_is_queued_with_its_jobs_priority(client: Client, recorded: Definitions) -> None:
    waiting = client.launch_run("newest")  # priority 0, queued before either
    run = client.launch_run("flaky")
    first = client.store.claim("w", None, (), 0)
    assert first is not None
    assert first.run_uuid == run.id
    client.store.update("run", run.id, status="failed", source="system")
    client.store.release(first)
    retry = retry_if_wanted(client.store, run.id)
    assert retry is not None
    lease = client.store.claim("w", None, (), 0)
    assert lease is not None
    assert lease.run_uuid == retry.id != waiting.id


# -- 2. dagster/ execution keys are aliases -----------------------------------------------------


def test_dagster_execution_keys_are_recorded_under_tagbase_keys_and_noted(
    client: Client,
) -> None:
    @job(tags={"dagster/max_runtime": 10, "dagster/max_retries": 1})
    def aliased() -> None:
        noop()

    result = aliased.execute_in_process(tags={"dagster/priority": "5"})
    run = client.get_run(result.run_id)
    assert run.tag_dict == {
        "tagbase/max_runtime": "10",
        "tagbase/max_retries": "1",
        "tagbase/priority": "5",
    }
    assert run.metadata["tagbase/tag_aliases"].value == {
        "tagbase/max_retries": "dagster/max_retries",
        "tagbase/max_runtime": "dagster/max_runtime",
        "tagbase/priority": "dagster/priority",
    }


def test_dagster_aliases_take_effect_in_the_queue(client: Client, recorded: Definitions) -> None:
    low = client.launch_run("newest")
    high = client.launch_run("newest", tags={"dagster/priority": "9", "dagster/max_runtime": "5"})
    lease = client.store.claim("w", None, (), 1000)
    assert lease is not None
    assert (lease.run_uuid, lease.deadline_ms) == (high.id, 6000)
    assert low.id != high.id


def test_a_bad_aliased_value_is_refused_naming_the_alias(client: Client) -> None:
    with pytest.raises(TagValidationError, match="dagster/priority") as caught:
        flaky.execute_in_process(tags={"dagster/priority": "high"})
    assert "tagbase/priority" in str(caught.value)
    assert client.count("run") == 0


def test_a_bad_aliased_value_in_a_definition_is_refused_when_defined() -> None:
    with pytest.raises(TagValidationError, match="given as 'dagster/max_runtime'"):

        @job(tags={"dagster/max_runtime": "forever"})
        def endless() -> None:
            noop()

    with pytest.raises(TagValidationError, match="dagster/priority"):

        @op(tags={"dagster/priority": "high"})
        def urgent_op() -> int:
            return 1


def test_an_aliased_partition_is_checked(client: Client, recorded: Definitions) -> None:
    from tagbase import PartitionKeyError

    with pytest.raises(PartitionKeyError, match="'purple'"):
        client.launch_run("painting", tags={"dagster/partition": "purple"})
    run = client.launch_run("painting", tags={"dagster/partition": "red"})
    assert run.tag_dict["tagbase/partition"] == "red"


# -- 3. limits and priority read the tags of the ops and assets a run executes ------------------


@op(tags={"database": "redshift"})
def load_redshift() -> int:
    return 1


@op(tags={"database": "snowflake"})
def load_snowflake(value: int) -> int:
    return value


@job
def warehouse() -> None:
    load_snowflake(load_redshift())


@job
def elsewhere() -> None:
    noop()


@asset(tags={"tagbase/priority": "9", "database": "redshift"})
def urgent() -> int:
    return 1


urgent_job = define_asset_job("urgent_job", selection=["urgent"])


def drain(store: Store, limits: tuple[TagConcurrencyLimit, ...]) -> list[str]:
    """Claim everything the limits let through (nothing ends meanwhile)."""
    claimed = []
    while (lease := store.claim("w", None, limits, 0)) is not None:
        claimed.append(lease.job_name)
    return claimed


def test_a_limit_reads_the_tags_of_the_ops_a_run_executes(client: Client) -> None:
    for chosen in (warehouse, warehouse, elsewhere):
        client.launch_run(chosen)
    limits = (TagConcurrencyLimit("database", 1, "redshift"),)
    assert drain(client.store, limits) == ["warehouse", "elsewhere"]


def test_per_value_limits_count_each_value_a_run_holds(client: Client) -> None:
    client.launch_run(warehouse)  # holds database=redshift and database=snowflake
    client.launch_run("urgent_job", definitions=Definitions(assets=[urgent], jobs=[urgent_job]))
    limits = (TagConcurrencyLimit("database", 1, per_unique_value=True),)
    assert drain(client.store, limits) == ["urgent_job"]  # redshift taken: warehouse waits


def test_a_launch_by_name_reads_the_step_tags_the_catalog_recorded(client: Client) -> None:
    sync_definitions(Definitions(jobs=[warehouse, elsewhere]), client.store)
    client.launch_run("warehouse")
    client.launch_run("warehouse")
    limits = (TagConcurrencyLimit("database", 1, "snowflake"),)
    assert drain(client.store, limits) == ["warehouse"]


def test_an_assets_priority_orders_the_queue(client: Client) -> None:
    definitions = Definitions(assets=[urgent], jobs=[urgent_job, elsewhere])
    client.launch_run("elsewhere", definitions=definitions)
    client.launch_run("urgent_job", definitions=definitions)
    lease = client.store.claim("w", None, (), 0)
    assert lease is not None
    assert lease.job_name == "urgent_job"
    own = client.launch_run("elsewhere", definitions=definitions, tags={"tagbase/priority": "20"})
    assert client.store.claim("w", None, (), 0).run_uuid == own.id  # type: ignore[union-attr]
