"""The CLI loads definitions from a file or module and runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tagbase import Client
from tagbase.cli import cli

PROJECT = """
from tagbase import Definitions, MaterializeResult, asset, define_asset_job, job, op

@asset(tags={"domain": "sales"}, kinds={"python"})
def orders():
    return [1, 2, 3]

@asset
def total(orders):
    return MaterializeResult(value=sum(orders), metadata={"tagbase/row_count": len(orders)})

@op
def hello():
    return "hi"

@op
def fail(text):
    raise RuntimeError("no " + text)

@job(tags={"team": "ml"})
def greet():
    hello()

@job
def broken():
    fail(hello())

defs = Definitions(assets=[orders, total], jobs=[greet, broken, define_asset_job("sales", "*")])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project.py"
    path.write_text(PROJECT)
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_load_records_the_definitions(client: Client, project: Path) -> None:
    result = invoke("load", "-f", str(project), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "assets": ["orders", "total"],
        "jobs": ["greet", "broken", "sales"],
    }
    assert client.get_artifact("orders").tag_dict["domain"] == "sales"


def test_run_a_job_with_launch_tags(client: Client, project: Path) -> None:
    result = invoke("run", "greet", "-f", str(project), "--tag", "env=prod", "--json")
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    assert client.get_run(run_id).tag_dict == {"team": "ml", "env": "prod"}
    steps = invoke("run", "steps", run_id, "--json")
    assert [s["status"] for s in json.loads(steps.stdout)] == ["success"]


def test_a_failed_run_exits_non_zero(client: Client, project: Path) -> None:
    result = invoke("run", "broken", "-f", str(project))
    assert result.exit_code == 1
    assert "failed" in result.stdout
    [run] = client.list_runs()
    assert run.metadata["tagbase/error"].value == "RuntimeError: no hi"


def test_an_unknown_job_is_one_error_line(client: Client, project: Path) -> None:
    result = invoke("run", "gret", "-f", str(project))
    assert result.exit_code == 1
    assert "no job named 'gret'" in result.stderr
    assert "did you mean greet" in result.stderr
    assert client.count("run") == 0


def test_materialize_a_selection_and_read_the_series(client: Client, project: Path) -> None:
    for _ in range(2):
        result = invoke("materialize", "--select", "+total", "-f", str(project), "--json")
        assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["steps"] == {"orders": "success", "total": "success"}
    series = invoke("artifact", "metadata", "total", "tagbase/row_count", "--json")
    assert [point["value"] for point in json.loads(series.stdout)] == [3, 3]


def test_a_module_loads_too(client: Client, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(project.parent))
    monkeypatch.delitem(sys.modules, "project", raising=False)
    result = invoke("materialize", "-m", "project", "--select", "tag:domain=sales", "--json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["steps"]) == ["orders"]
