"""The run queue, workers and daemon state, through the contract alone."""

from __future__ import annotations

import pytest

from tagbase import Kind, NotFoundError
from tagbase._concurrency import TagConcurrencyLimit
from tagbase.store import CursorState, EntitySpec, QueuedRun, StoreContract, WorkerRecord


def _queued(contract: StoreContract, priority: int = 0, **tags: str) -> str:
    run = contract.add(EntitySpec(Kind.RUN, scope="train", status="queued", tags=tags))
    contract.enqueue([QueuedRun(run.id, "train", priority, tags)], 0)
    return run.id


def test_a_claimed_run_is_released_once(contract: StoreContract, run_id: str) -> None:
    contract.enqueue([QueuedRun(run_id, "train", 0, {})], 5)
    assert contract.count_queued() == 1
    assert contract.queued_run_ids() == [run_id]
    assert [e.event for e in contract.list_events(run_id)] == ["run_queued"]
    assert contract.claim("w", ["other"], (), 6) is None
    lease = contract.claim("w", ["train"], (), 6)
    assert lease is not None
    assert lease.run_uuid == run_id
    assert contract.claim("w2", None, (), 7) is None  # never claimed twice
    assert contract.leases() == [lease]
    assert contract.leases(["w2"]) == []
    assert contract.run_status(run_id) == "queued"
    assert contract.release(lease)
    assert not contract.release(lease)
    assert contract.count_queued() == 0
    assert contract.leases() == []


def test_priority_then_age_and_limits(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.JOB, "train"))
    low = _queued(contract, -1)
    plain = _queued(contract, 0, db="redshift")
    high = _queued(contract, 5)
    assert contract.queued_run_ids() == [high, plain, low]
    limits = (TagConcurrencyLimit("db", 0, "redshift"),)
    claimed = [contract.claim("w", None, limits, 1) for _ in range(3)]
    assert [c.run_uuid if c else None for c in claimed] == [high, low, None]


def test_cancel_a_waiting_and_a_running_run(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.JOB, "train"))
    waiting, running = _queued(contract, 0), _queued(contract, 1)
    lease = contract.claim("w", None, (), 1)
    assert lease is not None
    assert lease.run_uuid == running
    assert contract.cancel_requested([lease]) == []
    assert contract.request_cancel(waiting) == "queued"
    assert contract.request_cancel(running) == "running"
    assert contract.cancel_requested([lease]) == [lease]
    assert contract.queued_run_ids() == []
    with pytest.raises(NotFoundError):
        contract.enqueue([QueuedRun("01234567-89ab-7def-8123-456789abcdef", "train", 0, {})], 0)


def test_workers_heartbeat_and_go_stale(contract: StoreContract, run_id: str) -> None:
    contract.register_worker(WorkerRecord("w1", "host", 1, None, 0, 0))
    contract.register_worker(WorkerRecord("w2", "host", 2, "here", 0, 0))
    assert [w.id for w in contract.list_workers()] == ["w1", "w2"]
    assert contract.heartbeat("w2", 10_000)
    contract.enqueue([QueuedRun(run_id, "train", 0, {})], 0)
    lease = contract.claim("w1", None, (), 0)
    assert contract.stale_leases(10_000, 5_000) == [lease]  # w1 fell silent, holding a run
    assert [w.id for w in contract.list_workers()] == ["w2"]
    assert not contract.heartbeat("w1", 10_000)  # declared dead
    contract.remove_worker("w2")
    assert contract.list_workers() == []


def test_daemon_cursors_and_run_keys(contract: StoreContract, run_id: str) -> None:
    assert contract.get_cursor("sensor:s") is None
    contract.set_cursor("sensor:s", CursorState("c1", 5), 5)
    contract.set_cursor("sensor:s", CursorState("c2", 6), 6)
    assert contract.get_cursor("sensor:s") == CursorState("c2", 6)
    with contract.atomic():  # a refused key leaves the block usable
        assert contract.claim_run_key("sensor:s", "k", 1)
        assert not contract.claim_run_key("sensor:s", "k", 2)
        contract.attach_run("sensor:s", "k", run_id)
    assert not contract.claim_run_key("sensor:s", "k", 3)
    contract.claim_run_key("sensor:s", "given back", 3)
    contract.attach_run("sensor:s", "given back", None)
    assert contract.claim_run_key("sensor:s", "given back", 4)
