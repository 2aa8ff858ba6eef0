"""Governed tags over REST: policies read by anyone, set by admins; refusals in the one error
shape (403 PolicyDeniedError, 400 TagNotAllowedError) that change nothing and are audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tagbase import EntitySpec, Kind
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security


@pytest.fixture
def api(client: Client) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    store = client.store
    store.create_user("ada", role="admin")
    store.create_user("lead", role="editor", teams=["ml-leads"])
    store.create_user("bob", role="editor")
    store.add(EntitySpec(Kind.ASSET, "orders"))
    headers = {
        name: {"Authorization": f"Bearer {store.create_token(name)[0]}"}
        for name in ("ada", "lead", "bob")
    }
    app = create_app(client, security=Security(actor="configured-user"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, headers


def _error(response, status: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["type"] == kind
    return str(response.json()["error"]["message"])


def test_only_an_admin_sets_a_policy_and_everyone_reads_it(api) -> None:  # type: ignore[no-untyped-def]
    http, as_ = api
    body = {"allowed_values": ["dev", "production"], "assignable_by": ["team:ml-leads"]}
    _error(http.put("/api/tags/policies/stage", json=body, headers=as_["bob"]), 403,
           "PermissionDeniedError")  # fmt: skip
    done = http.put("/api/tags/policies/stage", json=body, headers=as_["ada"])
    assert done.status_code == 200, done.text
    assert done.json()["assignable_by"] == ["team:ml-leads"]
    read = http.get("/api/tags/policies/stage", headers=as_["bob"])
    assert read.json()["allowed_values"] == ["dev", "production"]
    assert [p["target"] for p in http.get("/api/tags/policies", headers=as_["bob"]).json()] == [
        "stage"
    ]
    _error(http.get("/api/tags/policies/nope", headers=as_["bob"]), 404, "NotFoundError")
    bad = {"assignable_by": ["role:boss"]}
    _error(http.put("/api/tags/policies/x", json=bad, headers=as_["ada"]), 400,
           "InvalidInputError")  # fmt: skip


def test_refusals_are_403_and_400_change_nothing_and_are_audited(api, client: Client) -> None:  # type: ignore[no-untyped-def]
    http, as_ = api
    body = {"allowed_values": ["dev", "production"], "assignable_by": ["team:ml-leads"]}
    http.put("/api/tags/policies/stage", json=body, headers=as_["ada"])
    message = _error(
        http.post("/api/assets/orders/tags", json={"tags": ["stage=dev"]}, headers=as_["bob"]),
        403,
        "PolicyDeniedError",
    )
    assert "team:ml-leads" in message
    assert "stage=dev" in message
    message = _error(
        http.post("/api/assets/orders/tags", json={"tags": ["stage=qa"]}, headers=as_["lead"]),
        400,
        "TagNotAllowedError",
    )
    assert "dev, production" in message
    assert client.store.get(Kind.ASSET, "orders").tags.assigned == ()
    ok = http.post("/api/assets/orders/tags", json={"tags": ["stage=dev"]}, headers=as_["lead"])
    assert ok.status_code == 200, ok.text
    _error(http.get("/api/audit", headers=as_["bob"]), 403, "PermissionDeniedError")
    audit = http.get("/api/audit", headers=as_["ada"]).json()
    assert [(a["actor"], a["rule"]) for a in audit] == [
        ("lead", "allowed_values"),
        ("bob", "assignable_by"),
    ]


def test_a_role_rule_admits_that_role_and_higher(api, client: Client) -> None:  # type: ignore[no-untyped-def]
    http, as_ = api
    http.put("/api/tags/policies/approved", json={"assignable_by": ["role:admin"]},
             headers=as_["ada"])  # fmt: skip
    refused = http.post("/api/assets/orders/tags", json={"tags": ["approved"]}, headers=as_["bob"])
    assert "role:admin" in _error(refused, 403, "PolicyDeniedError")
    ok = http.post("/api/assets/orders/tags", json={"tags": ["approved"]}, headers=as_["ada"])
    assert ok.status_code == 200, ok.text
    http.put("/api/tags/policies/reviewed", json={"assignable_by": ["role:editor"]},
             headers=as_["ada"])  # fmt: skip
    for user in ("bob", "ada"):
        done = http.post(
            "/api/assets/orders/tags", json={"tags": [f"reviewed={user}"]}, headers=as_[user]
        )
        assert done.status_code == 200, done.text
