"""The seed examples run on SQLite and PostgreSQL, and as a laptop of a team would run them:
with `TAGBASE_URL` naming a tagbase server (served here over SQLite) and no database on the
client side — `Client()`, the CLI and every run the seed code makes go through `HttpStore`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tagbase.client import Client
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.store import Store
from tests.serving import serve_store


@pytest.fixture(params=["sqlite", "postgresql", "http"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgresql_url_clean")
        return url
    return f"sqlite:///{tmp_path / 'catalog.db'}"  # the server's database, for http


@pytest.fixture
def client(
    store: Store, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Client]:
    if request.node.callspec.params["store_url"] != "http":
        yield Client(store)
        return
    with serve_store(request, store) as remote:
        monkeypatch.delenv("TAGBASE_DATABASE_URL")
        monkeypatch.setenv("TAGBASE_URL", remote.url)
        with use_runtime(Runtime(remote)):
            yield Client(remote)
