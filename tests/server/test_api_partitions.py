"""Partitions and re-execution through the API: a launch's partition key is checked before
the run is recorded (400, with the problem), and re-executing from the failure a run with no
failed step is a 409 — in the server and through the run queue alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tagbase import StaticPartitionsDefinition, job, op
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.server import create_app
from tagbase.server._security import Security


@op
def noop() -> int:
    return 1


@job(partitions_def=StaticPartitionsDefinition(["red", "green", "blue"]))
def painting() -> None:
    noop()


@job
def plain() -> None:
    noop()


@pytest.fixture(params=[False, True], ids=["in_server", "queue"])
def api(client: Client, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    definitions = Definitions(jobs=[painting, plain])
    app = create_app(client, definitions=definitions, security=Security(), queue=request.param)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.launcher.wait(30)


def launch(api: TestClient, body: dict[str, Any], status: int) -> Any:
    response = api.post("/api/launch", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_a_launch_for_a_partition_the_job_lacks_is_refused(api: TestClient) -> None:
    body = {"job": "painting", "tags": {"tagbase/partition": "purple"}}
    error = launch(api, body, 400)["error"]
    assert error["type"] == "PartitionKeyError"
    [problem] = error["problems"]
    assert problem["value"] == "partition key 'purple'"
    assert "red, green, blue" in problem["rule"]
    plain_error = launch(api, {"job": "plain", "tags": ["tagbase/partition=red"]}, 400)
    assert "has no partitions" in plain_error["error"]["message"]
    assert launch(api, {"job": "painting"}, 400)["error"]["type"] == "PartitionKeyError"
    assert api.get("/api/runs/count").json()["count"] == 0
    run = launch(api, {"job": "painting", "tags": {"tagbase/partition": "red"}}, 202)
    api.app.state.launcher.wait(30)  # type: ignore[attr-defined]
    tags = api.get(f"/api/runs/{run['id']}").json()["tags"]
    assert {(t["name"], t["source"]) for t in tags} == {("tagbase/partition=red", "system")}


def test_reexecuting_a_successful_run_from_its_failure_is_a_conflict(
    api: TestClient, client: Client
) -> None:
    parent = client.create_run("painting", tags={"tagbase/partition": "red"}, status="success")
    response = api.post(f"/api/runs/{parent.id}/reexecute", json={})
    assert response.status_code == 409, response.text
    assert "from its failure there is nothing to run" in response.json()["error"]["message"]
    again = api.post(f"/api/runs/{parent.id}/reexecute", json={"from_failure": False})
    assert again.status_code == 202, again.text
    api.app.state.launcher.wait(30)  # type: ignore[attr-defined]
    child = api.get(f"/api/runs/{again.json()['id']}").json()
    tags = {t["key"]: t["value"] for t in child["tags"]}
    assert (tags["tagbase/partition"], tags["tagbase/parent_run_id"]) == ("red", parent.id)
