"""Each JSON shape, as the CLI's `--json` prints it, is what the API sends and what its OpenAPI
schema describes: the same keys in the same order, at every level, and the same values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tagbase._json import EventOut, StepOut, json_default
from tagbase._run_records import RunEvent, StepRecord
from tagbase.cli import cli


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def resolved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema `schema` names (through $ref, anyOf with null, arrays and maps)."""
    if "$ref" in schema:
        return resolved(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            return resolved(option, components)
    if "properties" in schema:
        return schema
    return None


def assert_described(data: Any, schema: dict[str, Any], components: dict[str, Any]) -> None:
    """`data` has exactly the properties of `schema`, in order, and so has every nested
    object the schema declares."""
    if isinstance(data, list):
        assert "items" in schema or "$ref" in schema or "anyOf" in schema, schema
        for item in data:
            assert_described(item, schema.get("items", schema), components)
        return
    target = resolved(schema, components)
    if target is None:
        values = schema.get("additionalProperties")
        if isinstance(data, dict) and isinstance(values, dict) and resolved(values, components):
            for value in data.values():
                assert_described(value, values, components)
        return
    assert isinstance(data, dict), data
    assert list(data) == list(target["properties"]), target.get("title")
    for key, value in data.items():
        if value is not None:
            assert_described(value, target["properties"][key], components)


@pytest.fixture
def components(api: TestClient) -> dict[str, Any]:
    schemas: dict[str, Any] = api.get("/api/openapi.json").json()["components"]["schemas"]
    return schemas


def response_schema(api: TestClient, path: str, method: str = "get") -> dict[str, Any]:
    """The schema of the success response of `method path` (`path` as the OpenAPI names it)."""
    operation = api.get("/api/openapi.json").json()["paths"][path][method]
    success = next(code for code in operation["responses"] if code.startswith("2"))
    schema: dict[str, Any] = operation["responses"][success]["content"]["application/json"][
        "schema"
    ]
    return schema


@pytest.fixture
def catalog(api: TestClient) -> None:
    api.post("/api/tags", json={"name": "champion", "exclusive": True, "color": "#eab308"})
    api.post(
        "/api/models",
        json={"name": "churn", "tags": ["env=prod", "champion"], "metadata": {"auc": 0.9}},
    )
    api.post("/api/model_versions", json={"scope": "churn", "tags": ["champion"]})
    api.post("/api/assets", json={"name": "orders", "metadata": {"rows": 10}})
    api.post("/api/assets/orders/metadata", json={"metadata": {"rows": 12}})


@pytest.mark.usefixtures("catalog")
def test_an_entity_is_one_shape_in_the_cli_and_the_api(
    api: TestClient, components: dict[str, Any]
) -> None:
    from_api = api.get("/api/models/churn").json()
    from_cli = cli_json("model", "show", "churn")

    assert from_cli == from_api
    assert_described(from_cli, response_schema(api, "/api/{kind}/{ref}"), components)
    assert from_cli["tags"]  # so the nested shapes were checked too
    assert from_cli["metadata"]


@pytest.mark.usefixtures("catalog")
def test_a_version_names_its_parent_by_a_ref(api: TestClient, components: dict[str, Any]) -> None:
    from_api = api.get("/api/model_versions").json()
    from_cli = cli_json("model", "version", "list", "churn")

    assert from_cli == from_api["items"]
    assert from_cli[0]["scope"]["name"] == "churn"
    assert_described(from_api, response_schema(api, "/api/{kind}"), components)


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("command", "path", "openapi_path"),
    [
        (("tag", "list"), "/api/tags", "/api/tags"),
        (("tag", "history", "--tag", "champion"), "/api/tags/champion/history", None),
        (("artifact", "metadata", "orders", "rows"), "/api/assets/orders/series?key=rows", None),
    ],
)
def test_a_list_is_one_shape_in_the_cli_and_the_api(
    api: TestClient,
    components: dict[str, Any],
    command: tuple[str, ...],
    path: str,
    openapi_path: str | None,
) -> None:
    from_api = api.get(path).json()
    from_cli = cli_json(*command)

    assert from_cli == from_api
    assert from_cli
    named = (
        openapi_path
        or {
            "tag": "/api/tags/{name}/history",
            "artifact": "/api/{kind}/{ref}/series",
        }[command[0]]
    )
    assert_described(from_cli, response_schema(api, named), components)


@pytest.mark.usefixtures("catalog")
def test_holders_are_refs_in_the_cli_and_the_api(
    api: TestClient, components: dict[str, Any]
) -> None:
    at = datetime.now(UTC).isoformat()
    from_api = api.get("/api/tags/champion/holders", params={"at": at}).json()
    from_cli = cli_json("tag", "holders", "champion", "--at", at)

    assert from_cli == from_api
    assert len(from_cli) == 2
    assert_described(from_cli, response_schema(api, "/api/tags/{name}/holders"), components)


@pytest.mark.usefixtures("catalog")
def test_a_retagging_and_a_deleted_tag_are_one_shape(
    api: TestClient, components: dict[str, Any]
) -> None:
    body = {"query": "tag:env=prod", "add": ["reviewed"], "dry_run": True}
    from_api = api.post("/api/models/retag", json=body).json()
    from_cli = cli_json(
        "tag", "add", "--kind", "model", "--filter", "tag:env=prod", "reviewed", "--dry-run"
    )

    assert from_cli == from_api
    assert_described(from_cli, response_schema(api, "/api/{kind}/retag", "post"), components)

    deleted = cli_json("tag", "delete", "champion", "--yes")
    assert deleted == {"name": "champion", "removed_from": 2}
    assert_described(deleted, response_schema(api, "/api/tags/{name}", "delete"), components)


def test_steps_and_events_print_as_the_api_describes_them(
    api: TestClient, components: dict[str, Any]
) -> None:
    started = datetime(2024, 5, 1, 12, 0, 3, 123000, tzinfo=UTC)
    step = StepRecord("run-1", "clean", "clean", "success", started, started, None)
    event = RunEvent("run-1", started, "step_success", "clean", None)

    printed_step = json.loads(json.dumps(StepOut.of(step), default=json_default))
    printed_event = json.loads(json.dumps(EventOut.of(event), default=json_default))

    assert printed_step["started_at"] == printed_event["at"] == "2024-05-01T12:00:03.123Z"
    steps_path, events_path = "/api/runs/{ref}/steps", "/api/runs/{ref}/events"
    assert_described([printed_step], response_schema(api, steps_path), components)
    assert_described([printed_event], response_schema(api, events_path), components)
