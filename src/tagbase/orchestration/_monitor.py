"""Run monitoring across workers: runs whose worker stopped heartbeating are failed (and
retried per their tags). Workers and the daemon call `reap` every few seconds; the lease
decides which of them handles a run, so each run is failed and retried once."""

from __future__ import annotations

import logging

from tagbase.orchestration._finish import finish_run
from tagbase.orchestration._retries import retry_if_wanted
from tagbase.store import Lease, StoreContract

log = logging.getLogger("tagbase.orchestration")


def reap(store: StoreContract, now_ms: int, timeout_s: float) -> list[str]:
    """Fail the runs of dead workers; their ids."""
    failed = []
    for lease in store.stale_leases(now_ms, int(timeout_s * 1000)):
        if store.release(lease):
            reason = (
                f"its worker {lease.worker_id} stopped heartbeating for over {timeout_s:g} s "
                "(killed, or its machine lost)"
            )
            end_lost_run(store, lease, reason)
            failed.append(lease.run_uuid)
    return failed


def end_lost_run(store: StoreContract, lease: Lease, reason: str) -> None:
    finish_run(store, lease.run_uuid, "failed", reason)
    retry = retry_if_wanted(store, lease.run_uuid)
    if retry is not None:
        log.info("run %s failed (%s); retry %s queued", lease.run_uuid, reason, retry.id)
