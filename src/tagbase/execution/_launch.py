"""Launching runs: `job.execute_in_process(...)` and `materialize([...])`.

Everything that can be refused is checked before the run is recorded: launch tags, the
partition key, the op selection, and the stored versions of upstream assets a run reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tagbase._errors import NotFoundError, TagbaseError
from tagbase._kinds import Kind
from tagbase._tags import TagsInput, normalize_tags
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._definitions import _as_assets
from tagbase.definitions._jobs import (
    ExecutorDefinition,
    JobDefinition,
    asset_partitions,
    in_process_executor,
    run_jobs_with,
)
from tagbase.definitions._partitions import PARTITION_TAG, check_partition_key
from tagbase.definitions._plan import ExecutionPlan, FromAsset, plan_job
from tagbase.definitions._selection import select_assets
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._executors import Load, Runner, run_in_process, run_in_processes
from tagbase.execution._recorder import RunInfo, RunRecorder
from tagbase.execution._result import RunResult
from tagbase.execution._run_tags import run_tags
from tagbase.execution._runtime import Runtime, current_runtime, use_runtime
from tagbase.execution._sync import sync_plan
from tagbase.store import StoreContract

ASSET_JOB_NAME = "__asset_job"


def run_subject(job_name: str) -> str:
    """What a run is of, in messages: a job, or the assets `materialize` was given."""
    return "materialize(...)" if job_name == ASSET_JOB_NAME else f"job {job_name!r}"


def execute_job(
    job: JobDefinition,
    *,
    tags: TagsInput = None,
    partition_key: str | None = None,
    op_selection: Sequence[str] | None = None,
    raise_on_error: bool = True,
    executor: ExecutorDefinition | None = None,
    parent_run_id: str | None = None,
    root_run_id: str | None = None,
    store: StoreContract | None = None,
) -> RunResult:
    """Run a job now, recording the run, its steps, events and asset versions."""
    full = plan_job(job)
    plan = full if op_selection is None else full.subset(op_selection)
    chosen = run_tags(
        run_subject(job.name),
        job.tags,
        launch=tags,
        system=system_tags(plan, op_selection, parent_run_id, root_run_id),
        partitions=job.partitions_def,
        partition_key=partition_key,
    )
    runtime = current_runtime()
    store = store or runtime.store
    artifacts = runtime.artifacts
    asset_inputs = _stored_inputs(store, plan, chosen.as_dict().get(PARTITION_TAG))
    sync_plan(store, plan, full)
    recorder = RunRecorder(store)
    run = recorder.begin(plan, chosen)
    return _run(plan, recorder, run, artifacts, asset_inputs, executor, raise_on_error)


def execute_recorded(
    job: JobDefinition,
    run_id: str,
    tags: Mapping[str, str],
    *,
    op_selection: Sequence[str] | None = None,
    executor: ExecutorDefinition | None = None,
    store: StoreContract | None = None,
) -> RunResult:
    """Run a run recorded earlier as `queued` (a worker's part), given its id and tags: its
    `tagbase/op_selection` picks its steps; `op_selection` given here becomes that tag. Its
    partition is checked again: the job's partitions may have changed since it was queued."""
    runtime = current_runtime()
    store = store or runtime.store
    partition = tags.get(PARTITION_TAG)
    check_partition_key(job.partitions_def, partition, run_subject(job.name))
    recorded = tags.get("tagbase/op_selection")
    keys = json.loads(recorded) if recorded is not None else op_selection
    plan = plan_job(job)
    if keys is not None:
        plan = plan.subset(keys)
    added = {} if recorded is not None or keys is None else _selection_tag(plan)
    artifacts = runtime.artifacts
    asset_inputs = _stored_inputs(store, plan, partition)
    recorder = RunRecorder(store)
    system = normalize_tags(added, kind=Kind.RUN)
    info = recorder.start(plan, run_id, system)
    return _run(plan, recorder, info, artifacts, asset_inputs, executor, raise_on_error=False)


def _selection_tag(plan: ExecutionPlan) -> dict[str, str]:
    return {"tagbase/op_selection": json.dumps(list(plan.keys))}


def _run(
    plan: ExecutionPlan,
    recorder: RunRecorder,
    run: RunInfo,
    artifacts: ArtifactStore,
    asset_inputs: dict[str, Load],
    executor: ExecutorDefinition | None,
    raise_on_error: bool,
) -> RunResult:
    job = plan.job
    runner = Runner(plan, run, recorder, artifacts, asset_inputs)
    chosen = executor or job.executor
    try:  # the steps' own calls (`Client()`, `log_metadata`) reach the run's catalog
        with use_runtime(Runtime(recorder.store, artifacts)):
            run_with(chosen, runner)
    except BaseException as error:
        recorder.end(run, None, f"interrupted: {type(error).__name__}: {error}")
        raise
    failed = next((o for o in runner.outcomes.values() if o.status == "failed"), None)
    recorder.end(run, failed, None)
    result = RunResult(
        run.id,
        run.name,
        job.name,
        failed is None,
        dict(runner.outcomes),
        tuple(recorder.written),
        artifacts.base,
    )
    if failed is not None and raise_on_error:
        _raise(failed.exception, failed.key, failed.error, run.id)
    return result


def run_with(executor: ExecutorDefinition, runner: Runner) -> None:
    """Execute a runner's plan with the executor a job or launch chose."""
    if executor.name == "multiprocess":
        run_in_processes(runner, executor.max_concurrent, executor.tag_concurrency_limits)
    elif executor.name == "dask":
        from tagbase.execution._dask import run_on_dask  # dask is optional

        run_on_dask(runner, executor)
    else:
        run_in_process(runner)


def _raise(exception: BaseException | None, step: str, error: str | None, run_id: str) -> None:
    note = f"tagbase: step {step!r} failed; run {run_id} is recorded as failed"
    if exception is None:
        raise TagbaseError(f"{note}: {error}")
    exception.add_note(note)
    raise exception


def system_tags(
    plan: ExecutionPlan,
    op_selection: Sequence[str] | None,
    parent_run_id: str | None,
    root_run_id: str | None,
) -> dict[str, str]:
    """The tags tagbase itself gives a run of `plan`: its selection, lineage and image."""
    tags: dict[str, str] = {}
    if op_selection is not None:
        tags.update(_selection_tag(plan))
    if parent_run_id is not None:
        tags["tagbase/parent_run_id"] = parent_run_id
        tags["tagbase/root_run_id"] = root_run_id or parent_run_id
    image = os.environ.get("TAGBASE_IMAGE")
    if image:
        tags["tagbase/image"] = image
    return tags


def _stored_inputs(
    store: StoreContract, plan: ExecutionPlan, partition: str | None
) -> dict[str, Load]:
    """What tagbase stored for the newest version of each asset the plan reads (but does not
    make), of the run's partition for a partitioned asset: the record the recorder kept, never
    the `tagbase/uri` a client may have set."""
    read = {
        source.name: source.partitioned
        for step in plan.steps
        for source in step.inputs.values()
        if isinstance(source, FromAsset)
    }
    return {
        name: stored_input(store, name, partition if partitioned else None)
        for name, partitioned in read.items()
    }


def stored_input(store: StoreContract, asset: str, partition: str | None = None) -> Load:
    """The newest version of an asset (of a partition) holding a value tagbase stored;
    NotFoundError if none."""
    found = store.find_latest_stored(
        asset, None if partition is None else (PARTITION_TAG, partition)
    )
    if found is None:
        of, fix = ("", "") if partition is None else (f" of partition {partition!r}", " for it")
        raise NotFoundError(
            f"asset {asset!r} is read by this run but has no version{of} whose value tagbase "
            "stored and can verify (versions made by hand, or recorded before tagbase kept "
            f"digests, are not read). Fix: materialize {asset!r}{fix} first, or select it in "
            "the same run"
        )
    version, stored = found
    return Load(stored, f"asset version {version.display_name} ({version.id})")


def materialize(
    assets: Iterable[AssetsDefinition | AssetSpec],
    *,
    selection: Any = None,
    tags: TagsInput = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    executor: ExecutorDefinition | None = None,
    store: StoreContract | None = None,
) -> RunResult:
    """Materialize assets in one run (`selection` picks among them; the rest may be read);
    partitioned assets one partition: `partition_key`."""
    every = _as_assets(assets)
    chosen = select_assets(selection, every)
    job = JobDefinition(
        name=ASSET_JOB_NAME,
        nodes=(),
        style="asset_job",
        assets=chosen,
        asset_graph=every,
        selection=selection if isinstance(selection, str) else None,
        executor=executor or in_process_executor,
        partitions_def=asset_partitions(run_subject(ASSET_JOB_NAME), chosen, None),
    )
    return execute_job(
        job,
        tags=tags,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        store=store,
    )


run_jobs_with(execute_job)  # what `job.execute_in_process()` and calling a pipeline run
