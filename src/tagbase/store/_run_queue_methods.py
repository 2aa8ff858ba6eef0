"""The run queue, worker and daemon-state parts of the store.

Runs wait in the queue until a worker claims one (a `Lease`, handed back to end it); workers
heartbeat, and the daemon keeps a cursor per schedule or sensor and the run keys it used.
Each method is one transaction, or joins the one `atomic()` holds open, so queueing a run
commits with its recording.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._concurrency import TagConcurrencyLimit
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase.store import _daemon_state, _queue, _workers
from tagbase.store._base import StoreBase
from tagbase.store._daemon_state import CursorState
from tagbase.store._queue import Lease, QueuedRun
from tagbase.store._schema import entity
from tagbase.store._workers import WorkerRecord


class RunQueueMethods(StoreBase):
    # -- the queue ----------------------------------------------------------------------------

    def enqueue(self, runs: Sequence[QueuedRun], at_ms: int) -> None:
        """Queue recorded runs (status `queued`), with their `run_queued` events."""
        if not runs:
            return
        with self._writing() as connection:
            wanted = [run.run_uuid for run in runs]
            found = dict(
                connection.execute(
                    sa.select(entity.c.uuid, entity.c.id).where(
                        entity.c.uuid.in_(wanted), entity.c.kind == Kind.RUN.code
                    )
                ).all()
            )
            missing = [uuid for uuid in wanted if uuid not in found]
            if missing:
                raise NotFoundError(
                    f"no run with id {missing[0]!r} to queue", fix=_fixes.listing(Kind.RUN)
                )
            _queue.enqueue(connection, runs, [int(found[uuid]) for uuid in wanted], at_ms)

    def claim(
        self,
        worker_id: str,
        jobs: Sequence[str] | None,
        limits: Sequence[TagConcurrencyLimit],
        now_ms: int,
    ) -> Lease | None:
        """Take the first waiting run (priority, then age) that no limit holds back, or None."""
        if self.engine.dialect.name == "sqlite" and self._joined() is None:
            # Idle workers polling SQLite look first without the write lock, so they do not
            # queue on it (PostgreSQL claims lock rows, not the database: no need).
            with self._reading() as connection:
                if not _queue.anything_waiting(connection, jobs):
                    return None
        with self._writing() as connection:
            return _queue.claim(connection, worker_id, jobs, limits, now_ms)

    def release(self, lease: Lease) -> bool:
        """End a lease; whether it was still held (so exactly one caller finishes a run)."""
        with self._writing() as connection:
            return _queue.release(connection, lease.run_id)

    def request_cancel(self, run_id: str) -> str | None:
        """Take a waiting run out of the queue (`queued`), or ask its worker to stop it
        (`running`); None when the run is in neither."""
        with self._writing() as connection:
            return _queue.request_cancel(connection, self._run_row(connection, run_id))

    def cancel_requested(self, leases: Sequence[Lease]) -> list[Lease]:
        """Those of `leases` whose run someone asked to cancel."""
        if not leases:
            return []
        with self._reading() as connection:
            asked = _queue.cancel_requested(connection, [lease.run_id for lease in leases])
        return [lease for lease in leases if lease.run_id in asked]

    def leases(self, worker_ids: Sequence[str] | None = None) -> list[Lease]:
        """Runs in progress: of some workers, or of all."""
        with self._reading() as connection:
            return _queue.leases(connection, worker_ids)

    def count_queued(self) -> int:
        with self._reading() as connection:
            return _queue.count_queued(connection)

    def queued_run_ids(self) -> list[str]:
        """Waiting runs in the order workers will consider them."""
        with self._reading() as connection:
            return _queue.queued_run_ids(connection)

    def run_status(self, run_id: str) -> str | None:
        """A run's status, read alone (cheaper than loading the run); None if it is gone."""
        with self._reading() as connection:
            return _queue.run_status(connection, run_id)

    # -- workers ------------------------------------------------------------------------------

    def register_worker(self, worker: WorkerRecord) -> None:
        with self._writing() as connection:
            _workers.register_worker(connection, worker)

    def heartbeat(self, worker_id: str, now_ms: int) -> bool:
        """Write a heartbeat; False when the worker row is gone (it was declared dead)."""
        with self._writing() as connection:
            return _workers.heartbeat(connection, worker_id, now_ms)

    def remove_worker(self, worker_id: str) -> None:
        with self._writing() as connection:
            _workers.remove_worker(connection, worker_id)

    def list_workers(self) -> list[WorkerRecord]:
        with self._reading() as connection:
            return _workers.list_workers(connection)

    def stale_leases(self, now_ms: int, timeout_ms: int) -> list[Lease]:
        """Leases whose worker stopped heartbeating (or is gone); those workers are dropped."""
        with self._writing() as connection:
            return _workers.stale_leases(connection, now_ms, timeout_ms)

    # -- daemon state -------------------------------------------------------------------------

    def get_cursor(self, name: str) -> CursorState | None:
        with self._reading() as connection:
            return _daemon_state.get_cursor(connection, name)

    def set_cursor(self, name: str, state: CursorState, now_ms: int) -> None:
        with self._writing() as connection:
            _daemon_state.set_cursor(connection, name, state, now_ms)

    def claim_run_key(self, origin: str, run_key: str, now_ms: int) -> bool:
        """Reserve a run key for an origin; False when it launched a run before."""
        with self._writing() as connection:
            return _daemon_state.claim_run_key(connection, origin, run_key, now_ms)

    def attach_run(self, origin: str, run_key: str, run_id: str | None) -> None:
        """Note the run a key launched; None gives the key back (its launch failed)."""
        with self._writing() as connection:
            _daemon_state.attach_run(connection, origin, run_key, run_id)
