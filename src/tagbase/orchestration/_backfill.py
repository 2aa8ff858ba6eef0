"""Backfills: a run per partition of a range, queued together and tagged with one backfill id
(`tagbase/backfill`) and each its partition (`tagbase/partition`)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass

from tagbase import _fixes
from tagbase._errors import InvalidInputError
from tagbase._tags import TagsInput
from tagbase.definitions._definitions import Definitions
from tagbase.orchestration._launching import JobInput, LaunchRequest, launch_runs
from tagbase.store import Store

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
    store: Store | None = None,
) -> Backfill:
    if isinstance(job, str) and definitions is not None:
        job = definitions.get_job_def(job)
    keys = _keys(job, partition_keys, start, end)
    backfill = new_backfill_id()
    requests = [
        LaunchRequest(job, tags, {"tagbase/backfill": backfill, "tagbase/partition": key})
        for key in keys
    ]
    runs = launch_runs(requests, definitions, store)
    name = job if isinstance(job, str) else job.name
    return Backfill(backfill, name, tuple(keys), tuple(run.id for run in runs))


def _keys(
    job: JobInput, given: Sequence[str] | None, start: str | None, end: str | None
) -> list[str]:
    partitions = None if isinstance(job, str) else job.partitions_def
    if given is not None:
        keys = list(given)
        if partitions is not None:
            for key in keys:
                check_partition(partitions, key)
    elif partitions is None or start is None or end is None:
        raise InvalidInputError(
            "a backfill needs partition keys, or a start and end key of a partitioned job",
            fix=_fixes.backfill_range(),
        )
    else:
        keys = partitions.get_partition_keys_in_range(start, end)
    if not keys:
        raise InvalidInputError("a backfill of no partitions launches nothing. Fix: give keys")
    return keys


def check_partition(partitions: object, key: str) -> None:
    has = getattr(partitions, "has_partition_key", None)
    if has is not None and not has(key):
        raise InvalidInputError(
            f"partition key {key!r} is not a partition of this job. Fix: pick one of its keys"
        )
