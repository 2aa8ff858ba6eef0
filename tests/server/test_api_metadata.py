"""Metadata through the API: typed values, history, logging and numeric series."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tagbase import MetadataValue, TableColumn, TableSchema
from tagbase.client import Client


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_metadata_is_sent_with_its_type(api: TestClient, client: Client) -> None:
    schema = TableSchema(columns=[TableColumn("id", "int")])
    client.create_artifact(
        "orders",
        metadata={
            "docs": MetadataValue.url("https://example.com"),
            "notes": MetadataValue.md("# hi"),
            "tagbase/column_schema": MetadataValue.table_schema(schema),
            "rows": 3,
        },
    )
    metadata = ok(api.get("/api/assets/orders"))["metadata"]
    assert metadata["docs"] == {"type": "url", "value": "https://example.com"}
    assert metadata["notes"]["type"] == "md"
    assert metadata["rows"] == {"type": "int", "value": 3}
    assert metadata["tagbase/column_schema"]["type"] == "table_schema"
    assert metadata["tagbase/column_schema"]["value"]["columns"][0]["name"] == "id"


def test_log_metadata_keeps_history(api: TestClient) -> None:
    ok(api.post("/api/runs", json={"scope": "j"}), 404)
    ok(api.post("/api/jobs", json={"name": "j"}), 201)
    run = ok(api.post("/api/runs", json={"scope": "j"}), 201)
    for loss in (0.5, 0.25):
        ok(api.post(f"/api/runs/{run['id']}/metadata", json={"metadata": {"loss": loss}}))
    history = ok(api.get(f"/api/runs/{run['id']}/metadata", params={"key": "loss"}))
    assert sorted(entry["value"]["value"] for entry in history) == [0.25, 0.5]
    assert {entry["source"] for entry in history} == {"user"}
    latest = ok(api.get(f"/api/runs/{run['id']}"))["metadata"]["loss"]
    assert latest == {"type": "float", "value": 0.25}
    bad = api.post(f"/api/runs/{run['id']}/metadata", json={"metadata": {"": 1}})
    assert bad.json()["error"]["type"] == "MetadataValidationError"


def test_series_across_versions(api: TestClient) -> None:
    ok(api.post("/api/assets", json={"name": "orders"}), 201)
    for rows in (10, 20, 30):
        body = {"scope": "orders", "metadata": {"tagbase/row_count": rows}}
        ok(api.post("/api/asset_versions", json=body), 201)
    series = ok(api.get("/api/assets/orders/series", params={"key": "tagbase/row_count"}))
    assert [point["value"] for point in series] == [10, 20, 30]
    assert series[0]["entity"]["kind"] == "asset_version"
    assert ok(api.get("/api/assets/orders/series", params={"key": "nothing"})) == []
