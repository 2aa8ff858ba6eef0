"""`add_tags`, `remove_tags` and `log_metadata`: tag or annotate one entity named by keyword.

Inside a step, tag changes are noted and applied when the step ends, in call order (adds and
removals alike); with no target they change the current run, with `infer_artifact=True` (or
`artifact_name=` naming one of the step's outputs) the version that output becomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tagbase._client import Client
from tagbase._errors import TargetError
from tagbase._kinds import Kind
from tagbase._tags import TagsInput, normalize_tags
from tagbase.execution._context import StepContext, TagChange, current_step
from tagbase.store import Ref

_TARGETS = (
    "artifact= (or asset=)",
    "artifact_name= with artifact_version=",
    "artifact_version_id=",
    "run=",
    "pipeline= (or job=)",
    "op=",
    "run_template=",
    "model=",
    "model_name= with model_version=",
)
_KEYWORDS = frozenset(
    {
        "artifact",
        "asset",
        "artifact_name",
        "artifact_version",
        "artifact_version_id",
        "run",
        "pipeline",
        "job",
        "op",
        "run_template",
        "model",
        "model_name",
        "model_version",
    }
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
    asset: Ref | None = None,
    op: Ref | None = None,
    job: Ref | None = None,
) -> tuple[Kind, Ref, Ref | None]:
    """The one entity the keywords name, as (kind, name or id, scope)."""
    candidates: list[tuple[str, tuple[Kind, Ref, Ref | None] | None]] = []
    for keyword, kind, given in (
        ("artifact=", Kind.ASSET, artifact),
        ("asset=", Kind.ASSET, asset),
        ("op=", Kind.OP, op),
        ("job=", Kind.JOB, job),
    ):
        if given is not None:
            candidates.append((keyword, (kind, given, None)))
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
    output (`artifact_name=` names it when the step has several); all are applied when the
    step ends, in call order with `remove_tags`."""
    step, named = current_step(), _known("add_tags", target)
    output = _step_output(step, named, infer_artifact)
    if output is not None:
        output[0].add_output_tags(tags, output[1])
    elif step is not None and not named:
        step.add_run_tags(tags)
    elif step is not None:
        kind, ref, scope = resolve_target(**named)  # type: ignore[arg-type]
        checked = normalize_tags(tags, kind=kind)
        step.change_entity_tags(TagChange("add", checked, kind=kind, ref=str(ref), scope=_s(scope)))
    else:
        kind, ref, scope = resolve_target(**named)  # type: ignore[arg-type]
        Client().add_tags(kind, ref, tags, scope)


def remove_tags(
    tags: Sequence[str] | str, *, infer_artifact: bool = False, **target: Ref | None
) -> None:
    """Remove tags (by string form; a bare key removes every value) from one entity, named
    as for `add_tags`. Inside a step, applied when it ends, in call order with `add_tags`."""
    names = [tags] if isinstance(tags, str) else list(tags)
    step, named = current_step(), _known("remove_tags", target)
    output = _step_output(step, named, infer_artifact)
    if output is not None:
        output[0].remove_output_tags(names, output[1])
    elif step is not None and not named:
        step.remove_run_tags(names)
    elif step is not None:
        kind, ref, scope = resolve_target(**named)  # type: ignore[arg-type]
        change = TagChange("remove", names=tuple(names), kind=kind, ref=str(ref), scope=_s(scope))
        step.change_entity_tags(change)
    else:
        kind, ref, scope = resolve_target(**named)  # type: ignore[arg-type]
        Client().remove_tags(kind, ref, names, scope)


def _s(scope: Ref | None) -> str | None:
    return None if scope is None else str(scope)


def _known(what: str, target: Mapping[str, Ref | None]) -> dict[str, Ref]:
    """The target keywords given (None means not given); a TargetError for an unknown one."""
    unknown = sorted(set(target) - _KEYWORDS)
    if unknown:
        valid = "; ".join(_TARGETS)
        raise TargetError(
            f"{what}() takes no target {', '.join(k + '=' for k in unknown)}. Fix: name exactly "
            f"one of: {valid} (inside a step: none for the current run, or infer_artifact=True)"
        )
    return _named(target)


def _step_output(
    step: StepContext | None, named: Mapping[str, Ref], infer_artifact: bool
) -> tuple[StepContext, str] | None:
    """The running step and its output a tag change targets: with `infer_artifact=True`, or
    inside a step an `artifact_name=` alone that names one of its outputs; else None."""
    if infer_artifact:
        return _inferred_output(step, named)
    wanted = named.get("artifact_name")
    if step is None or set(named) != {"artifact_name"} or wanted is None:
        return None
    if str(wanted) not in step.outputs and str(wanted) not in step.asset_names:
        return None  # not this step's: refused below as an incomplete target
    return step, step.output_name(str(wanted))


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
    named = _known("log_metadata", target)
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
    kind, ref, scope = resolve_target(**named)  # type: ignore[arg-type]
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
