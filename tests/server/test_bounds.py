"""Bounded work: a slow read stops at the statement timeout, a full pool answers at the pool
timeout, both as a 503 naming the setting, and an error answer keeps the connection open."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase import InvalidInputError, PoolTimeoutError, StatementTimeoutError
from tagbase._config import Config, Timeouts
from tagbase.client import Client
from tagbase.server import _data, create_app
from tagbase.server._security import Security
from tagbase.store import Store

# A read that takes seconds on either database, run where a count would run.
_SLOW = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) FROM (SELECT x FROM c LIMIT 300000000)",
    "postgresql": "SELECT pg_sleep(5)",
}


@pytest.fixture
def bounded(store_url: str) -> Iterator[Store]:
    store = Store(store_url, timeouts=Timeouts(statement_s=0.2, pool_s=0.1))
    yield store
    store.close()


@pytest.fixture
def slow_counts(bounded: Store, monkeypatch: pytest.MonkeyPatch) -> Client:
    """A client whose count of runs is a read that runs for seconds."""

    def count(*_args: Any, **_kwargs: Any) -> int:
        with bounded._reading() as connection:
            return int(connection.exec_driver_sql(_SLOW[bounded.engine.dialect.name]).scalar())

    monkeypatch.setattr(bounded, "count", count)
    return Client(bounded)


def test_a_slow_read_is_stopped_with_a_typed_error(slow_counts: Client) -> None:
    with pytest.raises(StatementTimeoutError, match=r"statement timeout of 0\.2 s") as stopped:
        slow_counts.count("run")

    assert "TAGBASE_STATEMENT_TIMEOUT" in str(stopped.value)
    assert slow_counts.list("run").items == []  # the connection is fine for the next read


def test_a_slow_read_answers_503_naming_the_timeout(slow_counts: Client) -> None:
    app = create_app(slow_counts, security=Security())
    with TestClient(app, raise_server_exceptions=False) as api:
        answer = api.get("/api/runs/count")

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["type"] == "StatementTimeoutError"
    assert "TAGBASE_STATEMENT_TIMEOUT" in error["message"]


def test_a_full_pool_answers_503_naming_the_pool_timeout(bounded: Store) -> None:
    app = create_app(Client(bounded), security=Security())
    held = [bounded.engine.connect() for _ in range(15)]  # every connection the pool has
    try:
        with TestClient(app, raise_server_exceptions=False) as api:
            answer = api.get("/api/runs/count")
        with pytest.raises(PoolTimeoutError):
            Client(bounded).count("run")
    finally:
        for connection in held:
            connection.close()

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["type"] == "PoolTimeoutError"
    assert "pool timeout of 0.1 s" in error["message"]
    assert "TAGBASE_POOL_TIMEOUT" in error["message"]


def test_the_timeouts_are_configured_by_environment_and_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Config.load().timeouts == Timeouts(statement_s=30.0, pool_s=30.0)
    home = Config.load().home
    home.mkdir(parents=True, exist_ok=True)
    (home / "tagbase.yaml").write_text("statement_timeout: 5\npool_timeout: 2.5\n")
    assert Config.load().timeouts == Timeouts(statement_s=5.0, pool_s=2.5)

    monkeypatch.setenv("TAGBASE_STATEMENT_TIMEOUT", "0")
    assert Config.load().timeouts.statement_s is None  # no limit

    monkeypatch.setenv("TAGBASE_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(InvalidInputError, match="TAGBASE_STATEMENT_TIMEOUT"):
        Config.load()


@pytest.fixture
def server(client: Client) -> Iterator[tuple[FastAPI, int]]:
    """The app served by uvicorn on a free port, as `tagbase serve` runs it."""
    app = create_app(client, security=Security())
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", ws="none", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not running.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield app, port
    running.should_exit = True
    thread.join(10)
    listening.close()


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, Any]:
    connection.request("GET", path)
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read() or b"null")


def test_the_connection_survives_error_answers(
    server: tuple[FastAPI, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = server

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_data, "count_entities", broken)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    assert _get(connection, "/api/runs")[0] == 200
    opened = connection.sock

    status, body = _get(connection, "/api/runs/count")  # a 500
    assert (status, body["error"]["type"]) == (500, "InternalError")
    assert _get(connection, "/api/runs?query=tag:(")[0] == 400
    assert _get(connection, "/api/models/nothing")[0] == 404
    assert _get(connection, "/api/runs")[0] == 200

    assert connection.sock is opened  # one connection throughout
    connection.close()
