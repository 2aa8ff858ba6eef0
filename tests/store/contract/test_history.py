"""The tag history keeps naming an entity after it is deleted: "who held `production` on date T"
answers with a name and a version, from Python, the CLI, the API and the tag's page."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tagbase import Client, Kind
from tagbase._json import iso_time
from tagbase.cli import cli
from tagbase.server import create_app
from tagbase.server._security import Security


def now() -> datetime:
    """A moment strictly between the writes around it (the clock counts milliseconds)."""
    time.sleep(0.003)
    moment = datetime.now(UTC)
    time.sleep(0.003)
    return moment


def production_moves(client: Client) -> tuple[str, datetime]:
    """`production` on iris 1.0.0, then moved to 2.0.0, then 1.0.0 deleted. Returns 1.0.0's id
    and a moment when it held the tag."""
    client.create_tag("production", exclusive=True)
    client.create_model("iris")
    first = client.create_model_version("iris", "1.0.0", tags=["production"])
    held_then = now()
    client.create_model_version("iris", "2.0.0", tags=["production"])
    client.delete_model_version("iris", "1.0.0")
    return first.id, held_then


def test_history_names_a_deleted_holder_by_name_and_version(client: Client) -> None:
    first_id, _ = production_moves(client)
    events = client.tag_history(tag="production")
    [move] = [e for e in events if e.reason == "moved"]
    assert (move.entity.name, move.entity.scope_name, move.entity.id) == ("1.0.0", "iris", first_id)
    assert move.entity.deleted
    assert move.moved_to is not None
    assert not move.moved_to.deleted
    assert move.moved_to.display_name == "iris:2.0.0"
    [added] = [e for e in events if e.action == "added" and e.entity.deleted]
    assert added.entity.display_name == "iris:1.0.0"


def test_holders_at_a_time_name_the_deleted_holder(client: Client) -> None:
    first_id, held_then = production_moves(client)
    [ref] = client.tag_holders("production", held_then, kind=Kind.MODEL_VERSION, scope="iris")
    assert (ref.display_name, ref.id, ref.deleted) == ("iris:1.0.0", first_id, True)
    [current] = client.tag_holders("production", now(), kind=Kind.MODEL_VERSION, scope="iris")
    assert (current.display_name, current.deleted) == ("iris:2.0.0", False)


def test_a_deleted_holder_keeps_its_parents_name_when_the_parent_goes_too(client: Client) -> None:
    client.create_pipeline("nightly")
    client.create_run("nightly", "nightly-1", tags=["reviewed"])
    client.delete(Kind.JOB, "nightly", recursive=True)
    named = {(e.entity.display_name, e.entity.deleted) for e in client.tag_history(tag="reviewed")}
    assert named == {("nightly:nightly-1", True)}


def test_the_newest_entity_deleted_never_lends_its_history_to_the_next(client: Client) -> None:
    """SQLite gives a deleted newest row's id to the next row unless told otherwise: the new
    version would then seem to have held the tag."""
    client.create_tag("production", exclusive=True)
    client.create_model("iris")
    client.create_model_version("iris", "1.0.0")
    newest = client.create_model_version("iris", "2.0.0", tags=["production"])
    client.delete_model_version("iris", "2.0.0")
    after = client.create_model_version("iris", "3.0.0")
    assert after.id != newest.id
    assert client.tag_history(Kind.MODEL_VERSION, "3.0.0", scope="iris") == []
    named = {e.entity.display_name for e in client.tag_history(tag="production")}
    assert named == {"iris:2.0.0"}


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_names_a_deleted_holder(client: Client) -> None:
    _, held_then = production_moves(client)
    table = CliRunner().invoke(cli, ["tag", "history", "--tag", "production"])
    assert table.exit_code == 0, table.output
    assert "iris:1.0.0 (deleted)" in table.stdout
    holders = ["tag", "holders", "production", "--at", iso_time(held_then)]
    scoped = [*holders, "--kind", "model_version", "--scope", "iris"]
    shown = CliRunner().invoke(cli, scoped)
    assert "iris:1.0.0 (deleted)" in shown.stdout
    [ref] = cli_json(*scoped)  # type: ignore[misc]
    assert (ref["name"], ref["scope"], ref["deleted"]) == ("1.0.0", "iris", True)


def served(client: Client) -> httpx.Client:
    """The API over the client's catalog: its server's, if it has one."""
    if client.store.url.startswith(("http://", "https://")):
        return httpx.Client(base_url=client.store.url)
    return TestClient(create_app(client, security=Security()), base_url="http://127.0.0.1")


def test_the_api_names_a_deleted_holder(client: Client) -> None:
    first_id, held_then = production_moves(client)
    with served(client) as api:
        history = api.get("/api/tags/production/history").json()
        params = {"at": iso_time(held_then), "kind": "model_versions", "scope": "iris"}
        [ref] = api.get("/api/tags/production/holders", params=params).json()
    moved = next(e for e in history if e["reason"] == "moved")
    assert moved["entity"] == {
        "id": first_id,
        "kind": "model_version",
        "name": "1.0.0",
        "scope": "iris",
        "deleted": True,
    }
    assert (ref["name"], ref["deleted"]) == ("1.0.0", True)


def test_the_tag_page_names_a_deleted_holder_without_a_dead_link(client: Client) -> None:
    first_id, _ = production_moves(client)
    with served(client) as browser:
        page = browser.get("/tags/production").text
    assert "iris:1.0.0" in page
    assert 'pill-bad">deleted' in page
    assert f"/model-versions/{first_id}" not in page
