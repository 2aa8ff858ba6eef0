"""Errors speak in the caller's terms: Python names `Client()` calls, the CLI `tagbase`
commands, the API its routes; and every command and route a fix names exists."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tagbase import Client, Kind, NotFoundError
from tagbase._errors import Fix
from tagbase._fixes import (
    backfill_range,
    first_version,
    job_definitions,
    listing,
    recorded_job,
    recursive_delete,
    tag_registry,
    tag_update,
    tagging,
)
from tagbase.cli import cli
from tagbase.server import create_app
from tagbase.server._security import Security

SCOPED = [kind for kind in Kind if kind.scope is not None]
VERSIONED = [kind for kind in Kind if kind.is_version]
EVERY_FIX = [
    *(listing(kind) for kind in Kind),
    *(listing(kind, "p") for kind in SCOPED),
    *(first_version(kind, "p") for kind in VERSIONED),
    *(tagging(kind, "p" if kind.scope else None, "champion") for kind in Kind),
    tag_registry("env=prod"),
    tag_update("env=prod"),
    *(recursive_delete(kind) for kind in Kind),
    job_definitions(),
    recorded_job(),
    backfill_range(),
]


def _command_of(words: list[str]) -> click.Command:
    """The `tagbase` command that `words` (after `tagbase`) run, resolved as the CLI resolves
    them (`tagbase run JOB` runs a job); fails on an unknown one."""
    command: click.Command = cli
    while isinstance(command, click.Group):
        _, found, words = command.resolve_command(click.Context(command), words)
        assert found is not None
        command = found
    return command


@pytest.mark.parametrize("fix", EVERY_FIX, ids=lambda fix: fix.cli[:50])
def test_a_cli_fix_names_commands_that_exist_and_no_python(fix: Fix) -> None:
    assert "Client(" not in fix.cli
    assert "=True" not in fix.cli or "recursive=True" in fix.cli  # said as Python's option
    for named in re.findall(r"tagbase ([^`),]+)", fix.cli):
        _command_of(named.split())


@pytest.fixture
def api(client: Client) -> Iterator[TestClient]:
    with TestClient(create_app(client, security=Security()), base_url="http://127.0.0.1") as web:
        yield web


def test_api_fixes_name_routes_that_exist_and_no_python(api: TestClient) -> None:
    named = [route for fix in EVERY_FIX for route in _routes(fix)]
    assert {path.split("?")[0] for _, path in named} >= {f"/api/{kind.value}s" for kind in Kind}
    for method, path in named:
        answer = api.request(method, path, json={"tags": ["x"]} if method == "POST" else None)
        body = answer.json() if answer.content else None
        error = body.get("error", {}) if isinstance(body, dict) else {}
        # The catalog may lack what the path names (NotFoundError); the route must not.
        assert error.get("type") not in ("NotFound", "MethodNotAllowed"), (method, path, error)
        assert answer.status_code < 500


def _routes(fix: Fix) -> list[tuple[str, str]]:
    assert "Client(" not in fix.api
    assert "tagbase " not in fix.api or "tagbase serve" in fix.api or "tagbase load" in fix.api
    return re.findall(r"\b(GET|POST|DELETE) (/api/[^\s),]+)", fix.api)


def test_a_python_fix_names_python_calls() -> None:
    assert "Client().list('asset')" in listing(Kind.ASSET).python
    assert "recursive=True" in recursive_delete(Kind.JOB).python


def cli_error(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1, result.output
    return result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("artifact", "show", "nope"), "`tagbase artifact list`"),
        (("model", "version", "show", "churn", "1"), "`tagbase model list`"),
        (("run", "show", "nope"), "`tagbase run list`"),
        (("pipeline", "show", "nope"), "`tagbase pipeline list`"),
        (("tag", "history", "--tag", "nope"), "`tagbase tag register nope`"),
    ],
)
def test_a_cli_error_names_cli_commands(client: Client, args: tuple[str, ...], named: str) -> None:
    stderr = cli_error(*args)
    assert named in stderr
    assert "Client(" not in stderr


def test_an_api_error_names_api_routes(api: TestClient, client: Client) -> None:
    client.create_pipeline("p")
    client.create_run("p", "r")
    missing = api.get("/api/assets/nope").json()["error"]["message"]
    assert "GET /api/assets lists them" in missing
    refused = api.delete("/api/jobs/p").json()["error"]
    assert (refused["status"], "add ?recursive=true" in refused["message"]) == (409, True)
    unknown = api.get("/api/tags/nope").json()["error"]["message"]
    assert "POST /api/tags with " + json.dumps({"name": "nope"}) in unknown
    for message in (missing, refused["message"], unknown):
        assert "Client(" not in message
        assert "tagbase " not in message


def test_python_errors_keep_their_python_fix(client: Client) -> None:
    with pytest.raises(NotFoundError) as raised:
        client.get_artifact("nope")
    assert str(raised.value) == (
        "no asset 'nope'. Fix: check the name or id (Client().list('asset') lists them)"
    )
    assert raised.value.explained("cli").endswith("(`tagbase artifact list` lists them)")
