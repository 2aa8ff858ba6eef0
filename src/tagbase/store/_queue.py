"""The run queue: runs waiting for a worker, and runs a worker holds.

`run_queue` holds waiting runs only, so claiming reads one index, `(rank, id)`: rank is minus
the run's priority (higher priority first), id keeps FIFO among equals. A claim moves the row
to `run_lease`, which names the worker and the deadline; the lease goes when the run ends.
On PostgreSQL candidates are read `FOR UPDATE SKIP LOCKED`, so workers never wait on each
other's rows; with tag concurrency limits a transaction-level advisory lock also serialises
the check "how many runs with this tag are in progress". SQLite writers already take the
database lock at BEGIN IMMEDIATE, which serialises claims the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tagbase._concurrency import TagConcurrencyLimit, blocking_limit
from tagbase.store._runs import Event, _event_rows, run_event
from tagbase.store._schema import Id, Millis, entity, metadata_obj

_ADVISORY_LOCK = 0x7461676261  # "tagba": the one lock claims under limits share
_PAGE = 64

run_queue = sa.Table(
    "run_queue",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_uuid", sa.String(36), nullable=False),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("rank", sa.BigInteger, nullable=False),  # minus the priority: lowest first
    sa.Column("queued_ms", Millis, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),  # the run's tags at launch, as a JSON object
    # the tags of the ops and assets it executes, [[key, value], ...]: limits read them too
    sa.Column("step_tags", sa.Text, nullable=False, server_default="[]"),
    sa.Index(None, "run_id", unique=True),
    sa.Index(None, "rank", "id"),
)

run_lease = sa.Table(
    "run_lease",
    metadata_obj,
    sa.Column("run_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("run_uuid", sa.String(36), nullable=False),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("step_tags", sa.Text, nullable=False, server_default="[]"),
    sa.Column("worker_id", sa.String(36), nullable=False),
    sa.Column("queued_ms", Millis, nullable=False),
    sa.Column("claimed_ms", Millis, nullable=False),
    sa.Column("deadline_ms", Millis, nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Index(None, "worker_id"),
)


@dataclass(frozen=True, slots=True)
class QueuedRun:
    """A run to put in the queue (recorded already, status `queued`)."""

    run_uuid: str
    job_name: str
    priority: int
    tags: Mapping[str, str]
    step_tags: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True, slots=True)
class Lease:
    """A run a worker claimed."""

    run_id: int
    run_uuid: str
    job_name: str
    tags: Mapping[str, str]
    worker_id: str
    queued_ms: int
    claimed_ms: int
    deadline_ms: int | None
    cancel_requested: bool = False
    step_tags: tuple[tuple[str, str], ...] = ()

    @property
    def held(self) -> list[tuple[str, str]]:
        """What tag concurrency limits count: the run's tags and its steps'."""
        return [*self.tags.items(), *self.step_tags]


def enqueue(
    connection: sa.Connection, runs: Sequence[QueuedRun], rows: Sequence[int], at_ms: int
) -> None:
    """Queue runs, with their `run_queued` events; `rows` are the runs' entity ids."""
    queued = [
        {
            "run_id": row,
            "run_uuid": run.run_uuid,
            "job_name": run.job_name,
            "rank": -run.priority,
            "queued_ms": at_ms,
            "tags": json.dumps(dict(run.tags)),
            "step_tags": json.dumps([list(pair) for pair in run.step_tags]),
        }
        for run, row in zip(runs, rows, strict=True)
    ]
    events = [r for row in rows for r in _event_rows(row, [Event("run_queued", at_ms)])]
    connection.execute(run_queue.insert(), queued)
    connection.execute(run_event.insert(), events)


def claim(
    connection: sa.Connection,
    worker_id: str,
    jobs: Sequence[str] | None,
    limits: Sequence[TagConcurrencyLimit],
    now_ms: int,
) -> Lease | None:
    """Take the first waiting run (priority, then age) that no limit holds back, or None."""
    busy: list[list[tuple[str, str]]] = []
    if limits:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK)))
        held = connection.execute(sa.select(run_lease.c.tags, run_lease.c.step_tags))
        busy = [_held(row.tags, row.step_tags) for row in held]
    row = _first_allowed(connection, jobs, limits, busy)
    if row is None:
        return None
    lease = _lease_of(row, worker_id, now_ms)
    connection.execute(run_queue.delete().where(run_queue.c.id == row.id))
    connection.execute(run_lease.insert().values(**_lease_row(lease)))
    return lease


def anything_waiting(connection: sa.Connection, jobs: Sequence[str] | None) -> bool:
    """A read without the write lock, so idle workers polling SQLite do not queue on it
    (PostgreSQL claims lock rows, not the database: no need)."""
    query = sa.select(run_queue.c.id).limit(1)
    if jobs is not None:
        query = query.where(run_queue.c.job_name.in_(jobs))
    return connection.execute(query).first() is not None


