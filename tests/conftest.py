"""Fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is taken from TAGBASE_TEST_POSTGRES_URL (default: the local server, database
`test`). Each test session works in its own schema. Under CI=true a missing PostgreSQL fails
the run; elsewhere its tests are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tagbase.client import Client
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.store import Store
from tagbase.store._engine import normalize_url
from tagbase.store._schema import metadata_obj
from tests.serving import Swappable, serving

PG_URL = os.environ.get("TAGBASE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


def _with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped at the end of the session."""
    engine = sa.create_engine(normalize_url(PG_URL))
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        message = f"PostgreSQL at {PG_URL} is unreachable: {error.orig}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    schema = f"tagbase_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the user's own catalog or configuration: each runs in a runtime
    of its own, over the configuration its environment names when first used."""
    monkeypatch.setenv("TAGBASE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TAGBASE_DATABASE_URL", raising=False)
    monkeypatch.delenv("TAGBASE_URL", raising=False)
    monkeypatch.delenv("TAGBASE_TOKEN", raising=False)
    monkeypatch.delenv("TAGBASE_TAG_POLICY", raising=False)
    monkeypatch.setenv("TAGBASE_USER", "tester")
    runtime = Runtime()
    with use_runtime(runtime):
        yield
    runtime.close()


@pytest.fixture(scope="session")
def store_server() -> Iterator[tuple[Swappable, str]]:
    """One HTTP server for the session on 127.0.0.1, serving each test's app (`serve_store`)."""
    app = Swappable()
    with serving(app) as url:
        yield app, url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    url: str = request.getfixturevalue("postgresql_url_clean")
    return url


@pytest.fixture
def postgresql_url_clean(postgres_url: str) -> str:
    """The session schema, emptied for this test."""
    engine = sa.create_engine(normalize_url(postgres_url))
    with engine.begin() as connection:
        if sa.inspect(connection).has_table("entity"):
            names = ", ".join(table.name for table in metadata_obj.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()
    return postgres_url


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store on an empty catalog; `Client()` and the module functions use it too (it is
    the runtime's), and so do worker processes (they read TAGBASE_DATABASE_URL)."""
    opened = Store(store_url, actor="tester")
    monkeypatch.setenv("TAGBASE_DATABASE_URL", store_url)
    with use_runtime(Runtime(opened)):
        yield opened
    opened.close()


@pytest.fixture
def client(store: Store) -> Client:
    return Client(store)
