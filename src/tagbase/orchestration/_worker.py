"""A queue worker: claims runs of the jobs it knows, runs each in a process of its own,
heartbeats, enforces `tagbase/max_runtime` and cancellation, and fails the runs of workers
that died. Any number of workers may share a store, on any number of machines.

The worker loop is one thread: it waits on its run processes' sockets between the moments it
must act (the next heartbeat, poll of the queue, cancellation check).
"""

from __future__ import annotations

import logging
import os
import select
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tagbase._config import Config, RunQueueConfig
from tagbase._errors import TagbaseError
from tagbase._run_records import ENDED
from tagbase.definitions._definitions import Definitions
from tagbase.execution import sync_definitions
from tagbase.execution._launch import execute_recorded
from tagbase.execution._runtime import Runtime, current_runtime, use_runtime
from tagbase.orchestration._finish import finish_run
from tagbase.orchestration._monitor import reap
from tagbase.orchestration._process import RunProcess, fork_run_process
from tagbase.orchestration._retries import retry_if_wanted, retry_selection
from tagbase.store import Lease, StoreContract, WorkerRecord

log = logging.getLogger("tagbase.worker")
_CANCEL_CHECK_S = 0.25


def clock_ms() -> int:
    return time.time_ns() // 1_000_000


def execute_claimed(definitions: Definitions, store: StoreContract, lease: Lease) -> None:
    """Run a claimed run to its end (in its run process); a run that cannot even start (an
    unknown job, a missing upstream version) is failed with the reason."""
    try:
        job = definitions.get_job_def(lease.job_name)
        selection = retry_selection(store, job, lease.tags)
        execute_recorded(
            job,
            lease.run_uuid,
            lease.tags,
            op_selection=selection,
            store=store,
        )
    except TagbaseError as error:
        finish_run(store, lease.run_uuid, "failed", f"{type(error).__name__}: {error}")


@dataclass
class Worker:
    """Claims and runs queued runs of `definitions`' jobs until stopped."""

    definitions: Definitions
    store: StoreContract = field(default_factory=lambda: current_runtime().store)
    settings: RunQueueConfig = field(default_factory=lambda: Config.load().run_queue)
    location: str | None = None
    max_concurrent_runs: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    on_event: Callable[[str, Lease], None] | None = None
    processes: list[RunProcess] = field(default_factory=list)
    finished: int = 0
    _next_heartbeat: float = 0.0
    _next_cancel_check: float = 0.0
    _registered: bool = False
    runtime: Runtime = field(init=False)  # its store, in which its run processes run

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.store, current_runtime().artifacts)

    @property
    def running(self) -> dict[str, RunProcess]:
        return {p.lease.run_uuid: p for p in self.processes if p.lease is not None}

    def _leased(self) -> list[RunProcess]:
        return [p for p in self.processes if p.lease is not None]

    def run(self, *, max_runs: int | None = None, stop: Callable[[], bool] | None = None) -> None:
        """Work until `stop()` says so (or `max_runs` runs ended); then wait for the runs
        in progress and leave. The catalog is synced with its definitions first, so that
        runs launched by job name alone are checked against the jobs it runs."""
        with use_runtime(self.runtime):
            sync_definitions(self.definitions, self.store)
            self.start()
            try:
                while not (stop and stop()) and (max_runs is None or self.finished < max_runs):
                    room = max_runs is None or self.finished + len(self.running) < max_runs
                    self.wait(self.tick(room=room))
                while self.running:
                    self.wait(self.tick(room=False))
            finally:
                self.close()

    def start(self) -> None:
        now = clock_ms()
        host = socket.gethostname()[:255]
        record = WorkerRecord(self.id, host, os.getpid(), self.location, now, now)
        self.store.register_worker(record)
        self._registered = True

    def close(self) -> None:
        for process in list(self.processes):
            lease = process.lease
            self._drop(process)
            if lease is not None:
                self._finish(lease, "failed", "its worker stopped while it ran")
        if self._registered:
            self.store.remove_worker(self.id)
            self._registered = False

    def tick(self, *, room: bool = True) -> bool:
        """One turn: heartbeat and reap when due, look after runs, claim while there is
        room; whether anything is in progress."""
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._heartbeat()
            self._next_heartbeat = now + self.settings.heartbeat_interval_s
        self._look_after_runs(now)
        while room and len(self.running) < self.max_concurrent_runs and self._claim():
            pass
        return bool(self.running)

    def wait(self, busy: bool) -> None:
        """Sleep until a run ends or the next poll of the queue is due."""
        timeout = self.settings.poll_interval_s if not busy else _CANCEL_CHECK_S
        leased = self._leased()
        if leased:
            select.select(leased, [], [], timeout)
        else:
            time.sleep(timeout)

    def _heartbeat(self) -> None:
        now = clock_ms()
        if not self.store.heartbeat(self.id, now):  # declared dead meanwhile
            log.warning("worker %s was presumed dead; registering again", self.id)
            self.start()
        reap(self.store, now, self.settings.heartbeat_timeout_s)

    def _claim(self) -> bool:
        jobs = list(self.definitions.job_names)
        limits = self.settings.tag_concurrency_limits
        lease = self.store.claim(self.id, jobs, limits, clock_ms())
        if lease is None:
            return False
        self._notify("claimed", lease)
        self._idle_process().start(lease)
        return True

    def _idle_process(self) -> RunProcess:
        for process in self.processes:
            if process.lease is None:
                return process
        process = fork_run_process(
            lambda lease: execute_claimed(self.definitions, self.store, lease), self.runtime
        )
        self.processes.append(process)
        return process

    def _drop(self, process: RunProcess) -> None:
        process.kill()
        self.processes.remove(process)

    def _look_after_runs(self, now: float) -> None:
        busy = self._leased()
        readable, _, _ = select.select(busy, [], [], 0) if busy else ([], [], [])
        for process in readable:
            lease = process.lease
            assert lease is not None
            if process.answer() == "done":
                process.lease = None
                self._finish(lease, "failed", "its run process ended without ending the run")
            else:
                self.processes.remove(process)
                reason = f"its run process exited with code {process.exit_code}"
                self._finish(lease, "failed", reason)
        self._enforce_deadlines()
        if self.running and now >= self._next_cancel_check:
            self._next_cancel_check = now + _CANCEL_CHECK_S
            running = self.running
            leases = [process.lease for process in running.values() if process.lease]
            for lease in self.store.cancel_requested(leases):
                self._drop(running[lease.run_uuid])
                self._finish(lease, "canceled", "canceled on request")

    def _enforce_deadlines(self) -> None:
        now_ms = clock_ms()
        for process in list(self.processes):
            lease = process.lease
            if lease is None or lease.deadline_ms is None or now_ms < lease.deadline_ms:
                continue
            self._drop(process)
            limit = lease.tags.get("tagbase/max_runtime")
            self._finish(
                lease, "failed", f"it ran longer than its tagbase/max_runtime of {limit} s"
            )

    def _finish(self, lease: Lease, status: str, reason: str) -> None:
        """Release the run; end it with `status` unless it ended itself; retry a failure."""
        self.finished += 1
        if not self.store.release(lease):
            return  # another process presumed this worker dead and handled the run
        ended = self.store.run_status(lease.run_uuid)
        if ended not in ENDED:
            ended = finish_run(self.store, lease.run_uuid, status, reason).status
        self._notify(ended or "ended", lease)
        if ended == "failed":
            retry_if_wanted(self.store, lease.run_uuid)

    def _notify(self, what: str, lease: Lease) -> None:
        if self.on_event is not None:
            self.on_event(what, lease)
