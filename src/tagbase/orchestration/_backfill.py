"""Backfills: a run per partition of a range, queued together and tagged with one backfill id
(`tagbase/backfill`) and each its partition (`tagbase/partition`). Only a job with partitions
has a backfill; every key is checked before the first run is recorded."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass

from tagbase import _fixes
from tagbase._errors import InvalidInputError, PartitionKeyError, Problem
from tagbase._tags import TagsInput
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._partitions import PARTITION_TAG, PartitionsDefinition
from tagbase.execution._runtime import current_runtime
from tagbase.orchestration._launching import (
    JobInput,
    LaunchRequest,
    catalog_job,
    catalog_partitions,
    launch_runs,
)
from tagbase.store import StoreContract

_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class Backfill:
    id: str
    job_name: str
    partition_keys: tuple[str, ...]
    run_ids: tuple[str, ...]


def new_backfill_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def launch_backfill(
    job: JobInput,
    *,
    partition_keys: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    tags: TagsInput = None,
    definitions: Definitions | None = None,
    store: StoreContract | None = None,
) -> Backfill:
    store = store or current_runtime().store
    if isinstance(job, str) and definitions is not None:
        job = definitions.get_job_def(job)
    if isinstance(job, str):
        name, partitions = job, catalog_partitions(catalog_job(store, job))
    else:
        name, partitions = job.name, job.partitions_def
    keys = _keys(name, partitions, partition_keys, start, end)
    backfill = new_backfill_id()
    requests = [
        LaunchRequest(job, tags, {"tagbase/backfill": backfill, PARTITION_TAG: key}) for key in keys
    ]
    runs = launch_runs(requests, definitions, store)
    return Backfill(backfill, name, tuple(keys), tuple(run.id for run in runs))


def _keys(
    name: str,
    partitions: PartitionsDefinition | None,
    given: Sequence[str] | None,
    start: str | None,
    end: str | None,
) -> list[str]:
    """The partitions to backfill; each is checked again as its run is prepared."""
    if partitions is None:
        raise PartitionKeyError(
            [
                Problem(
                    f"job {name!r}",
                    "it has no partitions, and a backfill launches a run per partition",
                    "give the job partitions_def=, or launch one run (tagbase launch JOB)",
                )
            ]
        )
    if given is not None:
        keys = list(given)
    elif start is None or end is None:
        raise InvalidInputError(
            "a backfill needs partition keys, or a start and end key of a partitioned job",
            fix=_fixes.backfill_range(),
        )
    else:
        keys = partitions.get_partition_keys_in_range(start, end)
    if not keys:
        raise InvalidInputError("a backfill of no partitions launches nothing. Fix: give keys")
    return keys
