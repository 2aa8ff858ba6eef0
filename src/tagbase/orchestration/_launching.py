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
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import TagsInput
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._jobs import JobDefinition
from tagbase.definitions._partitions import (
    PARTITIONS_METADATA,
    PartitionsDefinition,
    partitions_from_json,
)
from tagbase.definitions._plan import plan_job
from tagbase.execution._launch import run_subject, system_tags
from tagbase.execution._recorder import RunRecorder
from tagbase.execution._run_tags import (
    RunTags,
    catalog_job_tags,
    catalog_step_tags,
    plan_step_tags,
    run_tags,
)
from tagbase.execution._runtime import current_runtime
from tagbase.execution._steps import now_ms
from tagbase.execution._sync import sync_plan
from tagbase.store import QueuedRun, StoreContract

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
    store: StoreContract | None = None,
) -> Entity:
    """Queue a run of a job (a definition, or a job name: of `definitions` if given, else of
    the catalog); the run as recorded, status `queued`."""
    [run] = launch_runs([LaunchRequest(job, tags, system, op_selection)], definitions, store)
    return run


def launch_runs(
    requests: Sequence[LaunchRequest],
    definitions: Definitions | None = None,
    store: StoreContract | None = None,
) -> list[Entity]:
    """Queue several runs; all are checked before the first is recorded."""
    store = store or current_runtime().store
    prepared = [_prepare(request, definitions, store) for request in requests]
    recorder = RunRecorder(store)
    runs = []
    queued = []
    with store.atomic():  # every run recorded and queued, or none
        for job_name, tags in prepared:
            run = recorder.record(job_name, tags)
            runs.append(run)
            queued.append(QueuedRun(run.id, job_name, tags.priority, run.tag_dict, tags.step_tags))
        store.enqueue(queued, now_ms())
    return runs


def _prepare(
    request: LaunchRequest, definitions: Definitions | None, store: StoreContract
) -> tuple[str, RunTags]:
    system = dict(request.system or {})
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
        tags = run_tags(
            f"job {job!r} (as the catalog records it)",
            catalog_job_tags(found),
            launch=request.tags,
            system=system,
            partitions=catalog_partitions(found),
            step_tags=catalog_step_tags(found),
        )
        return job, tags
    full = plan_job(job)
    plan = full if request.op_selection is None else full.subset(request.op_selection)
    own = system_tags(plan, request.op_selection, None, None)
    tags = run_tags(
        run_subject(job.name),
        job.tags,
        launch=request.tags,
        system={**own, **system},
        partitions=job.partitions_def,
        step_tags=plan_step_tags(plan),
    )
    sync_plan(store, plan, full)
    return job.name, tags


def catalog_job(store: StoreContract, name: str) -> Entity:
    """A job recorded in the catalog (by `tagbase load` or a worker)."""
    found = store.find(Kind.JOB, name)
    if found is None:
        raise NotFoundError(f"no job named {name!r} in the catalog", fix=_fixes.recorded_job())
    return found


def catalog_partitions(job: Entity) -> PartitionsDefinition | None:
    """The partitions the catalog recorded for a job (its `tagbase/partitions` metadata)."""
    held = job.metadata.get(PARTITIONS_METADATA)
    return partitions_from_json(None if held is None else held.value, f"job {job.name!r}")
