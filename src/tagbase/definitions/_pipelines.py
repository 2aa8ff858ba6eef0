"""Pipelines: `@pipeline` builds a job from its body each time it is called, then runs it.

Every step output becomes an artifact version: of the artifact its `ArtifactConfig` names, or
else of `<pipeline>::<step>::<output>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, overload

from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput
from tagbase.definitions._checks import Checks, check_name
from tagbase.definitions._compose import compose
from tagbase.definitions._jobs import CompletedRun, ExecutorDefinition, JobDefinition, build_job
from tagbase.definitions._values import Model


@dataclass(frozen=True, slots=True, eq=False)
class PipelineDefinition:
    """A pipeline: calling it composes its steps and runs them, recording the run."""

    name: str
    fn: Callable[..., Any]
    tags: tuple[Tag, ...] = ()
    model: Model | None = None
    description: str | None = None
    executor: ExecutorDefinition | None = None

    def to_job(self, *args: Any, **kwargs: Any) -> JobDefinition:
        """The job this pipeline runs for these parameters."""
        nodes, _ = compose(f"pipeline {self.name!r}", self.fn, *args, **kwargs)
        return build_job(
            self.name,
            nodes,
            tags=self.tags,
            metadata=None,
            description=self.description,
            style="pipeline",
            executor=self.executor,
            model=self.model,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> CompletedRun:
        return self.to_job(*args, **kwargs).execute_in_process()

    def with_options(
        self,
        *,
        tags: TagsInput = None,
        model: Model | None = None,
        executor: ExecutorDefinition | None = None,
    ) -> PipelineDefinition:
        """A copy with more tags, another model or another executor."""
        checks = Checks(f"pipeline {self.name!r}")
        extra = checks.tags(tags, Kind.JOB)
        checks.raise_if_any()
        return replace(
            self,
            tags=self.tags + extra,
            model=model or self.model,
            executor=executor or self.executor,
        )

    def __repr__(self) -> str:
        return f"<pipeline {self.name}>"


@overload
def pipeline(fn: Callable[..., Any], /) -> PipelineDefinition: ...
@overload
def pipeline(
    *,
    name: str | None = None,
    tags: TagsInput = None,
    model: Model | None = None,
    description: str | None = None,
    executor: ExecutorDefinition | None = None,
) -> Callable[[Callable[..., Any]], PipelineDefinition]: ...
def pipeline(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    tags: TagsInput = None,
    model: Model | None = None,
    description: str | None = None,
    executor: ExecutorDefinition | None = None,
) -> PipelineDefinition | Callable[[Callable[..., Any]], PipelineDefinition]:
    """A pipeline, bare or called: `@pipeline(tags=[Tag("latest", exclusive=True), "x"])`."""

    def decorate(function: Callable[..., Any]) -> PipelineDefinition:
        pipeline_name = name or function.__name__
        checks = Checks(f"pipeline {pipeline_name!r}")
        check_name(checks, pipeline_name, "pipeline")
        checked = checks.tags(tags, Kind.JOB)
        checks.raise_if_any()
        return PipelineDefinition(
            pipeline_name,
            function,
            checked,
            model,
            description or function.__doc__,
            executor,
        )

    return decorate(fn) if fn is not None else decorate
