"""Every entity kind through the API: create, get, list, count, facets, update, delete."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tagbase.cli import cli

# kind path, parent kind path (None: top level), a name (None: numbered)
KINDS = [
    ("assets", None, "orders"),
    ("artifacts", None, "orders"),
    ("asset_versions", "assets", None),
    ("artifact_versions", "artifacts", "2024-06-15"),
    ("ops", None, "clean"),
    ("steps", None, "clean"),
    ("jobs", None, "daily"),
    ("pipelines", None, "daily"),
    ("runs", "jobs", None),
    ("run_templates", "jobs", "nightly"),
    ("models", None, "churn"),
    ("model_versions", "models", None),
]


def create(api: TestClient, kind: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"/api/{kind}", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def with_parent(api: TestClient, kind: str, parent: str | None, name: str | None) -> dict[str, Any]:
    scope = None
    if parent is not None:
        scope = create(api, parent, name="parent")["name"]
    return create(api, kind, name=name, scope=scope, tags=["env=dev", "nightly"])


@pytest.mark.parametrize(("kind", "parent", "name"), KINDS)
def test_create_get_update_delete(
    api: TestClient, kind: str, parent: str | None, name: str | None
) -> None:
    created = with_parent(api, kind, parent, name)
    assert {t["name"] for t in created["tags"]} >= {"env=dev", "nightly"}
    by_id = api.get(f"/api/{kind}/{created['id']}").json()
    assert by_id["id"] == created["id"]
    scope = None if parent is None else "parent"
    by_name = api.get(f"/api/{kind}/{created['name']}", params={"scope": scope})
    assert by_name.json()["id"] == created["id"]

    changes = {
        "description": "d",
        "status": "success",  # a run's status is one of its set; other kinds take any
        "add_tags": {"env": "prod"},
        "metadata": {"n": 3},
    }
    updated = api.patch(f"/api/{kind}/{created['id']}", json=changes).json()
    assert updated["description"] == "d"
    assert updated["status"] == "success"
    assert {t["name"] for t in updated["tags"]} >= {"env=prod", "nightly"}
    assert "env=dev" not in {t["name"] for t in updated["tags"]}
    assert updated["metadata"]["n"] == {"type": "int", "value": 3}

    assert api.delete(f"/api/{kind}/{created['id']}").status_code == 204
    assert api.get(f"/api/{kind}/{created['id']}").status_code == 404


def test_scoped_entities_by_name_need_their_scope(api: TestClient) -> None:
    create(api, "models", name="churn")
    version = create(api, "model_versions", scope="churn", name="v1")
    assert version["scope"]["name"] == "churn"
    assert version["version"] == "v1"
    assert (
        api.get("/api/model_versions/v1", params={"scope": "churn"}).json()["id"] == version["id"]
    )
    numbered = create(api, "model_versions", scope="churn")
    by_number = api.get(f"/api/model_versions/{numbered['number']}", params={"scope": "churn"})
    assert by_number.json()["id"] == numbered["id"]
    listed = api.get("/api/model_versions", params={"scope": "churn"}).json()
    assert [item["id"] for item in listed["items"]] == [numbered["id"], version["id"]]
    assert api.post("/api/model_versions", json={"name": "v2"}).status_code == 400


def test_names_with_slashes(api: TestClient) -> None:
    created = create(api, "assets", name="warehouse/orders")
    assert api.get("/api/assets/warehouse/orders").json()["id"] == created["id"]
    tagged = api.post("/api/assets/warehouse/orders/tags", json={"tags": ["x"]}).json()
    assert "x" in {t["name"] for t in tagged["tags"]}


def test_owners_and_their_validation(api: TestClient) -> None:
    created = create(api, "assets", name="a", owners=["ana@example.com", "team:data"])
    assert created["owners"] == ["ana@example.com", "team:data"]
    replaced = api.patch("/api/assets/a", json={"owners": ["team:ml"]}).json()
    assert replaced["owners"] == ["team:ml"]
    bad = api.patch("/api/assets/a", json={"owners": ["nobody"]})
    assert bad.json()["error"]["type"] == "OwnerValidationError"


def test_rename(api: TestClient) -> None:
    create(api, "jobs", name="old")
    assert api.patch("/api/jobs/old", json={"name": "new"}).json()["name"] == "new"
    assert api.get("/api/jobs/new").status_code == 200


def test_delete_recursive(api: TestClient) -> None:
    create(api, "models", name="m")
    create(api, "model_versions", scope="m")
    assert api.delete("/api/models/m").status_code == 409
    assert api.delete("/api/models/m", params={"recursive": True}).status_code == 204
    assert api.get("/api/model_versions", params={"scope": "m"}).status_code == 404


# -- lists ------------------------------------------------------------------------------------


@pytest.fixture
def runs(api: TestClient) -> list[dict[str, Any]]:
    create(api, "jobs", name="etl")
    teams = ["ml", "data", "ml", "web", "ml"]
    return [
        create(api, "runs", scope="etl", tags={"team": team, "exp": f"exp-{i}"})
        for i, team in enumerate(teams)
    ]


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_list_newest_first_with_query_and_tags(api: TestClient, runs: list[dict[str, Any]]) -> None:
    everything = api.get("/api/runs").json()
    assert names(everything) == [run["name"] for run in reversed(runs)]
    assert everything["total"] == 5
    ml = api.get("/api/runs", params={"query": "tag:team=ml"}).json()
    assert ml["total"] == 3
    both = api.get("/api/runs", params={"query": "tag:team=ml", "tags": ["notequals:exp=exp-0"]})
    assert both.json()["total"] == 2
    prefix = api.get("/api/runs", params={"tags": ["startswith:team=w"]}).json()
    assert names(prefix) == [runs[3]["name"]]
    assert api.get("/api/runs", params={"scope": "etl"}).json()["total"] == 5


def test_pages_and_cursors(api: TestClient, runs: list[dict[str, Any]]) -> None:
    first = api.get("/api/runs", params={"size": 2}).json()
    assert first["total_pages"] == 3
    second = api.get("/api/runs", params={"size": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/runs", params={"size": 2, "cursor": second["next_cursor"]}).json()
    assert third["next_cursor"] is None
    walked = names(first) + names(second) + names(third)
    assert walked == [run["name"] for run in reversed(runs)]
    assert names(api.get("/api/runs", params={"size": 2, "page": 2}).json()) == names(second)
    uncounted = api.get("/api/runs", params={"size": 2, "total": False}).json()
    assert (uncounted["total"], uncounted["total_pages"]) == (None, None)
    assert uncounted["next_cursor"] == first["next_cursor"]
    bad = api.get("/api/runs", params={"cursor": "garbage"})
    assert bad.json()["error"]["type"] == "InvalidInputError"


def test_count_and_facets(api: TestClient, runs: list[dict[str, Any]]) -> None:
    assert api.get("/api/runs/count").json() == {"count": 5}
    assert api.get("/api/runs/count", params={"query": "not tag:team=ml"}).json() == {"count": 2}
    facets = api.get("/api/runs/facets", params={"key": "team"}).json()
    assert facets == {
        "key": "team",
        "values": [
            {"value": "ml", "count": 3},
            {"value": "data", "count": 1},
            {"value": "web", "count": 1},
        ],
    }
    within = api.get("/api/runs/facets", params={"key": "team", "query": "tag:exp=exp-3"}).json()
    assert within["values"] == [{"value": "web", "count": 1}]


def test_retag_dry_run_then_for_real(api: TestClient, runs: list[dict[str, Any]]) -> None:
    body = {"query": "tag:team=ml", "add": ["reviewed"], "remove": ["exp"], "dry_run": True}
    dry = api.post("/api/runs/retag", json=body).json()
    assert dry["matched"] == 3
    assert dry["dry_run"] is True
    assert api.get("/api/runs/count", params={"query": "tag:reviewed"}).json()["count"] == 0
    done = api.post("/api/runs/retag", json={**body, "dry_run": False}).json()
    assert done["matched"] == 3
    assert len(done["sample"]) == 3
    assert api.get("/api/runs/count", params={"query": "tag:reviewed"}).json()["count"] == 3
    assert api.get("/api/runs/count", params={"query": "tag:exp"}).json()["count"] == 2


def test_retag_reports_matched_and_changed(api: TestClient, runs: list[dict[str, Any]]) -> None:
    body = {"query": "tag:team=ml", "add": ["reviewed"]}
    assert api.post("/api/runs/retag", json=body).json()["changed"] == 3

    again = api.post("/api/runs/retag", json=body).json()

    assert (again["matched"], again["changed"]) == (3, 0)


@pytest.mark.parametrize("blank", [{}, {"query": ""}, {"query": " "}, {"tags": []}])
def test_retag_without_a_query_is_refused_unless_all(
    api: TestClient, runs: list[dict[str, Any]], blank: dict[str, Any]
) -> None:
    refused = api.post("/api/runs/retag", json={**blank, "remove": ["team"]})
    assert refused.status_code == 400
    assert '"all": true' in refused.json()["error"]["message"]
    assert api.get("/api/runs/count", params={"query": "tag:team"}).json()["count"] == 5

    done = api.post("/api/runs/retag", json={**blank, "remove": ["team"], "all": True})

    assert done.json()["changed"] == 5
    assert api.get("/api/runs/count", params={"query": "tag:team"}).json()["count"] == 0


def test_the_cli_shows_an_entity_in_the_api_shape(api: TestClient) -> None:
    create(api, "models", name="churn", tags=["env=prod"], metadata={"accuracy": 0.9})
    from_api = api.get("/api/models/churn").json()

    shown = CliRunner().invoke(cli, ["model", "show", "churn", "--json"])
    from_cli = json.loads(shown.stdout)

    assert from_cli.keys() == from_api.keys()
    assert from_cli["tags"][0].keys() == from_api["tags"][0].keys()
    assert (
        from_cli["metadata"]
        == from_api["metadata"]
        == {"accuracy": {"type": "float", "value": 0.9}}
    )
    assert datetime.fromisoformat(from_cli["created_at"]) == datetime.fromisoformat(
        from_api["created_at"]
    )
