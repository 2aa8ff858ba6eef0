"""Each step of a run's life is one transaction: a failure injected at the last statement of
a step (on SQLite and PostgreSQL) leaves nothing of that step written.

The failure is injected into the database connection, at the statement that writes the step's
closing event, so every write before it in the step has already been sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from tagbase import Client, Kind, Output, asset, job, materialize, op
from tagbase.orchestration import launch_run
from tagbase.orchestration._finish import finish_run
from tagbase.store import Store


class InjectedError(Exception):
    """The failure the tests inject."""


@contextmanager
def failing_at(store: Store, event: str) -> Iterator[list[str]]:
    """Fail the statement that writes the run event `event`; yields what it failed."""
    failed: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "INSERT INTO run_event" in statement and repr(event) in repr(parameters):
            failed.append(event)
            raise InjectedError(f"injected at {event}")

    sa.event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield failed
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", before)


@asset(tags={"layer": "raw"})
def numbers() -> Output[list[int]]:
    return Output([1, 2, 3], metadata={"rows": 3}, tags={"champion": ""})


@op
def nothing() -> int:
    return 1


@job(tags={"team": "ml"})
def simple() -> None:
    nothing()


def test_a_failed_run_start_leaves_no_run(store: Store, client: Client) -> None:
    with failing_at(store, "run_started") as failed, pytest.raises(InjectedError):
        simple.execute_in_process()
    assert failed == ["run_started"]
    assert client.count(Kind.RUN) == 0  # its tags and events hang off its row


def test_a_failed_launch_leaves_nothing_queued_or_recorded(store: Store, client: Client) -> None:
    with failing_at(store, "run_queued"), pytest.raises(InjectedError):
        launch_run(simple, tags={"who": "me"}, store=store)
    assert client.count(Kind.RUN) == 0
    assert store.queued_run_ids() == []


def test_a_failed_step_start_writes_no_step(store: Store, client: Client) -> None:
    with failing_at(store, "step_started"), pytest.raises(InjectedError):
        simple.execute_in_process()
    [run] = client.list_runs().items
    assert [s.key for s in client.list_run_steps(run.id)] == []
    assert "step_started" not in [e.event for e in client.list_run_events(run.id)]


def test_a_failed_materialization_is_rolled_back_whole(store: Store, client: Client) -> None:
    client.create_tag("champion", exclusive=True)
    client.create_tag("team", cascade=True)
    first = materialize([numbers], tags={"team": "ml"})
    [holder] = first.asset_version_ids
    with failing_at(store, "step_success"):
        result = materialize([numbers], tags={"team": "ml"}, raise_on_error=False)
    assert not result.success
    assert result.asset_version_ids == ()
    assert client.count(Kind.ASSET_VERSION) == 1  # no version, so none of its tags or metadata
    assert [r.id for r in client.list(Kind.ASSET_VERSION, tags=["champion"]).items] == [holder]
    assert [(e.action, e.entity.id) for e in client.tag_history(tag="champion")] == [
        ("added", holder)  # not moved
    ]
    [step] = client.list_run_steps(result.run_id)
    assert step.status == "failed"
    assert "injected at step_success" in (step.error or "")
    events = [e.event for e in client.list_run_events(result.run_id)]
    assert "step_output" not in events
    assert events[-2:] == ["step_failed", "run_failed"]


def test_a_failed_run_end_leaves_the_run_started(store: Store, client: Client) -> None:
    with failing_at(store, "run_success"), pytest.raises(InjectedError):
        simple.execute_in_process()
    [run] = client.list_runs().items
    assert run.status == "started"
    assert "tagbase/ended_at" not in run.metadata
    assert [s.status for s in client.list_run_steps(run.id)] == ["success"]


def test_a_failed_finish_from_outside_leaves_the_steps_open(store: Store, client: Client) -> None:
    run = launch_run(simple, store=store)
    lease = store.claim("w", None, (), 0)
    assert lease is not None
    store.start_step(run.id, "nothing", "nothing", 1)
    with failing_at(store, "run_canceled"), pytest.raises(InjectedError):
        finish_run(store, run.id, "canceled", "canceled on request")
    assert client.get_run(run.id).status == "queued"
    assert [s.status for s in client.list_run_steps(run.id)] == ["started"]
    finished = finish_run(store, run.id, "canceled", "canceled on request")
    assert finished.status == "canceled"
    assert [s.status for s in client.list_run_steps(run.id)] == ["canceled"]
