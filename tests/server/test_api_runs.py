"""Runs through the API: launch (a job or a template), steps, events, asset versions,
re-execution, and launch errors that are refused before anything runs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase import asset, define_asset_job, job, op
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.server import create_app
from tagbase.server._security import Security

broken = {"on": True}


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@op
def start() -> int:
    return 1


@op
def flaky(value: int) -> int:
    if broken["on"]:
        raise ValueError("broken for now")
    return value + 1


@job(tags={"team": "ml"})
def counting() -> None:
    start()


@job
def sometimes() -> None:
    flaky(start())


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def served(client: Client) -> FastAPI:
    definitions = Definitions(
        assets=[numbers],
        jobs=[counting, sometimes, define_asset_job("refresh", selection="numbers")],
    )
    return create_app(client, definitions=definitions, security=Security())


@pytest.fixture
def runner(served: FastAPI) -> Any:
    with TestClient(served, raise_server_exceptions=False) as test_client:
        yield test_client
    served.state.launcher.wait(30)


def finished(runner: TestClient, served: FastAPI, run: dict[str, Any]) -> dict[str, Any]:
    served.state.launcher.wait(30)
    detail: dict[str, Any] = ok(runner.get(f"/api/runs/{run['id']}/detail"))
    return detail


def test_launchable_jobs(runner: TestClient) -> None:
    names = {job["name"] for job in ok(runner.get("/api/launchable"))}
    assert names == {"counting", "sometimes", "refresh"}


def test_launch_a_job_with_tags(runner: TestClient, served: FastAPI) -> None:
    run = ok(runner.post("/api/launch", json={"job": "counting", "tags": ["env=prod"]}), 202)
    assert run["kind"] == "run"
    assert run["scope"]["name"] == "counting"
    detail = finished(runner, served, run)
    tags = {t["name"]: t["source"] for t in detail["run"]["tags"]}
    assert tags["env=prod"] == "launch"
    assert tags["team=ml"] == "definition"
    assert detail["run"]["status"] == "success"
    assert [step["key"] for step in detail["steps"]] == ["start"]
    assert detail["steps"][0]["status"] == "success"
    events = [event["event"] for event in detail["events"]]
    assert events[:2] == ["run_queued", "run_started"]
    assert ok(runner.get(f"/api/runs/{run['id']}/steps")) == detail["steps"]
    assert ok(runner.get(f"/api/runs/{run['id']}/events")) == detail["events"]
    by_tag = ok(runner.get("/api/runs", params={"query": "tag:env=prod"}))
    assert [item["id"] for item in by_tag["items"]] == [run["id"]]


def test_a_run_lists_the_asset_versions_it_created(runner: TestClient, served: FastAPI) -> None:
    run = ok(runner.post("/api/launch", json={"job": "refresh"}), 202)
    detail = finished(runner, served, run)
    assert [v["scope"] for v in detail["asset_versions"]] == ["numbers"]
    versions = ok(runner.get("/api/asset_versions", params={"scope": "numbers"}))
    assert [v["id"] for v in versions["items"]] == [detail["asset_versions"][0]["id"]]


def test_launch_from_a_template(runner: TestClient, served: FastAPI) -> None:
    body = {"name": "nightly", "scope": "counting", "tags": {"env": "staging", "team": "x"}}
    ok(runner.post("/api/run_templates", json=body), 201)
    launched = {"template": "nightly", "tags": {"team": "data"}}
    run = ok(runner.post("/api/launch", json=launched), 202)
    tags = {t["name"] for t in finished(runner, served, run)["run"]["tags"]}
    assert {"env=staging", "team=data"} <= tags


def test_reexecute_from_the_failure(runner: TestClient, served: FastAPI) -> None:
    broken["on"] = True
    first = ok(runner.post("/api/launch", json={"job": "sometimes"}), 202)
    assert finished(runner, served, first)["run"]["status"] == "failed"
    broken["on"] = False
    try:
        again = ok(runner.post(f"/api/runs/{first['id']}/reexecute", json={}), 202)
        detail = finished(runner, served, again)
    finally:
        broken["on"] = True
    assert detail["run"]["status"] == "success"
    assert "flaky" in [step["key"] for step in detail["steps"]]
    tags = {t["key"]: t["value"] for t in detail["run"]["tags"]}
    assert tags["tagbase/parent_run_id"] == first["id"]


def test_refused_launches(runner: TestClient) -> None:
    unknown = ok(runner.post("/api/launch", json={"job": "nope"}), 404)
    assert unknown["error"]["type"] == "UnknownDefinitionError"
    bad = ok(
        runner.post("/api/launch", json={"job": "counting", "tags": ["tagbase/priority=x"]}), 400
    )
    assert bad["error"]["type"] == "TagValidationError"
    both = ok(runner.post("/api/launch", json={"job": "counting", "template": "t"}), 400)
    assert both["error"]["type"] == "TargetError"
    assert ok(runner.get("/api/runs/count"))["count"] == 0


def test_without_definitions_nothing_launches(api: TestClient) -> None:
    assert ok(api.get("/api/launchable")) == []
    error = ok(api.post("/api/launch", json={"job": "counting"}), 404)["error"]
    assert "tagbase serve -f FILE" in error["message"]


def test_run_detail_of_an_unknown_run(api: TestClient) -> None:
    assert api.get("/api/runs/nothing/detail").status_code == 404


# -- the run queue ---------------------------------------------------------------------------


@pytest.fixture
def queueing(client: Client) -> Any:
    definitions = Definitions(assets=[numbers], jobs=[counting, sometimes])
    app = create_app(client, definitions=definitions, security=Security(), queue=True)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_launches_queue_for_workers_and_cancel(queueing: TestClient, client: Client) -> None:
    run = ok(queueing.post("/api/launch", json={"job": "counting", "tags": ["env=qa"]}), 202)
    assert run["status"] == "queued"
    assert ok(queueing.get(f"/api/runs/{run['id']}"))["status"] == "queued"
    assert "env=qa" in {t["name"] for t in run["tags"]}
    canceled = ok(queueing.post(f"/api/runs/{run['id']}/cancel"))
    assert canceled["status"] == "canceled"
    again = ok(queueing.post(f"/api/runs/{run['id']}/cancel"), 409)
    assert again["error"]["type"] == "ConflictError"


def test_reexecution_queues_a_child_run(queueing: TestClient, client: Client) -> None:
    parent = client.create_run("sometimes", tags={"tagbase/priority": "1"}, status="failed")
    body = {"tags": ["why=retry"]}
    child = ok(queueing.post(f"/api/runs/{parent.id}/reexecute", json=body), 202)
    tags = {t["key"]: t["value"] for t in child["tags"]}
    assert child["status"] == "queued"
    assert tags["tagbase/parent_run_id"] == parent.id
    assert tags["tagbase/root_run_id"] == parent.id
    assert tags["why"] == "retry"


def test_a_run_inside_the_server_cannot_be_cancelled(runner: TestClient, served: FastAPI) -> None:
    run = ok(runner.post("/api/launch", json={"job": "counting"}), 202)
    served.state.launcher.wait(30)
    assert runner.post(f"/api/runs/{run['id']}/cancel").status_code == 409
    assert runner.post("/api/runs/nothing/cancel").status_code == 404


@job(tags={"team": "ml", "tagbase/max_retries": "1", "dagster/priority": "4"})
def guarded() -> None:
    start()


@pytest.mark.parametrize("queue", [True, False])
def test_an_api_launch_carries_the_jobs_execution_tags_and_aliases(
    client: Client, queue: bool
) -> None:
    definitions = Definitions(jobs=[guarded])
    app = create_app(client, definitions=definitions, security=Security(), queue=queue)
    with TestClient(app, raise_server_exceptions=False) as web:
        run = ok(web.post("/api/launch", json={"job": "guarded", "tags": ["env=qa"]}), 202)
        app.state.launcher.wait(30)
    recorded = client.get_run(run["id"])
    assert recorded.tag_dict == {
        "team": "ml",
        "tagbase/max_retries": "1",
        "tagbase/priority": "4",
        "env": "qa",
    }
    assert recorded.metadata["tagbase/tag_aliases"].value == {
        "tagbase/priority": "dagster/priority"
    }
