"""An app over the test catalog (SQLite and PostgreSQL), and a client that talks to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security


@pytest.fixture
def app(client: Client) -> FastAPI:
    return create_app(client, security=Security())


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.launcher.wait(30)
