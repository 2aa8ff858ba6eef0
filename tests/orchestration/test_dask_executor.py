"""The Dask executor: a run's steps as tasks on a Dask cluster (a LocalCluster here), with
the same records as in process; op tags become Dask resources and annotations."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import LocalCluster

from tagbase import (
    Client,
    ExecutorDefinition,
    asset,
    dask_executor,
    in_process_executor,
    job,
    materialize,
    op,
)
from tagbase.definitions._plan import plan_job
from tagbase.execution._dask import task_options


@op
def source() -> int:
    return 1


def _leaf(index: int) -> Any:
    tags = {"dask/resources": {"GPU": 1}} if index == 0 else {"group": f"g{index % 3}"}

    @op(name=f"leaf_{index}", tags=tags)
    def leaf(value: int) -> int:
        return value + index

    return leaf


LEAVES = [_leaf(index) for index in range(19)]


@job
def fan_out() -> None:
    value = source()
    for leaf in LEAVES:
        leaf(value)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        resources={"GPU": 1},
    ) as made:
        yield made


def records(client: Client, run_id: str) -> dict[str, Any]:
    steps = {s.key: s.status for s in client.list_run_steps(run_id)}
    events: dict[str | None, list[str]] = {}
    for event in client.list_run_events(run_id):
        # On a cluster every output travels through the artifact store; where it went is
        # one more event (`step_output`) that a run in process has no need of.
        if event.event != "step_output":
            events.setdefault(event.step, []).append(event.event)
    run = client.get_run(run_id)
    return {"steps": steps, "events": events, "status": run.status, "tags": run.tag_dict}


def test_a_job_of_20_ops_runs_on_dask_as_in_process(client: Client, cluster: LocalCluster) -> None:
    on_dask = dask_executor.configured({"address": cluster.scheduler_address})
    assert isinstance(on_dask, ExecutorDefinition)
    here = fan_out.execute_in_process(executor=in_process_executor, tags={"where": "x"})
    there = fan_out.execute_in_process(executor=on_dask, tags={"where": "x"})
    assert len(there.steps) == 20
    assert there.success
    assert records(client, there.run_id) == records(client, here.run_id)
    assert there.output_for_node("leaf_7") == here.output_for_node("leaf_7") == 8


def test_op_tags_become_task_options() -> None:
    plan = plan_job(fan_out)
    assert task_options(plan.step("leaf_0")) == {"resources": {"GPU": 1.0}}
    assert task_options(plan.step("leaf_1")) == {}


@asset
def stored_up() -> tuple[int, int]:
    return (1, 2)  # pickled by tagbase


@asset
def stored_down(stored_up: tuple[int, int]) -> int:
    return sum(stored_up)


def test_a_task_reads_only_verified_values(client: Client, cluster: LocalCluster) -> None:
    on_dask = dask_executor.configured({"address": cluster.scheduler_address})
    materialize([stored_up])
    assert materialize([stored_up, stored_down], selection="stored_down", executor=on_dask).success
    assert client.load_artifact("stored_down") == 3
    uri = client.get_artifact_version("stored_up", 1).uri
    assert uri is not None
    Path(uri.removeprefix("file://")).write_bytes(pickle.dumps((5, 5)))  # other bytes
    failed = materialize(
        [stored_up, stored_down], selection="stored_down", executor=on_dask, raise_on_error=False
    )
    assert not failed.success
    assert "ArtifactIntegrityError" in str(failed.steps["stored_down"].error)
    assert "asset version stored_up:1" in str(failed.steps["stored_down"].error)