def _first_allowed(
    connection: sa.Connection,
    jobs: Sequence[str] | None,
    limits: Sequence[TagConcurrencyLimit],
    busy: list[list[tuple[str, str]]],
) -> Any:
    after: tuple[int, int] | None = None
    while True:
        rows = connection.execute(_candidates(jobs, after, 1 if not limits else _PAGE)).all()
        for row in rows:
            if blocking_limit(limits, _held(row.tags, row.step_tags), busy) is None:
                return row
        if len(rows) < (1 if not limits else _PAGE) or not limits:
            return None
        after = (rows[-1].rank, rows[-1].id)


def _candidates(jobs: Sequence[str] | None, after: tuple[int, int] | None, size: int) -> Any:
    query = sa.select(run_queue).order_by(run_queue.c.rank, run_queue.c.id).limit(size)
    if jobs is not None:
        query = query.where(run_queue.c.job_name.in_(jobs))
    if after is not None:
        query = query.where(sa.tuple_(run_queue.c.rank, run_queue.c.id) > sa.tuple_(*after))
    return query.with_for_update(skip_locked=True)


def _held(tags: str, step_tags: str) -> list[tuple[str, str]]:
    return [*json.loads(tags).items(), *_step_pairs(step_tags)]


def _step_pairs(step_tags: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(value)) for key, value in json.loads(step_tags))


def _lease_of(row: Any, worker_id: str, now_ms: int) -> Lease:
    tags: dict[str, str] = json.loads(row.tags)
    limit_s = tags.get("tagbase/max_runtime")
    deadline = None if limit_s is None else now_ms + int(float(limit_s) * 1000)
    steps = _step_pairs(row.step_tags)
    return Lease(
        row.run_id,
        row.run_uuid,
        row.job_name,
        tags,
        worker_id,
        row.queued_ms,
        now_ms,
        deadline,
        step_tags=steps,
    )


def _lease_row(lease: Lease) -> dict[str, Any]:
    return {
        "run_id": lease.run_id,
        "run_uuid": lease.run_uuid,
        "job_name": lease.job_name,
        "tags": json.dumps(dict(lease.tags)),
        "worker_id": lease.worker_id,
        "queued_ms": lease.queued_ms,
        "claimed_ms": lease.claimed_ms,
        "deadline_ms": lease.deadline_ms,
        "cancel_requested": False,
        "step_tags": json.dumps([list(pair) for pair in lease.step_tags]),
    }


def release(connection: sa.Connection, run_id: int) -> bool:
    """End a lease; whether it was still held (so exactly one caller finishes a run)."""
    deleted = connection.execute(run_lease.delete().where(run_lease.c.run_id == run_id))
    return bool(deleted.rowcount)


def request_cancel(connection: sa.Connection, run_id: int) -> str | None:
    """Take a waiting run out of the queue (`queued`), or ask its worker to stop it
    (`running`); None when the run is in neither."""
    if connection.execute(run_queue.delete().where(run_queue.c.run_id == run_id)).rowcount:
        return "queued"
    flagged = connection.execute(
        run_lease.update().where(run_lease.c.run_id == run_id).values(cancel_requested=True)
    )
    return "running" if flagged.rowcount else None


def cancel_requested(connection: sa.Connection, run_ids: Sequence[int]) -> set[int]:
    if not run_ids:
        return set()
    rows = connection.execute(
        sa.select(run_lease.c.run_id).where(
            run_lease.c.run_id.in_(run_ids), run_lease.c.cancel_requested.is_(True)
        )
    )
    return {int(row.run_id) for row in rows}


def leases(connection: sa.Connection, worker_ids: Sequence[str] | None = None) -> list[Lease]:
    """Runs in progress: of some workers, or all."""
    query = sa.select(run_lease).order_by(run_lease.c.claimed_ms)
    if worker_ids is not None:
        query = query.where(run_lease.c.worker_id.in_(worker_ids))
    return [
        Lease(
            r.run_id,
            r.run_uuid,
            r.job_name,
            json.loads(r.tags),
            r.worker_id,
            r.queued_ms,
            r.claimed_ms,
            r.deadline_ms,
            bool(r.cancel_requested),
            _step_pairs(r.step_tags),
        )
        for r in connection.execute(query)
    ]


def count_queued(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(run_queue)).scalar_one())


def queued_run_ids(connection: sa.Connection) -> list[str]:
    """Waiting runs in the order workers will consider them."""
    query = sa.select(run_queue.c.run_uuid).order_by(run_queue.c.rank, run_queue.c.id)
    return [str(uuid) for uuid in connection.execute(query).scalars()]


def run_status(connection: sa.Connection, run_uuid: str) -> str | None:
    """A run's status, read alone (cheaper than loading the run)."""
    found = connection.execute(sa.select(entity.c.status).where(entity.c.uuid == run_uuid))
    value = found.scalar()
    return None if value is None else str(value)
