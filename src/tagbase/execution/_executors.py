"""Executors: run a plan's steps in dependency order, here or in worker processes.

A step whose upstream step failed is skipped; independent steps still run. Each step is
recorded as it starts and as it ends. The multi-process executor forks workers (they inherit
the definitions, so functions defined anywhere work); outputs travel through the artifact
store, and only small outcomes come back through the pipe.
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from tagbase._concurrency import TagConcurrencyLimit, blocking_limit
from tagbase._errors import NotFoundError
from tagbase._records import StoredArtifact
from tagbase.definitions._compose import Constant
from tagbase.definitions._plan import ExecutionPlan, FromAsset, FromStep, PlannedStep
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._context import AssetExecutionContext, OpExecutionContext, StepContext
from tagbase.execution._outcome import StepOutcome
from tagbase.execution._recorder import RunInfo, RunRecorder
from tagbase.execution._runtime import after_fork
from tagbase.execution._steps import execute_step, now_ms


@dataclass(frozen=True, slots=True)
class Load:
    """An input to read from the artifact store: what tagbase stored, and whose it is."""

    stored: StoredArtifact
    what: str


@dataclass
class Runner:
    """One run's state while it executes: where every output went, what failed."""

    plan: ExecutionPlan
    run: RunInfo
    recorder: RunRecorder
    artifacts: ArtifactStore
    asset_inputs: Mapping[str, Load]  # the stored version of each asset read, not made
    values: dict[tuple[str, str], Any] = field(default_factory=dict)
    stored: dict[tuple[str, str], StoredArtifact] = field(default_factory=dict)
    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    skipped: list[PlannedStep] = field(default_factory=list)

    def inputs_for(self, step: PlannedStep, *, in_memory: bool) -> dict[str, Any]:
        inputs: dict[str, Any] = {}
        for name, source in step.inputs.items():
            if isinstance(source, Constant):
                inputs[name] = source.value
            elif isinstance(source, FromAsset):
                inputs[name] = self.asset_inputs[source.name]
            else:
                inputs[name] = self._from_step(source, in_memory)
        return inputs

    def _from_step(self, source: FromStep, in_memory: bool) -> Any:
        slot = (source.step, source.output)
        if in_memory and slot in self.values:
            return self.values[slot]
        if slot in self.stored:
            what = f"output {source.output!r} of step {source.step!r} of run {self.run.id}"
            return Load(self.stored[slot], what)
        raise NotFoundError(
            f"output {source.output!r} of step {source.step!r} holds no stored value "
            "(it returned a MaterializeResult without value=). Fix: return the value, or "
            "MaterializeResult(value=...)"
        )

    def context_for(self, step: PlannedStep) -> StepContext:
        kind = AssetExecutionContext if step.artifacts else OpExecutionContext
        return kind(
            run_id=self.run.id,
            run_name=self.run.name,
            job_name=self.run.job_name,
            step_key=step.key,
            op_name=step.op.name,
            outputs={o.name: o.artifact for o in step.outputs},
            run_tags=self.run.tags,
            model_version=self.run.model_version,
        )

    def finish(self, outcome: StepOutcome) -> StepOutcome:
        recorded = self.recorder.step_finished(self.run, outcome)
        self.outcomes[recorded.key] = recorded
        for output in recorded.outputs:
            if output.stored is not None:
                self.stored[(recorded.key, output.name)] = output.stored
        return recorded

    def blocked(self, step: PlannedStep) -> bool:
        """Whether an upstream step failed or was skipped."""
        failed = {k for k, o in self.outcomes.items() if not o.succeeded}
        return bool(step.upstream & (failed | {s.key for s in self.skipped}))

    def record_skipped(self) -> None:
        if self.skipped:
            self.recorder.steps_skipped(self.run, self.skipped, "an upstream step failed")


def resolve_inputs(inputs: Mapping[str, Any], artifacts: ArtifactStore) -> dict[str, Any]:
    return {
        name: artifacts.load(value.stored, value.what) if isinstance(value, Load) else value
        for name, value in inputs.items()
    }


def run_in_process(runner: Runner) -> None:
    for step in runner.plan.steps:
        if runner.blocked(step):
            runner.skipped.append(step)
            continue
        runner.recorder.step_started(runner.run, step)
        context = runner.context_for(step)
        outcome = _execute_here(runner, step, context)
        recorded = runner.finish(outcome)
        for output in recorded.outputs:
            runner.values[(step.key, output.name)] = output.value
    runner.record_skipped()


