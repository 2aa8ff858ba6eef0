"""Tokens, the bind check, cross-site writes, host names and the CSRF helper for forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from tagbase._config import Config
from tagbase._errors import InvalidInputError
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Access,
    Security,
    check_bind,
    csrf_token,
    is_loopback,
    verify_csrf,
)

TOKENS = Security(read_tokens=("reader-secret",), write_tokens=("writer-secret",))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def guarded(client: Client) -> Iterator[TestClient]:
    with TestClient(create_app(client, security=TOKENS), raise_server_exceptions=False) as api:
        yield api


def test_without_a_token_nothing_is_served(guarded: TestClient) -> None:
    response = guarded.get("/api/assets")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["type"] == "AuthenticationError"
    assert guarded.get("/api/assets", headers=bearer("guess")).status_code == 401
    assert guarded.post("/api/assets", json={"name": "a"}).status_code == 401


def test_a_read_only_token_reads_but_cannot_write(guarded: TestClient) -> None:
    reader = bearer("reader-secret")
    assert guarded.get("/api/assets", headers=reader).status_code == 200
    assert guarded.get("/api/tags", headers=reader).status_code == 200
    for method, path in (
        ("POST", "/api/assets"),
        ("PATCH", "/api/assets/a"),
        ("DELETE", "/api/assets/a"),
        ("POST", "/api/tags"),
        ("POST", "/api/launch"),
    ):
        response = guarded.request(method, path, json={"name": "a"}, headers=reader)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["type"] == "PermissionDeniedError"


def test_a_read_write_token_writes(guarded: TestClient) -> None:
    writer = bearer("writer-secret")
    assert guarded.post("/api/assets", json={"name": "a"}, headers=writer).status_code == 201
    assert guarded.get("/api/assets/a", headers=writer).status_code == 200
    assert guarded.delete("/api/assets/a", headers=writer).status_code == 204


def test_the_session_cookie_carries_a_token(guarded: TestClient) -> None:
    assert guarded.get("/api/session").json() == {"access": "none", "tokens_required": True}
    assert guarded.post("/api/session", json={"token": "wrong"}).status_code == 401
    signed = guarded.post("/api/session", json={"token": "reader-secret"})
    assert signed.json()["access"] == "read"
    cookie = signed.headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert guarded.get("/api/assets").status_code == 200
    assert guarded.post("/api/assets", json={"name": "a"}).status_code == 403
    assert guarded.delete("/api/session").status_code == 204
    assert guarded.get("/api/assets").status_code == 401


def test_with_no_tokens_local_requests_may_do_everything(api: TestClient) -> None:
    assert api.get("/api/session").json() == {"access": "admin", "tokens_required": False}
    assert api.post("/api/assets", json={"name": "a"}).status_code == 201


def test_cross_site_writes_are_refused(api: TestClient) -> None:
    evil = {"Origin": "http://evil.example"}
    refused = api.post("/api/assets", json={"name": "a"}, headers=evil)
    assert refused.status_code == 403
    assert "cross-site" in refused.json()["error"]["message"]
    referer = {"Referer": "http://evil.example/page"}
    assert api.delete("/api/assets/a", headers=referer).status_code == 403
    assert api.get("/api/assets", headers=evil).status_code == 200
    same = {"Origin": "http://testserver"}
    assert api.post("/api/assets", json={"name": "a"}, headers=same).status_code == 201


def test_a_local_server_answers_only_loopback_names(client: Client) -> None:
    app = create_app(client, security=Security(allowed_hosts=frozenset({"localhost"})))
    with TestClient(app, base_url="http://127.0.0.1:3000") as local:
        assert local.get("/api/assets").status_code == 200
    with TestClient(app, base_url="http://rebound.example:3000") as rebound:
        response = rebound.get("/api/assets")
    assert response.status_code == 403
    assert "rebound.example" in response.json()["error"]["message"]


def test_tokens_compare_by_access() -> None:
    assert TOKENS.access_of("writer-secret") is Access.WRITE
    assert TOKENS.access_of("reader-secret") is Access.READ
    assert TOKENS.access_of("reader-secre") is Access.NONE
    assert TOKENS.access_of(None) is Access.NONE
    assert Security().access_of(None) is Access.WRITE


# -- binding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, Security())


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.4", "example.com"])
def test_other_addresses_need_tokens(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(InvalidInputError, match="needs tokens") as raised:
        check_bind(host, Security())
    assert "Fix:" in str(raised.value)
    check_bind(host, TOKENS)
    check_bind(host, Security(read_tokens=("r",)))


def test_tokens_from_the_environment_and_tagbase_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "tagbase.yaml").write_text("server:\n  read_tokens: [r1, r2]\n  write_tokens: [w1]\n")
    monkeypatch.delenv("TAGBASE_READ_TOKENS", raising=False)
    monkeypatch.delenv("TAGBASE_WRITE_TOKENS", raising=False)
    config = Config.load(home=home)
    assert (config.read_tokens, config.write_tokens) == (("r1", "r2"), ("w1",))
    monkeypatch.setenv("TAGBASE_WRITE_TOKENS", "a, b,")
    assert Config.load(home=home).write_tokens == ("a", "b")
    (home / "tagbase.yaml").write_text("server:\n  read_tokens: hunter2\n")
    with pytest.raises(InvalidInputError, match=r"server\.read_tokens") as raised:
        Config.load(home=home)
    assert "hunter2" not in str(raised.value)


# -- CSRF for the pages' forms ---------------------------------------------------------------


@pytest.fixture
def form_app(client: Client) -> FastAPI:
    app = create_app(client, security=Security())

    @app.get("/form")
    def form(request: Request) -> dict[str, str]:
        return {"csrf": csrf_token(request)}

    @app.post("/form", dependencies=[Depends(verify_csrf)])
    def submit() -> dict[str, bool]:
        return {"done": True}

    return app


def test_forms_need_the_csrf_token_of_the_browser(form_app: FastAPI) -> None:
    with TestClient(form_app, raise_server_exceptions=False) as browser:
        shown = browser.get("/form")
        token = shown.json()["csrf"]
        cookie = shown.headers["set-cookie"]
        assert f"{CSRF_COOKIE}={token}" in cookie
        assert "SameSite=strict" in cookie
        assert browser.get("/form").json()["csrf"] == token
        assert "set-cookie" not in browser.get("/form").headers
        assert browser.post("/form", data={"csrf_token": token}).json() == {"done": True}
        assert browser.post("/form", headers={"X-CSRF-Token": token}).status_code == 200
        missing = browser.post("/form", data={})
        assert missing.status_code == 403
        assert "CSRF" in missing.json()["error"]["message"]
        assert browser.post("/form", data={"csrf_token": "forged"}).status_code == 403
    with TestClient(form_app, raise_server_exceptions=False) as stranger:
        assert stranger.post("/form", data={"csrf_token": token}).status_code == 403
