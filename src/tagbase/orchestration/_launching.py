"""Launching runs into the queue: each run is recorded `queued` and the call returns at once.

Everything that can be refused is refused here, before anything is written: unknown jobs,
bad tags (a `tagbase/priority` that is not an integer names the value, the rule and a fix),
a partition key the job does not have (checked against its definition, or, for a job named
alone, against the partitions the catalog recorded for it), an op selection that cannot run
alone. A worker picks the run up later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tagbase import _fixes
from tagbase._client import shared_store
from tagbase._config import Config
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._jobs import JobDefinition
from tagbase.definitions._partitions import (
    PARTITION_TAG,
    PARTITIONS_METADATA,
    PartitionsDefinition,
    partitions_from_json,
    split_partition,
)
from tagbase.definitions._plan import plan_job
from tagbase.execution._launch import run_subject, system_tags
from tagbase.execution._recorder import RunRecorder
from tagbase.execution._steps import now_ms
from tagbase.execution._sync import sync_plan
from tagbase.store import Store
from tagbase.store._queue import QueuedRun, enqueue

JobInput = JobDefinition | str


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    """One run to queue: its job, launch tags and tagbase's own tags."""

    job: JobInput
    tags: TagsInput = None
    system: Mapping[str, str] | None = None
    op_selection: Sequence[str] | None = None


def launch_run(
    job: JobInput,
    *,
    tags: TagsInput = None,
    op_selection: Sequence[str] | None = None,
    definitions: Definitions | None = None,
    system: Mapping[str, str] | None = None,
    store: Store | None = None,
) -> Entity:
    """Queue a run of a job (a definition, or a job name: of `definitions` if given, else of
    the catalog); the run as recorded, status `queued`."""
    [run] = launch_runs([LaunchRequest(job, tags, system, op_selection)], definitions, store)
    return run


def launch_runs(
    requests: Sequence[LaunchRequest],
    definitions: Definitions | None = None,
    store: Store | None = None,
) -> list[Entity]:
    """Queue several runs; all are checked before the first is recorded."""
    store = store or shared_store(Config.load())
    prepared = [_prepare(request, definitions, store) for request in requests]
    recorder = RunRecorder(store)
    runs = []
    queued = []
    for job_name, job_tags, launch, system in prepared:
        run = recorder.record(job_name, job_tags, launch, system)
        runs.append(run)
        tags = run.tag_dict
        priority = int(tags.get("tagbase/priority", "0"))
        queued.append(QueuedRun(recorder.row_id(run.id), run.id, job_name, priority, tags))
    enqueue(store.engine, queued, now_ms())
    return runs


Prepared = tuple[str, tuple[Tag, ...], tuple[Tag, ...], tuple[Tag, ...]]


def _prepare(request: LaunchRequest, definitions: Definitions | None, store: Store) -> Prepared:
    given = dict(request.system or {})
    partition_key = given.pop(PARTITION_TAG, None)
    launch = normalize_tags(request.tags, kind=Kind.RUN)
    system = normalize_tags(given, kind=Kind.RUN)
    job = request.job
    if isinstance(job, str) and definitions is not None:
        job = definitions.get_job_def(job)
    if isinstance(job, str):
        if request.op_selection is not None:
            raise NotFoundError(
                f"an op selection of job {job!r} needs its definition",
                fix=_fixes.job_definitions(),
            )
        found = catalog_job(store, job)
        subject = f"job {job!r} (as the catalog records it)"
        launch, partition = split_partition(
            subject, catalog_partitions(found), launch, partition_key
        )
        return job, _definition_tags(found), launch, system + partition
    launch, partition = split_partition(
        run_subject(job.name), job.partitions_def, launch, partition_key
    )
    plan = plan_job(job)
    if request.op_selection is not None:
        plan = plan.subset(request.op_selection)
    sync_plan(store, plan)
    system = system_tags(plan, request.op_selection, None, None) + system + partition
    return job.name, job.tags, launch, system


def catalog_job(store: Store, name: str) -> Entity:
    """A job recorded in the catalog (by `tagbase load` or a worker)."""
    found = store.find(Kind.JOB, name)
    if found is None:
        raise NotFoundError(f"no job named {name!r} in the catalog", fix=_fixes.recorded_job())
    return found


def catalog_partitions(job: Entity) -> PartitionsDefinition | None:
    """The partitions the catalog recorded for a job (its `tagbase/partitions` metadata)."""
    held = job.metadata.get(PARTITIONS_METADATA)
    return partitions_from_json(None if held is None else held.value, f"job {job.name!r}")


def _definition_tags(job: Entity) -> tuple[Tag, ...]:
    return tuple(Tag(t.key, t.value) for t in job.tags.assigned if t.source == "definition")
