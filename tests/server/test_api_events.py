"""The change feed over REST: pages that continue by id, and a server-sent event stream that
resumes with `Last-Event-ID`."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase import Kind
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security
from tests.serving import serving


def test_pages_continue_by_last_id(api: TestClient, client: Client) -> None:
    for number in range(5):
        client.create(Kind.ASSET, f"a{number}")
    first = api.get("/api/events", params={"limit": 3}).json()
    assert [e["type"] for e in first["events"]] == ["entity.created"] * 3
    assert first["more"] is True
    rest = api.get("/api/events", params={"after": first["last_id"], "limit": 3}).json()
    assert rest["more"] is False
    names = [e["entity"]["name"] for e in first["events"] + rest["events"]]
    assert names == [f"a{n}" for n in range(5)]
    ids = [e["id"] for e in first["events"] + rest["events"]]
    assert ids == sorted(ids)


def test_types_and_a_query_filter_the_page(api: TestClient, client: Client) -> None:
    client.create(Kind.ASSET, "orders", tags=["env=prod"])
    client.create(Kind.ASSET, "drafts")
    client.add_tags(Kind.ASSET, "drafts", ["env=dev"])
    page = api.get("/api/events", params={"types": ["tag"]}).json()
    assert [(e["type"], e["payload"]["tag"]) for e in page["events"]] == [("tag.added", "env=dev")]
    page = api.get("/api/events", params={"q": "tag:env=prod"}).json()
    assert [e["entity"]["name"] for e in page["events"]] == ["orders"]


def test_bad_filters_are_one_json_error(api: TestClient) -> None:
    response = api.get("/api/events", params={"q": "tag:("})
    assert response.status_code == 400
    assert "error" in response.json()
    assert api.get("/api/events", params={"after": 2**64}).status_code == 422
    response = api.get("/api/events", params={"types": ["tag.exploded"]})
    assert response.status_code == 400
    assert "tag.exploded" in json.dumps(response.json())


def test_a_viewer_reads_the_feed(client: Client) -> None:
    app = create_app(client, security=Security(read_tokens=("r",), write_tokens=("w",)))
    client.create(Kind.ASSET, "orders")
    with TestClient(app) as viewer:
        page = viewer.get("/api/events", headers={"Authorization": "Bearer r"})
        assert page.status_code == 200
        assert [e["type"] for e in page.json()["events"]] == ["entity.created"]
        assert viewer.get("/api/events").status_code == 401


def read_messages(response: httpx.Response, count: int) -> list[dict[str, Any]]:
    """The first `count` SSE messages of a stream, each as its fields."""
    messages: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if fields:
                messages.append(fields)
                fields = {}
            if len(messages) == count:
                return messages
            continue
        name, _, value = line.partition(": ")
        fields[name] = json.loads(value) if name == "data" else value
    return messages


def test_the_stream_sends_new_events_and_resumes_after_last_event_id(
    app: FastAPI, client: Client
) -> None:
    client.create(Kind.ASSET, "before")
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("GET", "/api/events/stream") as live:  # from now on
            assert live.headers["content-type"].startswith("text/event-stream")
            client.create(Kind.ASSET, "a")
            client.add_tags(Kind.ASSET, "a", ["x"])
            first, second = read_messages(live, 2)
        assert (first["event"], first["data"]["entity"]["name"]) == ("entity.created", "a")
        assert (second["event"], second["data"]["payload"]["tag"]) == ("tag.added", "x")
        assert int(first["id"]) == first["data"]["id"]
        client.log_metadata(Kind.ASSET, "a", {"rows": 3})  # while no one listens
        resume = {"Last-Event-ID": second["id"]}
        with http.stream("GET", "/api/events/stream", headers=resume) as again:
            [missed] = read_messages(again, 1)
        assert missed["event"] == "metadata.logged"
        assert missed["data"]["payload"]["metadata"] == {"rows": {"type": "int", "value": 3}}
        with http.stream("GET", "/api/events/stream", params={"after": 0}) as whole:
            assert [m["data"]["entity"]["name"] for m in read_messages(whole, 2)] == ["before", "a"]
        for refused in (
            http.get("/api/events/stream", headers={"Last-Event-ID": "yesterday"}),
            http.get("/api/events/stream", headers={"Last-Event-ID": str(2**64)}),
            http.get("/api/events/stream", params={"after": 2**64}),
            http.get("/api/events/stream", params={"q": "tag:("}),
            http.get("/api/events/stream", params={"types": "tag.exploded"}),
        ):
            assert 400 <= refused.status_code < 500, refused.text
            assert "error" in refused.json()
