"""The contract suite: tests written against the store protocols (`tagbase.store.StoreContract`)
only — no engine, table or SQL — so every implementation runs through them unchanged: `Store`
on SQLite and on PostgreSQL, and `HttpStore`, the client of a tagbase server (here, one served
by uvicorn on 127.0.0.1 over a fresh SQLite catalog per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tagbase import Kind
from tagbase.client import Client
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.store import EntitySpec, Store, StoreContract
from tests.serving import serve_store

IMPLEMENTATIONS = ["sqlite", "postgresql", "http"]


@pytest.fixture(params=IMPLEMENTATIONS)
def contract(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StoreContract]:
    """An empty catalog behind each implementation; `Client()` uses it too (the runtime's)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgresql_url_clean")
    else:
        url = f"sqlite:///{tmp_path / 'catalog.db'}"
    database = Store(url, actor="tester")
    if request.param != "http":
        monkeypatch.setenv("TAGBASE_DATABASE_URL", url)
        with use_runtime(Runtime(database)):
            yield database
        database.close()
        return
    with serve_store(request, database) as remote, use_runtime(Runtime(remote)):
        yield remote
    database.close()


@pytest.fixture
def run_id(contract: StoreContract) -> str:
    """A recorded, queued run of job `train`."""
    contract.add(EntitySpec(Kind.JOB, "train"))
    return contract.add(EntitySpec(Kind.RUN, scope="train", status="queued")).id


@pytest.fixture
def store(contract: StoreContract) -> StoreContract:
    """The suite's tests that name the store take the implementation under test."""
    return contract


@pytest.fixture
def client(contract: StoreContract) -> Client:
    return Client(contract)
