"""Cancelling a run: a waiting run leaves the queue at once; a running one is stopped by its
worker within a fraction of a second (its run process is killed)."""

from __future__ import annotations

from tagbase._errors import ConflictError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._run_records import ENDED
from tagbase.orchestration._finish import finish_run
from tagbase.store import Ref, StoreContract


def cancel_run(store: StoreContract, run: Ref) -> Entity:
    """Cancel a queued or running run; the run (`canceled`, or still `started` until its
    worker stops it)."""
    found = store.get(Kind.RUN, run)
    if found.status in ENDED:
        raise ConflictError(
            f"run {found.name} ({found.id}) already ended ({found.status}); only queued or "
            "running runs can be cancelled. Fix: pick a run that has not ended"
        )
    where = store.request_cancel(found.id)
    if where == "queued":
        return finish_run(store, found.id, "canceled", "canceled before it started")
    if where is None:
        raise ConflictError(
            f"run {found.name} ({found.id}) is {found.status} but not in the run queue: it "
            "runs in the process that started it directly. Fix: stop that process"
        )
    return found
