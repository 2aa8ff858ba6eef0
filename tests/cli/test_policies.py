"""`tagbase tag policy` and `tagbase audit`: governed tags from the command line, and
`tagbase load` refusing definitions that lack a required tag."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from click.testing import CliRunner, Result

from tagbase import Client
from tagbase._errors import PolicyDeniedError
from tagbase.cli import cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_a_policy_is_set_shown_listed_and_deleted(client: Client) -> None:
    done = invoke(
        "tag", "policy", "set", "stage", "--allowed-values", "dev,production",
        "--assignable-by", "alice", "--assignable-by", "team:ml-leads", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)[0]["allowed_values"] == ["dev", "production"]
    shown = invoke("tag", "policy", "show", "stage")
    assert shown.exit_code == 0, shown.output
    assert "team:ml-leads" in shown.output
    listed = invoke("tag", "policy", "list", "--json")
    assert [p["target"] for p in json.loads(listed.stdout)] == ["stage"]
    assert invoke("tag", "policy", "delete", "stage").exit_code == 0
    assert client.store.get_tag_policy("stage") is None
    assert invoke("tag", "policy", "show", "stage").exit_code != 0


def test_a_refused_assignment_is_listed_by_audit(client: Client) -> None:
    assert invoke("tag", "policy", "set", "approved", "--assignable-by", "alice").exit_code == 0
    client.create("asset", "data")
    with contextlib.suppress(PolicyDeniedError):
        client.store.add_tags("asset", "data", tags=["approved"], actor="bob")
    listed = invoke("audit", "list", "--json")
    assert listed.exit_code == 0, listed.output
    [entry] = json.loads(listed.stdout)
    assert (entry["actor"], entry["action"], entry["rule"]) == ("bob", "assign", "assignable_by")
    assert "bob" in invoke("audit", "list").output


PROJECT = """
from tagbase import Definitions, asset

@asset(tags={"owner_team": "ml"})
def orders():
    return [1]

@asset
def total(orders):
    return 1

@asset
def other():
    return 2

defs = Definitions(assets=[orders, total, other])
"""


def test_load_lists_every_definition_missing_a_required_tag(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "project.py"
    path.write_text(PROJECT)
    client.store.set_tag_policy("owner_team", required_on=["asset"])
    result = invoke("load", "-f", str(path))
    assert result.exit_code != 0
    assert "2 invalid definitions" in result.output
    assert "asset 'total'" in result.output
    assert "asset 'other'" in result.output
    assert "asset 'orders'" not in result.output
    assert client.store.find_named("asset", ["orders", "total", "other"]) == {}
