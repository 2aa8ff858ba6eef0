"""Ops and steps: one unit of computation. `@op` and `@step` build the same definition.

Inputs come from the function's parameters (a first parameter named `context`, or annotated
with an execution context, receives the context). A step's outputs come from its return
annotation: `Annotated[T, ArtifactConfig(name=..., tags=...)]` names and tags the artifact, and
`tuple[A, B]` gives it the outputs `output_0` and `output_1`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any, Literal, overload

from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput
from tagbase.definitions._checks import Checks, check_name
from tagbase.definitions._values import ArtifactConfig
from tagbase.metadata import MetadataValue

Style = Literal["op", "step", "asset"]
_NO_DEFAULT: Any = inspect.Parameter.empty
_EMPTY: Mapping[str, MetadataValue] = MappingProxyType({})

# What calling an op does while a `@job`, `@graph` or `@pipeline` body is being composed:
# record a node (`_compose` sets it; it builds on ops, so they do not import it).
Recorder = Callable[["OpDefinition", Sequence[Any], Mapping[str, Any]], Any]
RECORDING: ContextVar[Recorder | None] = ContextVar("tagbase_composition", default=None)


@dataclass(frozen=True, slots=True)
class InputDefinition:
    name: str
    default: Any = _NO_DEFAULT

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass(frozen=True, slots=True)
class OutputDefinition:
    """One output. `artifact` is the asset it materializes (None: the plan names it, for a
    step; nothing is recorded, for an op); `tags` and `metadata` go on every version."""

    name: str
    artifact: str | None = None
    tags: tuple[Tag, ...] = ()
    metadata: Mapping[str, MetadataValue] = field(default_factory=lambda: _EMPTY)
    version: str | None = None
    is_artifact: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class OpDefinition:
    """An op (step): a function, its inputs and outputs, its tags and metadata."""

    name: str
    fn: Callable[..., Any]
    inputs: tuple[InputDefinition, ...]
    outputs: tuple[OutputDefinition, ...]
    tags: tuple[Tag, ...] = ()
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=lambda: _EMPTY)
    context_parameter: str | None = None
    style: Style = "op"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        record = RECORDING.get()
        if record is not None:
            return record(self, args, kwargs)
        return self.fn(*args, **kwargs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(output.name for output in self.outputs)

    def output(self, name: str) -> OutputDefinition:
        for output in self.outputs:
            if output.name == name:
                return output
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"<{self.style} {self.name}>"


def context_parameter(fn: Callable[..., Any]) -> str | None:
    """The parameter that receives the execution context, if the function takes one."""
    parameters = list(inspect.signature(fn).parameters.values())
    if not parameters:
        return None
    first = parameters[0]
    annotation = first.annotation
    named = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if first.name == "context" or str(named).endswith(("ExecutionContext", "StepContext")):
        return first.name
    return None


def input_definitions(fn: Callable[..., Any], skip: str | None) -> tuple[InputDefinition, ...]:
    return tuple(
        InputDefinition(p.name, p.default)
        for p in inspect.signature(fn).parameters.values()
        if p.name != skip and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def return_annotation(fn: Callable[..., Any], checks: Checks) -> Any:
    """The return annotation with `Annotated` extras kept (it names a step's outputs)."""
    try:
        return typing.get_type_hints(fn, include_extras=True).get("return")
    except (NameError, TypeError) as error:
        checks.add(
            "its return annotation",
            f"cannot be resolved ({error}), so its outputs are unknown",
            "import every name the annotation uses at module level",
        )
        return None


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) is typing.Annotated:
        return annotation.__origin__, annotation.__metadata__
    return annotation, ()


def step_outputs(fn: Callable[..., Any], checks: Checks) -> tuple[OutputDefinition, ...]:
    """A step's outputs, read from its return annotation."""
    annotation = return_annotation(fn, checks)
    if annotation is type(None):
        return ()
    if annotation is None:
        return (OutputDefinition("output", is_artifact=True),)
    inner, extras = _split_annotated(annotation)
    if typing.get_origin(inner) is tuple and not extras:
        members = typing.get_args(inner)
        if members and members[-1] is not Ellipsis:
            return tuple(
                _step_output(member, f"output_{index}", checks)
                for index, member in enumerate(members)
            )
    return (_step_output(annotation, "output", checks),)


def _step_output(annotation: Any, default_name: str, checks: Checks) -> OutputDefinition:
    _, extras = _split_annotated(annotation)
    name = next((extra for extra in extras if isinstance(extra, str)), None)
    config = next((extra for extra in extras if isinstance(extra, ArtifactConfig)), None)
    if config is None:
        return OutputDefinition(name or default_name, is_artifact=True)
    return OutputDefinition(
        name=name or config.name or default_name,
        artifact=config.name,
        tags=checks.tags(config.tags, Kind.ASSET_VERSION),
        metadata=checks.metadata(config.metadata),
        version=None if config.version is None else str(config.version),
        is_artifact=True,
    )


def build_op(
    fn: Callable[..., Any],
    *,
    style: Style,
    name: str | None,
    tags: TagsInput,
    description: str | None,
    metadata: Mapping[str, object] | None = None,
) -> OpDefinition:
    op_name = name or fn.__name__
    checks = Checks(f"{style} {op_name!r}")
    check_name(checks, op_name, style)
    context = context_parameter(fn)
    outputs = step_outputs(fn, checks) if style == "step" else (OutputDefinition("result"),)
    op = OpDefinition(
        name=op_name,
        fn=fn,
        inputs=input_definitions(fn, context),
        outputs=outputs,
        tags=checks.tags(tags, Kind.OP),
        description=description or inspect.getdoc(fn),
        metadata=checks.metadata(metadata),
        context_parameter=context,
        style=style,
    )
    checks.raise_if_any()
    return op


@overload
def op(fn: Callable[..., Any], /) -> OpDefinition: ...
@overload
def op(
    *,
    name: str | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> Callable[[Callable[..., Any]], OpDefinition]: ...
def op(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> OpDefinition | Callable[[Callable[..., Any]], OpDefinition]:
    """An op, bare (`@op`) or called (`@op(tags={"team": "ml"})`)."""
    return _op_decorator("op", fn, name, tags, description, metadata)


@overload
def step(fn: Callable[..., Any], /) -> OpDefinition: ...
@overload
def step(
    *,
    name: str | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> Callable[[Callable[..., Any]], OpDefinition]: ...
def step(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> OpDefinition | Callable[[Callable[..., Any]], OpDefinition]:
    """A step, bare (`@step`) or called; every output becomes an artifact version."""
    return _op_decorator("step", fn, name, tags, description, metadata)


def _op_decorator(
    style: Style,
    fn: Callable[..., Any] | None,
    name: str | None,
    tags: TagsInput,
    description: str | None,
    metadata: Mapping[str, object] | None,
) -> OpDefinition | Callable[[Callable[..., Any]], OpDefinition]:
    """Both forms of `@op` and `@step`: the definition when bare, else the decorator."""
    decorate = partial(
        build_op, style=style, name=name, tags=tags, description=description, metadata=metadata
    )
    return decorate(fn) if fn is not None else decorate
