"""Re-execution: a child run of the same job, for the same partition and the same steps; from
the failure only what did not succeed, and a refusal when nothing did not. Also from the
command line: `tagbase run reexecute RUN [--from-failure]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tagbase import Client, ConflictError, StaticPartitionsDefinition, job, op
from tagbase.cli import cli
from tagbase.execution import reexecute

calls: list[str] = []
broken = {"on": True}


@op
def one() -> int:
    calls.append("one")
    return 1


@op
def flaky(value: int) -> int:
    calls.append("flaky")
    if broken["on"]:
        raise ValueError("broken for now")
    return value + 1


@op
def other() -> int:
    calls.append("other")
    return 2


@job
def steady() -> None:
    one()
    other()


@job(partitions_def=StaticPartitionsDefinition(["red", "green"]))
def sometimes() -> None:
    flaky(one())


@pytest.fixture(autouse=True)
def _fresh() -> None:
    calls.clear()
    broken["on"] = True


def test_from_the_failure_of_a_successful_run_is_refused(client: Client) -> None:
    parent = steady.execute_in_process(tags={"env": "dev"})
    with pytest.raises(ConflictError, match="has no failed step") as refused:
        reexecute(steady, parent.run_id)
    assert "from_failure=False" in str(refused.value)
    assert client.count("run") == 1
    calls.clear()
    child = reexecute(steady, parent.run_id, from_failure=False)  # what the refusal offers
    assert calls == ["one", "other"]
    tags = client.get_run(child.run_id).tag_dict
    assert (tags["tagbase/parent_run_id"], tags["env"]) == (parent.run_id, "dev")


def test_a_child_run_keeps_its_parents_partition(client: Client) -> None:
    parent = sometimes.execute_in_process(partition_key="green", raise_on_error=False)
    broken["on"] = False
    child = reexecute(sometimes, parent.run_id)
    assert child.success
    tags = {t.key: (t.value, t.source) for t in client.get_run(child.run_id).tags.assigned}
    assert tags["tagbase/partition"] == ("green", "system")


def test_a_child_of_a_subset_runs_that_subset(client: Client) -> None:
    parent = steady.execute_in_process(op_selection=["other"])
    calls.clear()
    child = reexecute(steady, parent.run_id, from_failure=False)
    assert calls == ["other"]
    assert list(child.steps) == ["other"]
    with pytest.raises(ConflictError):  # `one` never ran, and was not asked to
        reexecute(steady, parent.run_id)


def test_a_run_still_running_is_not_reexecuted_from_its_failure(client: Client) -> None:
    steady.execute_in_process()  # records the job
    parent = client.create_run("steady", status="started")
    with pytest.raises(ConflictError, match="is started"):
        reexecute(steady, parent.id)
    assert client.count("run") == 2


PROJECT = """
import os

from tagbase import Definitions, asset, define_asset_job

@asset
def start():
    return 1

@asset
def risky(start):
    if os.environ.get("TAGBASE_TEST_BROKEN") == "1":
        raise RuntimeError("still broken")
    return start + 1

defs = Definitions(assets=[start, risky], jobs=[define_asset_job("nightly", "*")])
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_cli_reexecutes_a_run(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project.py"
    project.write_text(PROJECT)
    monkeypatch.setenv("TAGBASE_TEST_BROKEN", "1")
    failed = invoke("run", "nightly", "-f", str(project), "--json")
    assert failed.exit_code == 1
    parent = json.loads(failed.stdout)["run_id"]
    monkeypatch.setenv("TAGBASE_TEST_BROKEN", "0")
    again = ["run", "reexecute", parent, "-f", str(project), "--json"]
    result = invoke(*again, "--from-failure", "--tag", "why=fixed")
    assert result.exit_code == 0, result.output
    child = json.loads(result.stdout)
    assert (child["job"], child["status"], child["steps"]) == (
        "nightly",
        "success",
        {"risky": "success"},
    )
    tags = client.get_run(child["run_id"]).tag_dict
    assert (tags["tagbase/parent_run_id"], tags["why"]) == (parent, "fixed")
    every = invoke(*again)  # without --from-failure: every step
    assert json.loads(every.stdout)["steps"] == {"start": "success", "risky": "success"}
    refused = invoke("run", "reexecute", child["run_id"], "-f", str(project), "--from-failure")
    assert refused.exit_code == 1
    assert "has no failed step" in refused.stderr
    printed = invoke("run", "reexecute", parent, "-f", str(project))
    assert printed.stdout.startswith("run nightly-")
    assert printed.stdout.endswith(": success\n")
