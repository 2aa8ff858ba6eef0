"""Workers (real `tagbase worker` processes): they run queued runs, enforce max runtime,
stop cancelled runs, and a worker killed mid-run leaves no run stuck: its run is failed
within the heartbeat timeout and retried as its tags ask."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tagbase import Client
from tagbase.execution import load_definitions
from tests.orchestration.queue_support import Spawn, status, wait_for


def test_a_worker_runs_queued_runs(client: Client, project: Path, spawn_worker: Spawn) -> None:
    defs = load_definitions(project)
    ids = [client.launch_run("trivial", definitions=defs, tags={"n": str(n)}).id for n in range(3)]
    spawn_worker()
    for run_id in ids:
        wait_for(lambda r=run_id: status(client, r) == "success", what=f"run {run_id}")
    events = [e.event for e in client.list_run_events(ids[0])]
    assert events[:2] == ["run_queued", "run_started"]
    assert events[-1] == "run_success"
    assert [s.status for s in client.list_run_steps(ids[0])] == ["success"]


def test_max_runtime_is_enforced(client: Client, project: Path, spawn_worker: Spawn) -> None:
    defs = load_definitions(project)
    run = client.launch_run("sleepy", definitions=defs, tags={"tagbase/max_runtime": "1"})
    spawn_worker()
    wait_for(lambda: status(client, run.id) == "failed", timeout=20, what="the run to fail")
    ended = client.get_run(run.id)
    assert "tagbase/max_runtime of 1 s" in ended.metadata["tagbase/error"].value
    started = ended.metadata["tagbase/started_at"].value
    assert ended.metadata["tagbase/ended_at"].value - started < 10
    assert [s.status for s in client.list_run_steps(run.id)] == ["failed"]


def test_a_running_run_is_cancelled(client: Client, project: Path, spawn_worker: Spawn) -> None:
    defs = load_definitions(project)
    run = client.launch_run("sleepy", definitions=defs)
    spawn_worker()
    wait_for(lambda: status(client, run.id) == "started", what="the run to start")
    client.cancel_run(run.id)
    wait_for(lambda: status(client, run.id) == "canceled", timeout=10, what="cancellation")
    assert client.list_run_events(run.id)[-1].event == "run_canceled"


def test_a_killed_worker_fails_its_run_then_it_is_retried(
    client: Client, project: Path, spawn_worker: Spawn
) -> None:
    hold = Path(os.environ["TAGBASE_TEST_HOLD"])
    hold.touch()
    defs = load_definitions(project)
    tags = {"tagbase/max_retries": "1", "tagbase/retry_strategy": "from_failure", "who": "me"}
    run = client.launch_run("held", definitions=defs, tags=tags)
    doomed = spawn_worker()
    wait_for(
        lambda: any(s.key == "hold" for s in client.list_run_steps(run.id)),
        what="the run to reach its held step",
    )
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    hold.unlink()
    spawn_worker()  # notices the silence (timeout 2 s) and runs the retry
    wait_for(lambda: status(client, run.id) == "failed", timeout=20, what="the run to fail")
    failed = client.get_run(run.id)
    assert "stopped heartbeating" in failed.metadata["tagbase/error"].value
    steps = {s.key: s.status for s in client.list_run_steps(run.id)}
    assert steps == {"first": "success", "hold": "failed"}

    def retry() -> str | None:
        found = client.list_runs(tags={"tagbase/parent_run_id": run.id})
        return found.items[0].id if found.items else None

    retry_id = str(wait_for(retry, timeout=20, what="a retry"))
    wait_for(lambda: status(client, retry_id) == "success", timeout=20, what="the retry")
    tags_of_retry = client.get_run(retry_id).tag_dict
    assert tags_of_retry["tagbase/root_run_id"] == run.id
    assert tags_of_retry["tagbase/retry_number"] == "1"
    assert tags_of_retry["who"] == "me"
    # from_failure: `first`'s output was not stored (an op's, in process), so all run again
    assert {s.key for s in client.list_run_steps(retry_id)} == {"first", "hold", "after"}
