"""Ending a run from outside it: a worker stopping it (cancel, max runtime), or another
process noticing its worker died. Steps left `started` end with it, in the same transaction."""

from __future__ import annotations

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._run_records import ENDED
from tagbase.execution._steps import now_ms
from tagbase.metadata import MetadataValue
from tagbase.store import Event, StoreContract


def finish_run(store: StoreContract, run_id: str, status: str, reason: str) -> Entity:
    """Mark the run `failed` or `canceled` with the reason, unless it already ended."""
    run = store.get(Kind.RUN, run_id)
    if run.status in ENDED:
        return run
    ended = now_ms()
    metadata: dict[str, object] = {
        "tagbase/ended_at": MetadataValue.timestamp(ended / 1000),
        "tagbase/error": reason,
    }
    started = run.metadata.get("tagbase/started_at")
    if started is not None:
        metadata["tagbase/duration_s"] = ended / 1000 - float(started.value)
    with store.atomic():
        store.end_open_steps(run.id, status, reason, ended)
        updated = store.update(Kind.RUN, run.id, status=status, metadata=metadata, source="system")
        store.add_run_events(run.id, [Event(f"run_{status}", ended, None, reason)])
    return updated
