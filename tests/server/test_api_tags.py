"""Tags through the API: on one entity, the registry, history and who held a tag when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def tag_names(entity: dict[str, Any]) -> set[str]:
    return {tag["name"] for tag in entity["tags"]}


def test_add_and_remove_tags_on_an_entity(api: TestClient) -> None:
    ok(api.post("/api/assets", json={"name": "orders"}), 201)
    added = ok(api.post("/api/assets/orders/tags", json={"tags": {"env": "prod", "pii": ""}}))
    assert tag_names(added) >= {"env=prod", "pii"}
    chip = next(t for t in added["tags"] if t["name"] == "pii")
    assert chip["label"] is True
    assert chip["system"] is False
    assert chip["source"] == "user"
    removed = ok(api.delete("/api/assets/orders/tags", params={"tag": ["pii", "env"]}))
    assert not tag_names(removed) & {"pii", "env=prod"}
    history = ok(api.get("/api/assets/orders/tag_history"))
    assert [(e["tag"], e["action"]) for e in history][:2] in (
        [("pii", "removed"), ("env=prod", "removed")],
        [("env=prod", "removed"), ("pii", "removed")],
    )
    only = ok(api.get("/api/assets/orders/tag_history", params={"tag": "pii"}))
    assert {e["action"] for e in only} == {"added", "removed"}


def test_registry_crud_with_usage_counts(api: TestClient) -> None:
    body = {"name": "production", "exclusive": True, "color": "#16a34a", "description": "live"}
    created = ok(api.post("/api/tags", json=body), 201)
    assert created["registered"] is True
    assert created["exclusive"] is True
    assert created["usage_total"] == 0
    ok(api.post("/api/models", json={"name": "m"}), 201)
    ok(api.post("/api/model_versions", json={"scope": "m", "tags": ["production"]}), 201)
    got = ok(api.get("/api/tags/production"))
    assert got["usage"] == {"model_version": 1}
    assert got["usage_total"] == 1
    updated = ok(api.patch("/api/tags/production", json={"color": "#dc2626", "cascade": False}))
    assert updated["color"] == "#dc2626"
    assert updated["exclusive"] is True
    listed = ok(api.get("/api/tags", params={"registered_only": True}))
    assert [t["name"] for t in listed] == ["production"]
    assert ok(api.delete("/api/tags/production")) == {"name": "production", "removed_from": 1}
    after = ok(api.get("/api/tags/production"))
    assert (after["registered"], after["usage_total"]) == (False, 0)


def test_registering_a_registered_tag_again_is_a_conflict(api: TestClient) -> None:
    ok(api.post("/api/tags", json={"name": "production", "exclusive": True}), 201)
    response = api.post("/api/tags", json={"name": "production", "exclusive": False})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["type"] == "AlreadyExistsError"
    assert "PATCH /api/tags/production" in error["message"]
    assert "Client(" not in error["message"]
    assert ok(api.get("/api/tags/production"))["exclusive"] is True


def test_registry_refuses_bad_colours(api: TestClient) -> None:
    response = api.post("/api/tags", json={"name": "x", "color": "not a colour"})
    assert response.status_code == 400
    assert response.json()["error"]["type"] in ("TagValidationError", "InvalidInputError")


def test_tag_keys_with_slashes_and_values(api: TestClient) -> None:
    ok(api.post("/api/tags", json={"name": "team/owner=ml", "description": "d"}), 201)
    assert ok(api.get("/api/tags/team/owner=ml"))["key"] == "team/owner"
    assert ok(api.get("/api/tags", params={"key": "team/owner"}))[0]["value"] == "ml"


def test_an_exclusive_move_in_history_and_as_of(api: TestClient) -> None:
    ok(api.post("/api/tags", json={"name": "production", "exclusive": True}), 201)
    ok(api.post("/api/models", json={"name": "m"}), 201)
    first = ok(api.post("/api/model_versions", json={"scope": "m", "tags": ["production"]}), 201)
    between = datetime.now(UTC)
    second = ok(api.post("/api/model_versions", json={"scope": "m"}), 201)
    moved = ok(api.post(f"/api/model_versions/{second['id']}/tags", json={"tags": ["production"]}))
    assert next(t for t in moved["tags"] if t["name"] == "production")["exclusive"] is True
    assert "production" not in tag_names(ok(api.get(f"/api/model_versions/{first['id']}")))

    history = ok(api.get("/api/tags/production/history"))
    move = next(e for e in history if e["reason"] == "moved")
    assert move["entity"]["id"] == first["id"]
    assert move["moved_to"]["id"] == second["id"]
    by_kind = ok(api.get("/api/tags/production/history", params={"kind": "model_versions"}))
    assert len(by_kind) == len(history)

    holders_then = ok(
        api.get(
            "/api/tags/production/holders",
            params={"at": between.isoformat(), "kind": "model_versions", "scope": "m"},
        )
    )
    assert [h["id"] for h in holders_then] == [first["id"]]
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    holders_now = ok(api.get("/api/tags/production/holders", params={"at": later}))
    assert [h["id"] for h in holders_now] == [second["id"]]
    assert holders_now[0]["scope"] == "m"
