"""Users and their tokens on the server: who may do what (401/403 in the one error shape,
nothing changed), and every change recorded under the token's user."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tagbase import EntitySpec, Kind, job, op
from tagbase._errors import InvalidInputError
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.server import create_app
from tagbase.server._security import Security, check_bind


@dataclass
class Team:
    api: TestClient
    client: Client
    tokens: dict[str, str]  # user name: token

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@pytest.fixture
def team(client: Client) -> Iterator[Team]:
    store = client.store
    store.create_user("vic", role="viewer")
    store.create_user("alice", role="editor")
    store.create_user("ada", role="admin")
    store.create_user("ci", role="editor", service=True)
    tokens = {name: store.create_token(name)[0] for name in ("vic", "alice", "ada", "ci")}
    revoked, listed = store.create_token("alice", label="old")
    store.revoke_token(listed.id)
    tokens["revoked"] = revoked
    tokens["expired"] = store.create_token("alice", expires_ms=1)[0]
    client.store.add(EntitySpec(Kind.ASSET, "orders"))
    app = create_app(client, security=Security(actor="configured-user"))
    with TestClient(app, raise_server_exceptions=False) as api:
        yield Team(api, client, tokens)


def _refused(response, status: int, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["type"] == kind


def _tags_of_orders(team: Team) -> set[str]:
    return {tag.name for tag in team.client.store.get(Kind.ASSET, "orders").tags}


def test_no_token_or_a_bad_one_is_a_401_and_changes_nothing(team: Team) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer tb_guessed"},
        team.as_("revoked"),
        team.as_("expired"),
    ):
        _refused(team.api.get("/api/assets", headers=headers), 401, "AuthenticationError")
        write = team.api.post("/api/assets/orders/tags", json={"tags": ["x"]}, headers=headers)
        _refused(write, 401, "AuthenticationError")
    assert _tags_of_orders(team) == set()


def test_a_viewer_reads_but_may_not_write(team: Team) -> None:
    assert team.api.get("/api/assets", headers=team.as_("vic")).status_code == 200
    response = team.api.post(
        "/api/assets/orders/tags", json={"tags": ["x"]}, headers=team.as_("vic")
    )
    _refused(response, 403, "PermissionDeniedError")
    assert "vic is a viewer" in response.json()["error"]["message"]
    _refused(
        team.api.post("/api/assets", json={"name": "b"}, headers=team.as_("vic")),
        403,
        "PermissionDeniedError",
    )
    assert _tags_of_orders(team) == set()
    assert team.client.store.find(Kind.ASSET, "b") is None


def test_an_editor_writes_but_may_not_manage_users_tokens_or_the_registry(team: Team) -> None:
    editor = team.as_("alice")
    for method, path, body in (
        ("GET", "/api/users", None),
        ("POST", "/api/users", {"name": "mallory", "role": "admin"}),
        ("PATCH", "/api/users/alice", {"role": "admin"}),
        ("DELETE", "/api/users/ada", None),
        ("GET", "/api/tokens", None),
        ("POST", "/api/tokens", {"user": "alice"}),
        ("DELETE", "/api/tokens/1", None),
        ("POST", "/api/tags", {"name": "stage=production", "exclusive": True}),
        ("PATCH", "/api/tags/env", {"color": "red"}),
        ("DELETE", "/api/tags/env", None),
    ):
        response = team.api.request(method, path, json=body, headers=editor)
        _refused(response, 403, "PermissionDeniedError")
    assert [user.name for user in team.client.store.list_users()] == ["ada", "alice", "ci", "vic"]
    assert team.client.store.get_user("alice").role.label == "editor"  # type: ignore[union-attr]
    assert len(team.client.store.list_tokens()) == 6
    assert team.client.store.list_tags(registered_only=True) == []


def test_an_admin_manages_users_and_tokens(team: Team) -> None:
    admin = team.as_("ada")
    made = team.api.post("/api/users", json={"name": "bob", "role": "editor"}, headers=admin)
    assert made.status_code == 201
    assert made.json()["role"] == "editor"
    created = team.api.post("/api/tokens", json={"user": "bob", "label": "laptop"}, headers=admin)
    assert created.status_code == 201
    secret = created.json()["token"]
    bob = {"Authorization": f"Bearer {secret}"}
    me = team.api.get("/api/session/me", headers=bob).json()
    assert me == {"name": "bob", "role": "editor", "actor": "bob", "via": "token"}
    listed = team.api.get("/api/tokens", params={"user": "bob"}, headers=admin).json()
    assert [token["label"] for token in listed] == ["laptop"]
    assert secret not in str(listed)
    token_id = created.json()["listing"]["id"]
    assert team.api.delete(f"/api/tokens/{token_id}", headers=admin).status_code == 200
    _refused(team.api.get("/api/assets", headers=bob), 401, "AuthenticationError")
    _refused(
        team.api.post("/api/users", json={"name": "bad name", "role": "x"}, headers=admin),
        400,
        "InvalidUserNameError",
    )
    _refused(
        team.api.post("/api/users", json={"name": "bob", "role": "viewer"}, headers=admin),
        409,
        "UserExistsError",
    )
    _refused(
        team.api.patch("/api/users/nobody", json={"role": "admin"}, headers=admin),
        404,
        "UnknownUserError",
    )
    assert team.api.delete("/api/users/bob", headers=admin).status_code == 204
    assert (
        team.api.post("/api/tags", json={"name": "stage=production"}, headers=admin).status_code
        == 201
    )


def test_changes_are_recorded_under_the_tokens_user(team: Team) -> None:
    """Sync handlers run in the thread pool: the user reaches them there too."""
    alice = team.api.post(
        "/api/assets/orders/tags", json={"tags": ["env=prod"]}, headers=team.as_("alice")
    )
    assert alice.status_code == 200
    ci = team.api.post("/api/assets/orders/tags", json={"tags": ["built"]}, headers=team.as_("ci"))
    assert ci.status_code == 200
    entry = {"metadata": {"rows": 3}}
    assert (
        team.api.post("/api/assets/orders/metadata", json=entry, headers=team.as_("ci")).status_code
        == 200
    )
    removed = team.api.delete(
        "/api/assets/orders/tags", params={"tag": "env"}, headers=team.as_("alice")
    )
    assert removed.status_code == 200
    history = team.api.get("/api/assets/orders/tag_history", headers=team.as_("vic")).json()
    assert [(event["tag"], event["action"], event["actor"]) for event in history] == [
        ("env=prod", "removed", "alice"),
        ("built", "added", "service:ci"),
        ("env=prod", "added", "alice"),
    ]
    metadata = team.api.get("/api/assets/orders/metadata", headers=team.as_("vic")).json()
    assert {entry["actor"] for entry in metadata} == {"service:ci"}


def test_configured_tokens_keep_working_as_the_configured_user(client: Client) -> None:
    security = Security(read_tokens=("r-secret",), write_tokens=("w-secret",), actor="ops")
    client.store.add(EntitySpec(Kind.ASSET, "orders"))
    with TestClient(create_app(client, security=security), raise_server_exceptions=False) as api:
        writer = {"Authorization": "Bearer w-secret"}
        assert api.get("/api/session/me", headers=writer).json()["role"] == "admin"
        api.post("/api/assets/orders/tags", json={"tags": ["x"]}, headers=writer)
        reader = {"Authorization": "Bearer r-secret"}
        assert api.get("/api/session/me", headers=reader).json()["role"] == "viewer"
        _refused(
            api.post("/api/assets/orders/tags", json={"tags": ["y"]}, headers=reader),
            403,
            "PermissionDeniedError",
        )
        history = api.get("/api/assets/orders/tag_history", headers=reader).json()
    assert [(event["tag"], event["actor"]) for event in history] == [("x", "ops")]


def test_signing_in_with_a_token_sets_the_session(team: Team) -> None:
    signed = team.api.post("/api/session", json={"token": team.tokens["alice"]})
    assert signed.json() == {"access": "write", "tokens_required": True}
    assert team.api.get("/api/session/me").json()["name"] == "alice"
    _refused(
        team.api.post("/api/session", json={"token": team.tokens["revoked"]}),
        401,
        "AuthenticationError",
    )


def test_tokens_are_never_logged_nor_echoed(team: Team, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = [
        team.api.get("/api/assets", headers=team.as_(user)).text
        for user in ("revoked", "expired", "alice")
    ]
    bodies.append(team.api.post("/api/session", json={"token": team.tokens["revoked"]}).text)
    for name in ("revoked", "expired", "alice"):
        secret = team.tokens[name]
        assert secret not in caplog.text
        assert all(secret not in body for body in bodies)


def test_a_stored_token_allows_a_public_bind() -> None:
    with pytest.raises(InvalidInputError, match="token create"):
        check_bind("0.0.0.0", Security())
    check_bind("0.0.0.0", Security(), tokens_stored=True)


@op
def start() -> int:
    return 1


@job
def counting() -> None:
    start()


def test_a_run_launched_over_the_api_is_recorded_under_the_tokens_user(client: Client) -> None:
    client.store.create_user("ci", role="editor", service=True)
    secret, _ = client.store.create_token("ci")
    app = create_app(client, definitions=Definitions(jobs=[counting]), security=Security())
    with TestClient(app, raise_server_exceptions=False) as api:
        launched = api.post(
            "/api/launch",
            json={"job": "counting", "tags": ["env=prod"]},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert launched.status_code == 202, launched.text
        app.state.launcher.wait(30)
    run = client.store.get(Kind.RUN, launched.json()["id"])
    held = {tag.name: tag for tag in run.tags.assigned}["env=prod"]
    assert (held.source, held.actor) == ("launch", "service:ci")


def test_a_token_revoked_through_the_server_stops_working_at_once(team: Team) -> None:
    # alice's token is believed for a while once accepted; an admin's revocation through this
    # server must not wait for that
    assert team.api.get("/api/assets", headers=team.as_("alice")).status_code == 200
    listed = team.api.get("/api/tokens", headers=team.as_("ada")).json()
    live = [t for t in listed if t["user"] == "alice" and t["revoked_at"] is None]
    for token in live:
        assert team.api.delete(f"/api/tokens/{token['id']}", headers=team.as_("ada")).is_success
    _refused(team.api.get("/api/assets", headers=team.as_("alice")), 401, "AuthenticationError")


def test_a_user_demoted_through_the_server_loses_the_role_at_once(team: Team) -> None:
    write = {"json": {"tags": ["x"]}, "headers": team.as_("alice")}
    assert team.api.post("/api/assets/orders/tags", **write).is_success
    demoted = team.api.patch("/api/users/alice", json={"role": "viewer"}, headers=team.as_("ada"))
    assert demoted.is_success, demoted.text
    _refused(team.api.post("/api/assets/orders/tags", **write), 403, "PermissionDeniedError")


def test_a_token_revoked_in_the_database_stops_working_once_no_longer_believed(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another process (the CLI on the database) revoked it: this server asks the store again
    # once TRUSTED_S has passed since it last did, here at once
    assert team.api.get("/api/assets", headers=team.as_("ci")).status_code == 200
    store = team.client.store
    for token in store.list_tokens("ci"):
        store.revoke_token(token.id)
    monkeypatch.setattr("tagbase.server._auth.TRUSTED_S", 0.0)
    _refused(team.api.get("/api/assets", headers=team.as_("ci")), 401, "AuthenticationError")
