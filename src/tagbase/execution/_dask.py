"""The Dask executor: a run's steps as tasks on a Dask distributed cluster.

This process plans and records, as with the other executors; each step runs on a Dask worker
and returns a small outcome, its outputs going through the artifact store (which must be
shared by the cluster: a folder all workers see, or any fsspec URL). Op tags are honoured:
`dask/resources` (a JSON object such as `{"GPU": 1}`) becomes the task's Dask resources,
`dask/priority` its priority; every op tag is a Dask annotation of the task; step tag
concurrency limits hold steps back as with the multi-process executor.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from typing import Any

from dask.base import annotate

from tagbase._errors import InvalidInputError
from tagbase.definitions._jobs import ExecutorDefinition
from tagbase.definitions._plan import PlannedStep
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._context import StepContext
from tagbase.execution._executors import (
    Runner,
    _failed,
    _portable,
    op_tags,
    resolve_inputs,
    schedule,
)
from tagbase.execution._outcome import StepOutcome
from tagbase.execution._steps import execute_step


def run_on_dask(runner: Runner, executor: ExecutorDefinition) -> None:
    from distributed import Client

    held: list[Any] = []  # a Dask future is cancelled once nothing refers to it
    with Client(executor.address, set_as_default=False) as client:  # type: ignore[no-untyped-call]

        def submit(step: PlannedStep) -> Future[StepOutcome]:
            return _submit(client, runner, step, held)

        schedule(runner, submit, executor.tag_concurrency_limits)
    runner.record_skipped()


def task_options(step: PlannedStep) -> dict[str, Any]:
    """Dask resources, priority and annotations from a step's op tags."""
    tags = op_tags(step)
    options: dict[str, Any] = {}
    if "dask/resources" in tags:
        options["resources"] = _resources(step, tags["dask/resources"])
    if "dask/priority" in tags:
        options["priority"] = int(tags["dask/priority"])
    return options


def _resources(step: PlannedStep, text: str) -> dict[str, float]:
    try:
        loaded = json.loads(text)
        if isinstance(loaded, dict) and all(isinstance(v, int | float) for v in loaded.values()):
            return {str(k): float(v) for k, v in loaded.items()}
    except ValueError:
        pass
    raise InvalidInputError(
        f"op {step.op.name!r} has tag dask/resources={text!r}, which is not a JSON object of "
        'numbers. Fix: write e.g. tags={"dask/resources": {"GPU": 1}}'
    )


def _submit(client: Any, runner: Runner, step: PlannedStep, held: list[Any]) -> Future[StepOutcome]:
    runner.recorder.step_started(runner.run, step)
    done: Future[StepOutcome] = Future()
    try:
        options = task_options(step)
    except InvalidInputError as error:
        done.set_result(_failed(step, error))
        return done
    inputs = runner.inputs_for(step, in_memory=False)
    context = runner.context_for(step)
    with annotate(tagbase_op_tags=op_tags(step)):
        task = client.submit(
            _run_on_worker,
            step,
            inputs,
            context,
            runner.artifacts.base,
            key=f"tagbase-{runner.run.id}-{step.key}",
            pure=False,
            **options,
        )
    held.append(task)
    task.add_done_callback(lambda finished: _copy(finished, done))
    return done


def _copy(finished: Any, done: Future[StepOutcome]) -> None:
    try:
        done.set_result(finished.result())
    except BaseException as error:  # the cluster lost the task: the step fails with it
        done.set_exception(error)


def _run_on_worker(
    step: PlannedStep, inputs: dict[str, Any], context: StepContext, base: str
) -> StepOutcome:
    artifacts = ArtifactStore(base)
    try:
        resolved = resolve_inputs(inputs, artifacts)
    except Exception as error:
        return _portable(_failed(step, error))
    return _portable(execute_step(step, resolved, context, artifacts, store_every_output=True))
