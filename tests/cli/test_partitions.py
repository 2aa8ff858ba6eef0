"""Partitions from the command line: `--partition KEY` (or `--tag tagbase/partition=KEY`) on
`run`, `materialize` and `launch`, checked before a run is recorded; backfills only of jobs
with partitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tagbase import Client
from tagbase.cli import cli

PROJECT = """
from tagbase import (
    DailyPartitionsDefinition, Definitions, StaticPartitionsDefinition, asset, job, op,
)

@op
def noop():
    return 1

@job(partitions_def=StaticPartitionsDefinition(["red", "green", "blue"]))
def painting():
    noop()

@job
def plain():
    noop()

@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def events(context):
    return [context.partition_key]

defs = Definitions(assets=[events], jobs=[painting, plain])
"""


@pytest.fixture
def project(tmp_path: Path) -> str:
    path = tmp_path / "project.py"
    path.write_text(PROJECT)
    return str(path)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_run_and_materialize_a_partition(client: Client, project: str) -> None:
    ran = invoke("run", "painting", "-f", project, "--partition", "green", "--json")
    assert ran.exit_code == 0, ran.output
    run = client.get_run(json.loads(ran.stdout)["run_id"])
    assert {t.key: (t.value, t.source) for t in run.tags.assigned} == {
        "tagbase/partition": ("green", "system")
    }
    made = invoke("materialize", "-f", project, "--partition", "2024-01-02", "--json")
    assert made.exit_code == 0, made.output
    [version] = client.list_artifact_versions("events").items
    assert version.tag_dict == {"tagbase/partition": "2024-01-02"}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("run", "painting", "--partition", "purple"), "'purple'"),
        (("run", "painting", "--tag", "tagbase/partition=purple"), "red, green, blue"),
        (("run", "plain", "--partition", "red"), "has no partitions"),
        (("materialize", "--partition", "2023-01-01"), "'2023-01-01'"),
        (("launch", "painting", "--partition", "purple"), "'purple'"),
        (("backfill", "plain", "--partition", "a"), "has no partitions"),
    ],
)
def test_a_partition_the_job_lacks_is_one_error_line(
    client: Client, project: str, args: tuple[str, ...], said: str
) -> None:
    result = invoke(*args, "-f", project)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 1 invalid partition key")
    assert said in result.stderr
    assert client.count("run") == 0


def test_launch_by_name_is_checked_against_the_catalog(client: Client, project: str) -> None:
    assert invoke("load", "-f", project).exit_code == 0
    refused = invoke("launch", "painting", "--partition", "purple")
    assert refused.exit_code == 1
    assert "as the catalog records it" in refused.stderr
    queued = invoke("launch", "painting", "--partition", "blue", "--json")
    assert queued.exit_code == 0, queued.output
    assert client.count("run") == 1
