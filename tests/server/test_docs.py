"""The API docs: with tokens set, `/api/docs` and `/api/openapi.json` need one, as the API does;
the page's scripts and styles come from this server (the installed swagger-ui-bundle), none
from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from swagger_ui_bundle import swagger_ui_path

from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security

TOKENS = Security(read_tokens=("reader-secret",), write_tokens=("writer-secret",))


@pytest.fixture
def guarded(client: Client) -> TestClient:
    return TestClient(create_app(client, security=TOKENS), raise_server_exceptions=False)


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_with_tokens_the_docs_need_one(guarded: TestClient, path: str) -> None:
    refused = guarded.get(path)
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "AuthenticationError"

    read = guarded.get(path, headers={"Authorization": "Bearer reader-secret"})
    assert read.status_code == 200


def test_the_openapi_document_lists_the_api(guarded: TestClient) -> None:
    document = guarded.get(
        "/api/openapi.json", headers={"Authorization": "Bearer reader-secret"}
    ).json()

    assert "/api/{kind}/retag" in document["paths"]
    assert not any("docs" in path for path in document["paths"])


def test_the_docs_page_loads_nothing_from_another_site(api: TestClient) -> None:
    page = api.get("/api/docs")

    assert page.status_code == 200
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert loaded  # the page has its scripts and styles...
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded)  # ...here
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for url in loaded:
        assert api.get(url).status_code == 200, url


def test_swagger_ui_comes_from_the_installed_package(api: TestClient) -> None:
    served = api.get("/api/docs/assets/swagger-ui-bundle.js")

    assert served.content == (Path(swagger_ui_path) / "swagger-ui-bundle.js").read_bytes()
    assert api.get("/api/docs/assets/index.html").status_code == 404  # only what the page uses
