"""The multi-process executor: steps in worker processes, in dependency order."""

from __future__ import annotations

import os

import pytest

from tagbase import Client, add_tags, asset, job, materialize, multiprocess_executor, op


@op
def start() -> int:
    return os.getpid()


@op
def left(pid: int) -> int:
    add_tags(["left_ran"])
    return pid


@op
def right(pid: int) -> int:
    return os.getpid()


@op
def join(a: int, b: int) -> list[int]:
    return [a, b, os.getpid()]


@op
def broken(pid: int) -> int:
    raise RuntimeError("worker failure")


@job(executor_def=multiprocess_executor.configured({"max_concurrent": 2}))
def diamond() -> None:
    pid = start()
    join(left(pid), right(pid))


@job(executor_def=multiprocess_executor)
def half_broken() -> None:
    pid = start()
    join(broken(pid), right(pid))


def test_steps_run_in_workers_and_pass_values(client: Client) -> None:
    result = diamond.execute_in_process()
    assert result.success
    start_pid, right_pid, join_pid = result.output_for_node("join")  # start's came via left
    assert os.getpid() not in {start_pid, right_pid, join_pid}
    assert client.get_run(result.run_id).tag_dict.get("left_ran") == ""
    assert {s.status for s in client.list_run_steps(result.run_id)} == {"success"}


def test_a_failure_in_a_worker_fails_the_run(client: Client) -> None:
    with pytest.raises(RuntimeError, match="worker failure"):
        half_broken.execute_in_process()
    [run] = client.list_runs()
    assert run.status == "failed"
    statuses = {s.key: s.status for s in client.list_run_steps(run.id)}
    assert statuses == {
        "start": "success",
        "broken": "failed",
        "right": "success",
        "join": "skipped",
    }


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset
def doubled(numbers: list[int]) -> list[int]:
    return [2 * n for n in numbers]


def test_assets_materialize_in_workers(client: Client) -> None:
    result = materialize([numbers, doubled], executor=multiprocess_executor)
    assert result.asset_value("doubled") == [2, 4, 6]
    assert client.get_artifact_version("doubled", 1).load() == [2, 4, 6]
