"""Launching runs: `job.execute_in_process(...)`, `materialize([...])`, and re-execution.

Everything that can be refused is checked before the run is recorded: launch tags, the op
selection, and the stored versions of upstream assets a run reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tagbase._client import shared_store
from tagbase._config import Config
from tagbase._errors import DefinitionError, NotFoundError, TagbaseError
from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._definitions import _as_assets
from tagbase.definitions._jobs import (
    ExecutorDefinition,
    JobDefinition,
    in_process_executor,
)
from tagbase.definitions._plan import ExecutionPlan, FromAsset, plan_job
from tagbase.definitions._selection import select_assets
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._executors import Runner, run_in_process, run_in_processes
from tagbase.execution._recorder import RunInfo, RunRecorder
from tagbase.execution._result import RunResult
from tagbase.execution._sync import sync_plan
from tagbase.store import Store
from tagbase.store._runs import list_steps

ASSET_JOB_NAME = "__asset_job"


def execute_job(
    job: JobDefinition,
    *,
    tags: TagsInput = None,
    op_selection: Sequence[str] | None = None,
    raise_on_error: bool = True,
    executor: ExecutorDefinition | None = None,
    parent_run_id: str | None = None,
    root_run_id: str | None = None,
    store: Store | None = None,
) -> RunResult:
    """Run a job now, recording the run, its steps, events and asset versions."""
    plan = plan_job(job)
    if op_selection is not None:
        plan = plan.subset(op_selection)
    launch = normalize_tags(tags, kind=Kind.RUN)
    system = system_tags(plan, op_selection, parent_run_id, root_run_id)
    store = store or shared_store(Config.load())
    artifacts = ArtifactStore.from_environment()
    asset_uris = _read_asset_uris(store, plan)
    sync_plan(store, plan)
    recorder = RunRecorder(store)
    run = recorder.begin(plan, launch, system)
    return _run(plan, recorder, run, artifacts, asset_uris, executor, raise_on_error)


def execute_recorded(
    job: JobDefinition,
    run_id: str,
    tags: Mapping[str, str],
    *,
    row_id: int | None = None,
    op_selection: Sequence[str] | None = None,
    executor: ExecutorDefinition | None = None,
    store: Store | None = None,
) -> RunResult:
    """Run a run recorded earlier as `queued` (a worker's part), given its id and tags: its
    `tagbase/op_selection` picks its steps; `op_selection` given here becomes that tag."""
    store = store or shared_store(Config.load())
    recorded = tags.get("tagbase/op_selection")
    keys = json.loads(recorded) if recorded is not None else op_selection
    plan = plan_job(job)
    if keys is not None:
        plan = plan.subset(keys)
    added = {} if recorded is not None or keys is None else _selection_tag(plan)
    artifacts = ArtifactStore.from_environment()
    asset_uris = _read_asset_uris(store, plan)
    recorder = RunRecorder(store)
    system = normalize_tags(added, kind=Kind.RUN)
    info = recorder.start(plan, run_id, system, row_id=row_id)
    return _run(plan, recorder, info, artifacts, asset_uris, executor, raise_on_error=False)


def _selection_tag(plan: ExecutionPlan) -> dict[str, str]:
    return {"tagbase/op_selection": json.dumps(list(plan.keys))}


def _run(
    plan: ExecutionPlan,
    recorder: RunRecorder,
    run: RunInfo,
    artifacts: ArtifactStore,
    asset_uris: dict[str, str],
    executor: ExecutorDefinition | None,
    raise_on_error: bool,
) -> RunResult:
    job = plan.job
    runner = Runner(plan, run, recorder, artifacts, asset_uris)
    chosen = executor or job.executor
    try:
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
        from tagbase.execution._dask import run_on_dask

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
) -> tuple[Tag, ...]:
    tags: dict[str, str] = {}
    if op_selection is not None:
        tags.update(_selection_tag(plan))
    if parent_run_id is not None:
        tags["tagbase/parent_run_id"] = parent_run_id
        tags["tagbase/root_run_id"] = root_run_id or parent_run_id
    image = os.environ.get("TAGBASE_IMAGE")
    if image:
        tags["tagbase/image"] = image
    return normalize_tags(tags, kind=Kind.RUN)


def _read_asset_uris(store: Store, plan: ExecutionPlan) -> dict[str, str]:
    """Where the newest version of each asset the plan reads (but does not make) is stored."""
    read = {
        source.name
        for step in plan.steps
        for source in step.inputs.values()
        if isinstance(source, FromAsset)
    }
    return {name: latest_uri(store, name) for name in read}


def latest_uri(store: Store, asset: str) -> str:
    """Where the newest stored version of an asset is; NotFoundError if there is none."""
    page = (
        store.list(Kind.ASSET_VERSION, scope=asset, size=20, with_total=False)
        if store.find(Kind.ASSET, asset)
        else None
    )
    for version in page or ():
        uri = version.metadata.get("tagbase/uri")
        if uri is not None:
            return str(uri.value)
    raise NotFoundError(
        f"asset {asset!r} is read by this run but has no stored version. Fix: materialize "
        f"{asset!r} first, or select it in the same run"
    )


def materialize(
    assets: Iterable[AssetsDefinition | AssetSpec],
    *,
    selection: Any = None,
    tags: TagsInput = None,
    raise_on_error: bool = True,
    executor: ExecutorDefinition | None = None,
    store: Store | None = None,
) -> RunResult:
    """Materialize assets in one run (`selection` picks among them; the rest may be read)."""
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
    )
    return execute_job(job, tags=tags, raise_on_error=raise_on_error, store=store)


def reexecute(
    job: JobDefinition,
    parent_run_id: str,
    *,
    from_failure: bool = True,
    tags: TagsInput = None,
    raise_on_error: bool = True,
    store: Store | None = None,
) -> RunResult:
    """Run a job again after a run of it; from the failure, its steps that did not succeed
    (and what follows them) run, reading earlier outputs from the artifact store."""
    store = store or shared_store(Config.load())
    parent = store.get(Kind.RUN, parent_run_id)
    if parent.scope is None or parent.scope.name != job.name:
        raise NotFoundError(
            f"run {parent_run_id} is not a run of job {job.name!r}. Fix: pass a run of this job"
        )
    root = parent.tag_dict.get("tagbase/root_run_id", parent.id)
    launch = [t for t in parent.tags.assigned if t.source == "launch"]
    given = [Tag(t.key, t.value) for t in launch] + list(normalize_tags(tags, kind=Kind.RUN))
    selection = None
    if from_failure:
        selection = steps_to_rerun(job, succeeded_steps(store, parent.id))
    return execute_job(
        job,
        tags=given,
        op_selection=selection,
        raise_on_error=raise_on_error,
        parent_run_id=parent.id,
        root_run_id=root,
        store=store,
    )


def succeeded_steps(store: Store, run_id: str) -> set[str]:
    return {s.key for s in list_steps(store.engine, run_id) if s.status == "success"}


def steps_to_rerun(
    job: JobDefinition, done: set[str], among: Sequence[str] | None = None
) -> list[str] | None:
    """The steps (of `among`, else of the whole job) to run again, or None when an earlier
    output cannot be read back."""
    plan = plan_job(job)
    wanted = [key for key in (plan.keys if among is None else among) if key not in done]
    try:
        plan.subset(wanted)
    except DefinitionError:
        return None
    return wanted
