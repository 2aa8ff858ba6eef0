"""Workers of the run queue, and their heartbeats.

A worker writes its heartbeat every few seconds. A lease whose worker has not written one for
longer than the heartbeat timeout (or whose worker row is gone) is stale: its worker died, and
whoever notices first (another worker, the daemon) fails the run and applies its retry policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from tagbase.store._queue import Lease, leases, run_lease
from tagbase.store._schema import Millis, metadata_obj

queue_worker = sa.Table(
    "queue_worker",
    metadata_obj,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("hostname", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("location", sa.Text, nullable=True),  # the definitions it loaded: a file or module
    sa.Column("started_ms", Millis, nullable=False),
    sa.Column("heartbeat_ms", Millis, nullable=False),
)


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    id: str
    hostname: str
    pid: int
    location: str | None
    started_ms: int
    heartbeat_ms: int


def register_worker(connection: sa.Connection, worker: WorkerRecord) -> None:
    connection.execute(
        queue_worker.insert().values(
            id=worker.id,
            hostname=worker.hostname,
            pid=worker.pid,
            location=worker.location,
            started_ms=worker.started_ms,
            heartbeat_ms=worker.heartbeat_ms,
        )
    )


def heartbeat(connection: sa.Connection, worker_id: str, now_ms: int) -> bool:
    """Write a heartbeat; False when the worker row is gone (it was declared dead)."""
    updated = connection.execute(
        queue_worker.update().where(queue_worker.c.id == worker_id).values(heartbeat_ms=now_ms)
    )
    return bool(updated.rowcount)


def remove_worker(connection: sa.Connection, worker_id: str) -> None:
    connection.execute(queue_worker.delete().where(queue_worker.c.id == worker_id))


def list_workers(connection: sa.Connection) -> list[WorkerRecord]:
    rows = connection.execute(sa.select(queue_worker).order_by(queue_worker.c.started_ms))
    return [
        WorkerRecord(r.id, r.hostname, r.pid, r.location, r.started_ms, r.heartbeat_ms)
        for r in rows
    ]


def stale_leases(connection: sa.Connection, now_ms: int, timeout_ms: int) -> list[Lease]:
    """Leases whose worker stopped heartbeating (or is gone); their workers are dropped."""
    oldest = now_ms - timeout_ms
    connection.execute(queue_worker.delete().where(queue_worker.c.heartbeat_ms < oldest))
    alive = sa.select(queue_worker.c.id)
    orphaned = sa.select(run_lease.c.worker_id).where(run_lease.c.worker_id.not_in(alive))
    dead: Sequence[str] = [str(w) for w in connection.execute(orphaned.distinct()).scalars()]
    return leases(connection, list(dead)) if dead else []
