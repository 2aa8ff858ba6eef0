"""Four worker processes drain 500 queued runs from PostgreSQL: none claimed twice, none lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tagbase.client import Client
from tagbase.execution import load_definitions
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.orchestration import LaunchRequest, launch_runs
from tagbase.store import Store
from tagbase.store._runs import run_event
from tests.orchestration.queue_support import Spawn, wait_for

RUNS = 500


@pytest.fixture
def pg_store(postgresql_url_clean: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    store = Store(postgresql_url_clean, actor="tester")
    monkeypatch.setenv("TAGBASE_DATABASE_URL", postgresql_url_clean)
    with use_runtime(Runtime(store)):
        yield store
    store.close()


@pytest.mark.slow
def test_four_workers_drain_500_runs(pg_store: Store, project: Path, spawn_worker: Spawn) -> None:
    client = Client(pg_store)
    defs = load_definitions(project)
    requests = [LaunchRequest("trivial", {"n": str(n)}) for n in range(RUNS)]
    launched = {run.id for run in launch_runs(requests, defs, pg_store)}
    for _ in range(4):
        spawn_worker()

    def finished() -> bool:
        return pg_store.count_queued() == 0 and not pg_store.leases()

    wait_for(finished, timeout=240, what="the queue to drain")
    with pg_store.engine.connect() as connection:
        per_run = connection.execute(
            sa.select(run_event.c.event, sa.func.count())
            .group_by(run_event.c.event)
            .where(run_event.c.event.in_(["run_queued", "run_started", "run_success"]))
        ).all()
    assert dict(per_run) == {"run_queued": RUNS, "run_started": RUNS, "run_success": RUNS}
    page = client.list_runs(size=RUNS + 10)
    assert {run.id for run in page.items} == launched
    assert {run.status for run in page.items} == {"success"}
