"""A worker on a machine with no database: `tagbase worker` given only TAGBASE_URL and a
service account's TAGBASE_TOKEN runs queued runs through the team server, and what its steps
change is recorded under that account."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tagbase import Client
from tagbase._identity import ApiToken
from tagbase.execution import load_definitions
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import Store
from tests.orchestration.conftest import SETTINGS
from tests.orchestration.queue_support import Spawn, status, wait_for


@pytest.fixture
def server(request: pytest.FixtureRequest, store: Store) -> tuple[str, str, ApiToken]:
    """A team server over the test's store with a service account `runner`: its URL, the
    account's token secret and the token's listing."""
    store.create_user("runner", role="editor", service=True)
    secret, token = store.create_token("runner", label="worker")
    swappable, url = request.getfixturevalue("store_server")
    swappable.app = create_app(Client(store), security=Security())  # a stored token: auth on
    return url, secret, token


def worker_over_http(monkeypatch: pytest.MonkeyPatch, home: Path, url: str, secret: str) -> None:
    """The environment of a machine that knows only the server and a token."""
    home.mkdir()
    (home / "tagbase.yaml").write_text(SETTINGS)
    monkeypatch.delenv("TAGBASE_DATABASE_URL")
    monkeypatch.setenv("TAGBASE_HOME", str(home))
    monkeypatch.setenv("TAGBASE_URL", url)
    monkeypatch.setenv("TAGBASE_TOKEN", secret)


def test_a_worker_with_only_a_url_and_a_token_runs_as_its_service_account(
    server: tuple[str, str, ApiToken],
    client: Client,
    project: Path,
    spawn_worker: Spawn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, secret, _ = server
    run = client.launch_run("marking", definitions=load_definitions(project))
    worker_over_http(monkeypatch, tmp_path / "worker-home", url, secret)
    spawn_worker()

    wait_for(lambda: status(client, run.id) == "success", what=f"run {run.id}")
    (added,) = client.tag_history(tag="checked")
    assert (added.entity.id, added.actor) == (run.id, "service:runner")
    home = tmp_path / "worker-home"
    assert [path.name for path in home.rglob("*.db*")] == []  # no catalog of its own
    assert "TAGBASE_DATABASE_URL" not in os.environ


def test_a_worker_with_a_revoked_token_runs_nothing(
    server: tuple[str, str, ApiToken],
    store: Store,
    client: Client,
    project: Path,
    spawn_worker: Spawn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, secret, token = server
    store.revoke_token(token.id)
    run = client.launch_run("trivial", definitions=load_definitions(project))
    worker_over_http(monkeypatch, tmp_path / "worker-home", url, secret)
    worker = spawn_worker()
    assert worker.wait(60) != 0  # it stops at once, saying the token is refused
    assert "needs a valid token" in (tmp_path / "worker0.log").read_text()
    assert status(client, run.id) == "queued"
