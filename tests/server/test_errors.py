"""Every error goes out in one shape, whatever raised it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security

SHAPE = {"type", "status", "message", "problems", "position", "query"}


def error_of(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == SHAPE
    assert body["error"]["type"] == kind
    assert body["error"]["status"] == status
    error: dict[str, Any] = body["error"]
    return error


def test_tag_problems_name_value_rule_and_fix(api: TestClient) -> None:
    response = api.post("/api/assets", json={"name": "a", "tags": ["tagbase/bad key"]})
    error = error_of(response, 400, "TagValidationError")
    problem = error["problems"][0]
    assert set(problem) == {"value", "rule", "fix"}
    assert "tagbase/bad key" in problem["value"]
    assert problem["rule"]
    assert problem["fix"]


def test_query_errors_carry_their_position(api: TestClient) -> None:
    error = error_of(
        api.get("/api/assets", params={"query": "tag:env=prod and"}), 400, "QueryError"
    )
    assert error["query"] == "tag:env=prod and"
    assert error["position"] == len("tag:env=prod and")
    assert "column" in error["message"]


def test_a_query_beyond_a_limit_is_a_400_naming_it(api: TestClient) -> None:
    query = "not " * 500 + "tag:a"
    error = error_of(api.get("/api/assets", params={"query": query}), 400, "QueryError")
    assert "MAX_QUERY_DEPTH" in error["message"]
    assert error["position"] == 4 * 32


def test_not_found_is_404(api: TestClient) -> None:
    error = error_of(api.get("/api/models/nothing"), 404, "NotFoundError")
    assert "nothing" in error["message"]


def test_conflicts_are_409(api: TestClient) -> None:
    assert api.post("/api/models", json={"name": "m"}).status_code == 201
    error_of(api.post("/api/models", json={"name": "m"}), 409, "AlreadyExistsError")


def test_request_validation_is_422_in_the_same_shape(api: TestClient) -> None:
    error = error_of(api.get("/api/assets", params={"size": 0}), 422, "RequestValidationError")
    assert error["problems"][0]["value"] == "query.size"
    error = error_of(api.post("/api/assets", json={"nme": "x"}), 422, "RequestValidationError")
    assert "body.nme" in [p["value"] for p in error["problems"]]


def test_unknown_routes_and_methods(api: TestClient) -> None:
    error_of(
        api.get("/api/tags/x/nowhere/holders", params={"at": "x"}), 422, "RequestValidationError"
    )
    error_of(api.put("/api/assets"), 405, "MethodNotAllowed")
    error_of(api.get("/no/such/page"), 404, "NotFound")


def test_an_unexpected_error_is_500_without_its_insides(client: Client) -> None:
    app: FastAPI = create_app(client, security=Security())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail in /some/file.py line 3")

    with TestClient(app, raise_server_exceptions=False) as api:
        error = error_of(api.get("/boom"), 500, "InternalError")
    assert "secret" not in error["message"]
    assert "Traceback" not in error["message"]
