"""The limits through the API, on SQLite and PostgreSQL: a 400 (or a 413 for the body) naming
the limit, nothing written, and every read still answering."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase import job, op
from tagbase._limits import MAX_REQUEST_BODY_BYTES
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.server import create_app
from tagbase.server._security import Security


def error_of(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def deep_body(name: str, depth: int) -> str:
    return f'{{"name": "{name}", "metadata": {{"x": ' + "[" * depth + "1" + "]" * depth + "}}"


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("depth", [65, 256, 300, 490])
def test_deep_metadata_is_a_400_and_reads_go_on(api: TestClient, depth: int) -> None:
    assert api.post("/api/models", json={"name": "kept"}).status_code == 201
    error = error_of(api.post("/api/models", content=deep_body("deep", depth), headers=JSON))
    assert error["type"] == "MetadataValidationError"
    assert "more than 64 levels deep" in error["problems"][0]["rule"]
    deep_dicts = '{"metadata": {"x": ' + '{"a": ' * depth + "1" + "}" * depth + "}}"
    logged = api.post("/api/models/kept/metadata", content=deep_dicts, headers=JSON)
    assert error_of(logged)["type"] == "MetadataValidationError"
    listed = api.get("/api/models")
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["items"]] == ["kept"]
    assert api.get("/api/models/kept").status_code == 200
    assert api.get("/api/models/kept/metadata").json() == []
    assert api.post("/api/models", content=deep_body("deep", 63), headers=JSON).status_code == 201


@pytest.mark.parametrize("page", [2**63, 2**62, 2**70, 1_000_001])
def test_a_page_past_the_limit_is_a_400(api: TestClient, page: int) -> None:
    error = error_of(api.get("/api/models", params={"page": page}))
    assert error["type"] == "LimitExceededError"
    assert "1,000,000 pages" in error["message"]
    assert api.get("/api/models", params={"page": 1_000_000}).status_code == 200


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, 2**1100])
def test_integers_beyond_64_bits_are_a_400(api: TestClient, number: int) -> None:
    body = f'{{"name": "m", "metadata": {{"n": {number}, "j": {{"n": 1}}}}}}'
    error = error_of(api.post("/api/models", content=body, headers=JSON))
    assert "64-bit signed" in error["problems"][0]["rule"]
    assert api.get("/api/models/count").json() == {"count": 0}


def test_nan_and_infinity_read_back_as_their_names(api: TestClient) -> None:
    body = '{"name": "m", "metadata": {"nan": NaN, "inf": Infinity, "ninf": -Infinity}}'
    assert api.post("/api/models", content=body, headers=JSON).status_code == 201
    metadata = api.get("/api/models/m").json()["metadata"]
    assert {key: value["value"] for key, value in metadata.items()} == {
        "nan": "NaN",
        "inf": "Infinity",
        "ninf": "-Infinity",
    }
    assert {value["type"] for value in metadata.values()} == {"float"}


NUL_REQUESTS = [
    ("get", "/api/models/a%00b", None),
    ("get", "/api/models?query=name%3Aa%00", None),
    ("get", "/api/models?name=a%00", None),
    ("get", "/api/models?tags=equals%3Aenv%3D%00", None),
    ("get", "/api/model_versions?scope=a%00", None),
    ("get", "/api/models/facets?key=a%00", None),
    ("get", "/api/models/m/metadata?key=a%00", None),
    ("get", "/api/tags/a%00b", None),
    ("delete", "/api/models/m/tags?tag=a%00", None),
    ("post", "/api/models", {"name": "a\x00b"}),
    ("post", "/api/models", {"name": "n", "description": "a\x00b"}),
    ("post", "/api/models", {"name": "n", "tags": {"k": "a\x00b"}}),
    ("post", "/api/models", {"name": "n", "metadata": {"k": {"a": "x\x00"}}}),
    ("post", "/api/tags", {"name": "t", "description": "a\x00"}),
    ("patch", "/api/tags/env=prod", {"description": "a\x00"}),
    ("post", "/api/models/m/metadata", {"metadata": {"a\x00": 1}}),
]


@pytest.mark.parametrize(("method", "url", "body"), NUL_REQUESTS)
def test_nul_anywhere_is_a_typed_400(
    api: TestClient, method: str, url: str, body: dict[str, Any] | None
) -> None:
    assert api.post("/api/models", json={"name": "m", "tags": {"env": "prod"}}).status_code == 201
    response = api.request(method.upper(), url, json=body)
    error = error_of(response)
    typed = ("InvalidInputError", "QueryError", "TagValidationError", "MetadataValidationError")
    assert error["type"] in typed
    assert "NUL" in response.text
    assert [item["name"] for item in api.get("/api/models").json()["items"]] == ["m"]
    assert api.get("/api/tags/env=prod").json()["description"] is None


def test_lone_surrogates_and_control_characters_are_typed_400s(api: TestClient) -> None:
    surrogate = b'{"name": "t", "description": "a\\ud800"}'
    assert (
        "lone surrogate"
        in error_of(api.post("/api/tags", content=surrogate, headers=JSON))["message"]
    )
    named = error_of(api.post("/api/models", json={"name": "a\x1b[31mb"}))
    assert "control character" in named["message"]
    assert api.get("/api/tags").json() == []
    assert api.get("/api/models/count").json() == {"count": 0}


def test_a_run_status_off_its_set_is_a_400(api: TestClient, client: Client) -> None:
    client.create_pipeline("daily")
    error = error_of(api.post("/api/runs", json={"scope": "daily", "status": "bogus"}))
    assert "queued, started, success, failed, canceled" in error["message"]
    run = api.post("/api/runs", json={"scope": "daily", "status": "success"}).json()
    assert error_of(api.patch(f"/api/runs/{run['id']}", json={"status": "done"}))
    assert api.get(f"/api/runs/{run['id']}").json()["status"] == "success"


# -- the request body -----------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(api: TestClient) -> None:
    too_big = b"x" * (MAX_REQUEST_BODY_BYTES + 1)  # not even JSON: refused unread
    error = error_of(api.post("/api/models", content=too_big, headers=JSON), 413)
    assert error["type"] == "PayloadTooLargeError"
    assert "16,777,216 bytes (16 MiB)" in error["message"]
    assert api.get("/api/models/count").json() == {"count": 0}


def test_a_chunked_body_is_counted_as_it_arrives(api: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b" " * (1 << 20)

    error = error_of(api.post("/api/models", content=chunks(), headers=JSON), 413)
    assert "16 MiB" in error["message"]
    fits = '{"name": "m", "description": "' + "d" * 65_536 + '"}'
    assert api.post("/api/models", content=fits, headers=JSON).status_code == 201


# -- execution tags at launch ---------------------------------------------------------------


@op
def noop() -> int:
    return 1


@job
def trivial() -> None:
    noop()


@pytest.fixture(params=[False, True], ids=["in-server", "queued"])
def launcher(request: pytest.FixtureRequest, client: Client) -> Iterator[TestClient]:
    app: FastAPI = create_app(
        client,
        definitions=Definitions(jobs=[trivial]),
        security=Security(),
        queue=request.param,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.launcher.wait(30)


@pytest.mark.parametrize(
    "tag",
    [f"tagbase/priority={2**63}", "tagbase/max_runtime=inf", f"tagbase/max_retries={2**64}"],
)
def test_out_of_range_execution_tags_are_a_400_at_launch(launcher: TestClient, tag: str) -> None:
    error = error_of(launcher.post("/api/launch", json={"job": "trivial", "tags": [tag]}))
    assert error["type"] == "TagValidationError"
    assert tag.split("=")[0] in error["message"]
    assert launcher.get("/api/runs/count").json() == {"count": 0}