def _execute_here(runner: Runner, step: PlannedStep, context: StepContext) -> StepOutcome:
    try:
        inputs = resolve_inputs(runner.inputs_for(step, in_memory=True), runner.artifacts)
    except Exception as error:
        return _failed(step, error)
    return execute_step(step, inputs, context, runner.artifacts, store_every_output=False)


def _failed(step: PlannedStep, error: BaseException) -> StepOutcome:
    at = now_ms()
    message = f"{type(error).__name__}: {error}"
    return StepOutcome(step.key, step.op.name, "failed", at, at, error=message, exception=error)


# -- worker processes -----------------------------------------------------------------------

_plans: dict[int, ExecutionPlan] = {}
_plans_lock = threading.Lock()


def _run_in_worker(
    token: int, key: str, inputs: dict[str, Any], context: StepContext, base: str
) -> StepOutcome:
    step = _plans[token].step(key)
    artifacts = ArtifactStore(base)
    try:
        resolved = resolve_inputs(inputs, artifacts)
    except Exception as error:
        return _portable(_failed(step, error))
    outcome = execute_step(step, resolved, context, artifacts, store_every_output=True)
    return _portable(outcome)


def _portable(outcome: StepOutcome) -> StepOutcome:
    """Values stay in the artifact store; an exception crosses only if it pickles."""
    for output in outcome.outputs:
        output.value = None
    if outcome.exception is not None:
        try:
            pickle.dumps(outcome.exception)
        except Exception:
            outcome.exception = None
    return outcome


def run_in_processes(
    runner: Runner, max_workers: int | None, limits: Sequence[TagConcurrencyLimit] = ()
) -> None:
    with _plans_lock:
        token = id(runner)
        _plans[token] = runner.plan
    try:
        context = multiprocessing.get_context("fork")
        # a forked worker must not use the parent's pooled database connections
        forget = (runner.recorder.store,)
        with ProcessPoolExecutor(
            max_workers, mp_context=context, initializer=after_fork, initargs=forget
        ) as pool:
            schedule(runner, lambda step: _submit(runner, pool, token, step), limits)
    finally:
        with _plans_lock:
            _plans.pop(token, None)
    runner.record_skipped()


def op_tags(step: PlannedStep) -> dict[str, str]:
    return {tag.key: tag.value for tag in step.op.tags}


def schedule(
    runner: Runner,
    submit: Callable[[PlannedStep], Future[StepOutcome]],
    limits: Sequence[TagConcurrencyLimit] = (),
) -> None:
    """Submit steps as their upstream steps succeed, within the step tag concurrency limits;
    record each as it ends. Steps a failure blocks are noted as skipped."""
    remaining = list(runner.plan.steps)
    pending: dict[Future[StepOutcome], PlannedStep] = {}
    keys = set(runner.plan.keys)
    while remaining or pending:
        succeeded = {k for k, o in runner.outcomes.items() if o.succeeded}  # fixed this pass
        for step in list(remaining):
            if runner.blocked(step):
                runner.skipped.append(step)
                remaining.remove(step)
            elif (step.upstream & keys) <= succeeded:
                busy = [op_tags(other) for other in pending.values()]
                if blocking_limit(limits, op_tags(step), busy) is None:
                    remaining.remove(step)
                    pending[submit(step)] = step
        if not pending:
            runner.skipped.extend(remaining)  # only a limit of 0 holds steps back forever
            break
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            step = pending.pop(future)
            runner.finish(_result(future, step))


def _submit(
    runner: Runner, pool: ProcessPoolExecutor, token: int, step: PlannedStep
) -> Future[StepOutcome]:
    runner.recorder.step_started(runner.run, step)
    inputs = runner.inputs_for(step, in_memory=False)
    context = runner.context_for(step)
    return pool.submit(_run_in_worker, token, step.key, inputs, context, runner.artifacts.base)


def _result(future: Future[StepOutcome], step: PlannedStep) -> StepOutcome:
    try:
        return future.result()
    except Exception as error:  # the pool or cluster lost the step (a worker died...)
        return _failed(step, error)
