"""`add_tags`, `remove_tags` and `log_metadata`: tag or annotate one entity named by keyword."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tagbase._client import Client
from tagbase._errors import TargetError
from tagbase._kinds import Kind
from tagbase._tags import TagsInput
from tagbase.execution._context import StepContext, current_step
from tagbase.store._store import Ref

_TARGETS = (
    "artifact=",
    "artifact_name= with artifact_version=",
    "artifact_version_id=",
    "run=",
    "pipeline=",
    "run_template=",
    "model=",
    "model_name= with model_version=",
)


def resolve_target(
    *,
    artifact: Ref | None = None,
    artifact_name: str | None = None,
    artifact_version: Ref | None = None,
    artifact_version_id: Ref | None = None,
    run: Ref | None = None,
    pipeline: Ref | None = None,
    run_template: Ref | None = None,
    model: Ref | None = None,
    model_name: str | None = None,
    model_version: Ref | None = None,
) -> tuple[Kind, Ref, Ref | None]:
    """The one entity the keywords name, as (kind, name or id, scope)."""
    candidates: list[tuple[str, tuple[Kind, Ref, Ref | None] | None]] = []
    if artifact is not None:
        candidates.append(("artifact=", (Kind.ASSET, artifact, None)))
    pair: tuple[Kind, Ref, Ref | None] | None
    if artifact_name is not None or artifact_version is not None:
        pair = None
        if artifact_name is not None and artifact_version is not None:
            pair = (Kind.ASSET_VERSION, artifact_version, artifact_name)
        candidates.append(("artifact_name= with artifact_version=", pair))
    if artifact_version_id is not None:
        candidates.append(("artifact_version_id=", (Kind.ASSET_VERSION, artifact_version_id, None)))
    for keyword, kind, given in (
        ("run=", Kind.RUN, run),
        ("pipeline=", Kind.JOB, pipeline),
        ("run_template=", Kind.RUN_TEMPLATE, run_template),
    ):
        if given is not None:
            candidates.append((keyword, (kind, given, None)))
    if model is not None and model_version is None:
        candidates.append(("model=", (Kind.MODEL, model, None)))
    if model_name is not None or model_version is not None:
        owner_model = model_name if model_name is not None else model
        pair = None
        if owner_model is not None and model_version is not None:
            pair = (Kind.MODEL_VERSION, model_version, owner_model)
        candidates.append(("model_name= with model_version=", pair))
    return _exactly_one(candidates)


def _exactly_one(
    candidates: Sequence[tuple[str, tuple[Kind, Ref, Ref | None] | None]],
) -> tuple[Kind, Ref, Ref | None]:
    valid = "; ".join(_TARGETS)
    if not candidates:
        raise TargetError(
            f"no target given, and no step is running to infer one. Name exactly one of: {valid}"
        )
    if len(candidates) > 1:
        given = ", ".join(keyword for keyword, _ in candidates)
        raise TargetError(f"several targets given ({given}); name exactly one of: {valid}")
    keyword, target = candidates[0]
    if target is None:
        raise TargetError(f"{keyword} needs both of its arguments; name exactly one of: {valid}")
    return target


def add_tags(tags: TagsInput, *, infer_artifact: bool = False, **target: Ref | None) -> None:
    """Add tags to the entity named by one target keyword (see `resolve_target`).

    Inside a step, no target means the current run; `infer_artifact=True` means the step's
    output (`artifact_name=` names it when the step has several)."""
    step = current_step()
    named = _named(target)
    if infer_artifact:
        step, output = _inferred_output(step, named)
        step.add_output_tags(tags, output)
        return
    if step is not None and not named:
        step.add_run_tags(tags)
        return
    kind, ref, scope = resolve_target(**target)  # type: ignore[arg-type]
    Client().add_tags(kind, ref, tags, scope)


def remove_tags(tags: Sequence[str] | str, **target: Ref | None) -> None:
    """Remove tags (by string form; a bare key removes every value) from one entity.
    Inside a step, no target means the current run."""
    names = [tags] if isinstance(tags, str) else list(tags)
    step = current_step()
    if step is not None and not _named(target):
        Client().remove_tags(Kind.RUN, step.run_id, names)
        return
    kind, ref, scope = resolve_target(**target)  # type: ignore[arg-type]
    Client().remove_tags(kind, ref, names, scope)


def log_metadata(
    metadata: Mapping[str, object],
    *,
    infer_artifact: bool = False,
    infer_model: bool = False,
    **target: Ref | None,
) -> None:
    """Attach metadata to one entity; every value is kept as history.

    Inside a step, no target means the current run; `infer_artifact=True` the step's output
    (`artifact_name=` names one of several); `infer_model=True` the pipeline's model version."""
    step = current_step()
    named = _named(target)
    if infer_model:
        _only(named, None, "infer_model=True")
        _step_for("infer_model=True", step).add_model_metadata(metadata)
        return
    if infer_artifact:
        step, output = _inferred_output(step, named)
        step.add_output_metadata(metadata, output)
        return
    if step is not None and not named:
        step.add_run_metadata(metadata)
        return
    kind, ref, scope = resolve_target(**target)  # type: ignore[arg-type]
    Client().log_metadata(kind, ref, metadata, scope)


def _named(target: Mapping[str, Ref | None]) -> dict[str, Ref]:
    """The target keywords actually given (None means not given)."""
    return {key: value for key, value in target.items() if value is not None}


def _step_for(what: str, step: StepContext | None) -> StepContext:
    if step is None:
        raise TargetError(
            f"{what} works inside a running step, and no step is running. Fix: name the "
            "target instead (artifact_name= with artifact_version=, or artifact_version_id=)"
        )
    return step


def _inferred_output(step: StepContext | None, named: Mapping[str, Ref]) -> tuple[StepContext, str]:
    """For `infer_artifact=True`: the running step and the output it targets (the one
    `artifact_name=` names, or the step's only output)."""
    what = "infer_artifact=True"
    running = _step_for(what, step)
    return running, running.output_name(_only(named, "artifact_name", what))


def _only(named: Mapping[str, Ref], allowed: str | None, what: str) -> str | None:
    """The one keyword `what` may be combined with, refusing any other target."""
    extra = sorted(key for key in named if key != allowed)
    if extra:
        raise TargetError(
            f"{what} infers its target, so it takes no {', '.join(extra)}. Fix: drop them"
            + (f" (only {allowed}= may name the output)" if allowed else "")
        )
    value = named.get(allowed) if allowed else None
    return None if value is None else str(value)
