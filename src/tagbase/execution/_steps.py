"""Running one step: call its function, read what it returned, store its outputs."""

from __future__ import annotations

import inspect
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tagbase._errors import DefinitionError, Problem
from tagbase._limits import storable_text
from tagbase._tags import Tag
from tagbase.definitions._plan import PlannedStep
from tagbase.definitions._values import MaterializeResult, Output
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._context import StepContext, running
from tagbase.execution._outcome import OutputResult, StepOutcome
from tagbase.metadata import MetadataValue, StandardMetadataKeys


@dataclass(frozen=True, slots=True)
class Produced:
    value: Any
    metadata: Mapping[str, MetadataValue]
    tags: tuple[Tag, ...]
    has_value: bool = True


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def execute_step(
    step: PlannedStep,
    inputs: Mapping[str, Any],
    context: StepContext,
    artifacts: ArtifactStore,
    *,
    store_every_output: bool,
) -> StepOutcome:
    """Run the step; never raises for what the step's code does (that is a failed outcome)."""
    started = now_ms()
    try:
        with running(context):
            produced = _collect(step, _call(step, inputs, context))
        outputs = [
            _output(step, name, made, context, artifacts, store_every_output)
            for name, made in produced.items()
        ]
    except Exception as error:  # the step's failure is recorded, then re-raised by the launcher
        return StepOutcome(
            step.key,
            step.op.name,
            "failed",
            started,
            now_ms(),
            effects=context.effects,
            error=storable_text(f"{type(error).__name__}: {error}"),
            stack=storable_text("".join(traceback.format_exception(error))),
            exception=error,
        )
    return StepOutcome(
        step.key, step.op.name, "success", started, now_ms(), outputs, context.effects
    )


def _call(step: PlannedStep, inputs: Mapping[str, Any], context: StepContext) -> Any:
    args = [context] if step.op.context_parameter else []
    returned = step.op.fn(*args, **inputs)
    return list(returned) if inspect.isgenerator(returned) else returned


def _unwrap(item: Any) -> Produced:
    if isinstance(item, Output):
        return Produced(item.value, item.metadata, item.tags)
    if isinstance(item, MaterializeResult):
        return Produced(item.value, item.metadata, item.tags, has_value=item.value is not None)
    return Produced(item, {}, ())


def _collect(step: PlannedStep, returned: Any) -> dict[str, Produced]:
    names = [output.name for output in step.outputs]
    if _is_yielded(returned):
        return _from_yielded(step, returned)
    if not names:
        return {}
    if len(names) == 1:
        return {names[0]: _unwrap(returned)}
    if not isinstance(returned, tuple) or len(returned) != len(names):
        raise _problem(
            step,
            f"it has {len(names)} outputs ({', '.join(names)}) but returned "
            f"{type(returned).__name__}",
            f"return a tuple of {len(names)} values, in the order of its outputs",
        )
    return {name: _unwrap(item) for name, item in zip(names, returned, strict=True)}


def _is_yielded(returned: Any) -> bool:
    return (
        isinstance(returned, list)
        and all(isinstance(item, Output | MaterializeResult) for item in returned)
        and bool(returned)
    )


def _from_yielded(step: PlannedStep, items: list[Any]) -> dict[str, Produced]:
    produced: dict[str, Produced] = {}
    for item in items:
        produced[_yielded_name(step, item)] = _unwrap(item)
    return produced


def _yielded_name(step: PlannedStep, item: Output | MaterializeResult) -> str:
    names = [output.name for output in step.outputs]
    if isinstance(item, Output) and item.output_name in names:
        return item.output_name
    if isinstance(item, MaterializeResult) and item.asset_key is not None:
        wanted = item.asset_key.to_user_string()
        for output in step.outputs:
            if output.artifact == wanted:
                return output.name
        raise _problem(step, f"it yielded a result for asset {wanted!r}", "name one of its assets")
    if len(names) == 1:
        return names[0]
    raise _problem(step, "it yielded a result without naming its output", "pass output_name=")


def _problem(step: PlannedStep, rule: str, fix: str) -> DefinitionError:
    return DefinitionError([Problem(f"step {step.key!r}", rule, fix)])


def _output(
    step: PlannedStep,
    name: str,
    made: Produced,
    context: StepContext,
    artifacts: ArtifactStore,
    store_every_output: bool,
) -> OutputResult:
    planned = next(o for o in step.outputs if o.name == name)
    metadata = dict(planned.metadata)
    metadata.update(made.metadata)
    result = OutputResult(
        name,
        planned.artifact,
        made.value,
        None,
        metadata,
        list(made.tags),
        planned.tags,
        planned.version,
    )
    result.partitioned = planned.partitioned
    if made.has_value and (planned.artifact is not None or store_every_output):
        stored = artifacts.save(made.value, *_location(context, step.key, name, planned.artifact))
        result.uri, result.stored = stored.uri, stored.artifact
        learnt = _of_partition(stored.metadata) if planned.partitioned else stored.metadata
        result.metadata = {**learnt, **result.metadata}
    result.metadata.update(context.effects.output_metadata.get(name, {}))
    return result


def _of_partition(learnt: Mapping[str, MetadataValue]) -> dict[str, MetadataValue]:
    """A table's rows are one partition's when its asset is partitioned."""
    rows = StandardMetadataKeys.ROW_COUNT
    return {
        StandardMetadataKeys.PARTITION_ROW_COUNT if k == rows else k: v for k, v in learnt.items()
    }


def _location(context: StepContext, step: str, output: str, artifact: str | None) -> list[str]:
    """The names an output is stored under; the artifact store encodes each as one component."""
    if artifact is not None:
        return ["assets", artifact, context.run_id, step, output]
    return ["runs", context.run_id, step, output]
