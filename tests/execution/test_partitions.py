"""Running partitions: a run's partition key is checked before the run is recorded and kept as
a system tag; a partitioned asset gets a version per partition, and its readers read the
version of their own partition."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pytest

from tagbase import (
    ArtifactConfig,
    AssetExecutionContext,
    AssetOut,
    Client,
    DailyPartitionsDefinition,
    Definitions,
    NotFoundError,
    PartitionKeyError,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    job,
    materialize,
    multi_asset,
    multiprocess_executor,
    op,
    step,
)
from tagbase._kinds import Kind
from tagbase.execution._sync import sync_definitions
from tagbase.store import Store

colours = StaticPartitionsDefinition(["red", "green", "blue"])
daily = DailyPartitionsDefinition(start_date="2024-01-01")


@op
def paint() -> str:
    return "wet"


@job(partitions_def=colours)
def painting() -> None:
    paint()


@job
def plain() -> None:
    paint()


@asset(partitions_def=daily)
def events(context: AssetExecutionContext) -> pd.DataFrame:
    day = int(context.partition_key[-2:])
    return pd.DataFrame({"day": [context.partition_key] * day})


@asset(partitions_def=daily)
def counts(events: pd.DataFrame) -> int:
    return len(events)


def sources(client: Client, run_id: str) -> dict[str, tuple[str, str]]:
    return {t.key: (t.value, t.source) for t in client.get_run(run_id).tags.assigned}


def test_a_partition_key_the_job_lacks_records_no_run(client: Client) -> None:
    with pytest.raises(PartitionKeyError, match=r"'purple'.*red, green, blue"):
        painting.execute_in_process(tags={"tagbase/partition": "purple"})
    with pytest.raises(PartitionKeyError, match="'purple'"):
        painting.execute_in_process(partition_key="purple")
    with pytest.raises(PartitionKeyError, match="name one"):
        painting.execute_in_process()
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        plain.execute_in_process(tags={"tagbase/partition": "red"})
    with pytest.raises(PartitionKeyError, match="'blue', 'red'"):
        painting.execute_in_process(tags={"tagbase/partition": "blue"}, partition_key="red")
    assert client.count("run") == 0


def test_the_partition_is_tagbases_tag_however_it_is_given(client: Client) -> None:
    by_argument = painting.execute_in_process(tags={"env": "dev"}, partition_key="red")
    by_tag = painting.execute_in_process(tags={"tagbase/partition": "green"})
    assert sources(client, by_argument.run_id) == {
        "env": ("dev", "launch"),
        "tagbase/partition": ("red", "system"),
    }
    assert sources(client, by_tag.run_id)["tagbase/partition"] == ("green", "system")


def test_a_partitioned_asset_has_a_version_per_partition(client: Client) -> None:
    materialize([events], partition_key="2024-01-02")
    materialize([events], partition_key="2024-01-03")
    versions = client.list_artifact_versions("events").items
    assert [v.tag_dict["tagbase/partition"] for v in versions] == ["2024-01-03", "2024-01-02"]
    for version in versions:
        assert [(t.key, t.source) for t in version.tags.assigned] == [
            ("tagbase/partition", "system")
        ]
        assert "tagbase/row_count" not in version.metadata
    assert [v.metadata["tagbase/partition_row_count"].value for v in versions] == [3, 2]
    found = client.list_artifact_versions("events", query="tag:tagbase/partition=2024-01-02")
    [second] = found.items
    assert client.get_artifact_version("events", second.name).load().shape == (2, 1)


def test_a_reader_reads_the_version_of_its_own_partition(client: Client) -> None:
    materialize([events], partition_key="2024-01-02")
    materialize([events], partition_key="2024-01-05")  # the newest version, of another day
    result = materialize([events, counts], selection="counts", partition_key="2024-01-02")
    assert result.asset_value("counts") == 2
    runs = client.count("run")
    with pytest.raises(NotFoundError, match="no version of partition '2024-01-04'"):
        materialize([events, counts], selection="counts", partition_key="2024-01-04")
    assert client.count("run") == runs


def test_an_asset_job_runs_the_partitions_of_its_assets(client: Client) -> None:
    defs = Definitions(assets=[events, counts], jobs=[define_asset_job("everyday", "*")])
    everyday = defs.get_job_def("everyday")
    result = everyday.execute_in_process(partition_key="2024-01-04")
    assert result.asset_value("counts") == 4
    with pytest.raises(PartitionKeyError, match="'2023-12-31'"):
        everyday.execute_in_process(partition_key="2023-12-31")
    with pytest.raises(PartitionKeyError, match="materialize"):
        materialize([events])


def test_every_asset_of_a_partitioned_multi_asset_is_per_partition(client: Client) -> None:
    @multi_asset(outs={"left": AssetOut(), "right": AssetOut()}, partitions_def=colours)
    def halves(context: AssetExecutionContext) -> tuple[str, str]:
        return context.partition_key, context.partition_key.upper()

    materialize([halves], partition_key="blue")
    for name in ("left", "right"):
        [version] = client.list_artifact_versions(name).items
        assert version.tag_dict["tagbase/partition"] == "blue"


def test_partitions_travel_to_worker_processes(client: Client) -> None:
    materialize([events, counts], partition_key="2024-01-03", executor=multiprocess_executor)
    [version] = client.list_artifact_versions("counts").items
    assert version.tag_dict["tagbase/partition"] == "2024-01-03"
    assert client.get_artifact_version("counts", version.name).load() == 3


def test_artifacts_of_a_partitioned_job_are_per_partition(client: Client) -> None:
    @step
    def mix() -> Annotated[str, ArtifactConfig(name="pot")]:
        return "wet"

    @job(partitions_def=colours)
    def mixing() -> None:
        mix()

    @job(name="mixing_once")
    def once() -> None:
        mix()

    mixing.execute_in_process(partition_key="red")
    once.execute_in_process()
    latest, first = client.list_artifact_versions("pot").items
    assert first.tag_dict == {"tagbase/partition": "red"}
    assert "tagbase/partition" not in latest.tag_dict


def test_the_catalog_records_a_jobs_partitions(client: Client, store: Store) -> None:
    sync_definitions(Definitions(jobs=[painting, plain]), store)
    recorded = client.get(Kind.JOB, "painting").metadata["tagbase/partitions"]
    assert recorded.value == {"type": "static", "keys": ["red", "green", "blue"]}
    assert "tagbase/partitions" not in client.get(Kind.JOB, "plain").metadata

    @job(name="painting")
    def unpartitioned() -> None:
        paint()

    sync_definitions(Definitions(jobs=[unpartitioned]), store)
    assert client.get(Kind.JOB, "painting").metadata["tagbase/partitions"].value is None
