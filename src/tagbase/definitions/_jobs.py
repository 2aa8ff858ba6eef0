"""Jobs: `@job`, `@graph` with `.to_job(...)`, executors, and `define_asset_job(...)`.

A job's tags go on every run of it (source `definition`); its metadata describes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol, overload

from tagbase._concurrency import TagConcurrencyLimit, parse_limits
from tagbase._errors import DefinitionError, Problem
from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput
from tagbase.definitions._assets import AssetsDefinition
from tagbase.definitions._checks import Checks, check_name
from tagbase.definitions._compose import NodeInvocation, compose
from tagbase.definitions._partitions import PartitionsDefinition
from tagbase.definitions._selection import select_assets
from tagbase.definitions._values import Model
from tagbase.metadata import AssetKey, MetadataValue

_EMPTY: Mapping[str, MetadataValue] = MappingProxyType({})
Style = Literal["job", "pipeline", "asset_job"]


@dataclass(frozen=True, slots=True)
class ExecutorDefinition:
    """How a run's steps execute: in this process, one after another; in worker processes;
    or on a Dask distributed cluster (`address` of its scheduler; a local one when None).

    `tag_concurrency_limits` cap how many steps whose op holds a tag run at once within a
    run: `[{"key": "database", "value": "redshift", "limit": 2}]`, as the run queue's limits.
    """

    name: Literal["in_process", "multiprocess", "dask"]
    max_concurrent: int | None = None
    address: str | None = None
    tag_concurrency_limits: tuple[TagConcurrencyLimit, ...] = ()

    def configured(self, config: Mapping[str, Any]) -> ExecutorDefinition:
        limits = config.get("tag_concurrency_limits")
        return ExecutorDefinition(
            self.name,
            config.get("max_concurrent", self.max_concurrent),
            config.get("address", self.address),
            self.tag_concurrency_limits
            if limits is None
            else parse_limits(limits, f"{self.name} executor tag_concurrency_limits"),
        )


in_process_executor = ExecutorDefinition("in_process")
multiprocess_executor = ExecutorDefinition("multiprocess")
dask_executor = ExecutorDefinition("dask")


class CompletedRun(Protocol):
    """What running a job returns: a `tagbase.RunResult`, which the execution layer builds
    (described here, as definitions sit below execution and do not import it)."""

    @property
    def run_id(self) -> str: ...
    @property
    def run_name(self) -> str: ...
    @property
    def job_name(self) -> str: ...
    @property
    def success(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def failed_steps(self) -> list[str]: ...
    @property
    def pipeline_name(self) -> str: ...
    @property
    def steps(self) -> Mapping[str, Any]: ...
    @property
    def asset_version_ids(self) -> tuple[str, ...]: ...
    @property
    def artifact_base(self) -> str: ...
    def output_for_node(self, node: str, output_name: str = "result") -> Any: ...
    def output_for_step(self, node: str, output_name: str = "result") -> Any: ...
    def asset_value(self, asset_key: AssetKey | str) -> Any: ...


class JobRunner(Protocol):
    """Runs a job now and records it: `tagbase.execution.execute_job`."""

    def __call__(
        self,
        job: JobDefinition,
        *,
        tags: TagsInput = None,
        partition_key: str | None = None,
        op_selection: Sequence[str] | None = None,
        raise_on_error: bool = True,
        executor: ExecutorDefinition | None = None,
    ) -> CompletedRun: ...


# Set once, when tagbase.execution is imported (as `import tagbase` does): the definitions
# layer hands a job it is asked to run to the layer above it rather than import it.
_runner: list[JobRunner] = []


def run_jobs_with(runner: JobRunner) -> None:
    """How `execute_in_process` (and calling a pipeline) runs a job."""
    _runner[:] = [runner]


@dataclass(frozen=True, slots=True, eq=False)
class JobDefinition:
    """A graph of ops to run, with the tags every run of it carries."""

    name: str
    nodes: tuple[NodeInvocation, ...]
    tags: tuple[Tag, ...] = ()
    metadata: Mapping[str, MetadataValue] = field(default_factory=lambda: _EMPTY)
    description: str | None = None
    owners: tuple[str, ...] = ()
    executor: ExecutorDefinition = in_process_executor
    style: Style = "job"
    assets: tuple[AssetsDefinition, ...] = ()  # an asset job: what it materializes
    asset_graph: tuple[AssetsDefinition, ...] = ()  # every asset known where it was defined
    selection: str | None = None
    model: Model | None = None
    partitions_def: PartitionsDefinition | None = None

    def execute_in_process(
        self,
        tags: TagsInput = None,
        *,
        op_selection: Sequence[str] | None = None,
        raise_on_error: bool = True,
        executor: ExecutorDefinition | None = None,
        run_config: Mapping[str, Any] | None = None,
        partition_key: str | None = None,
    ) -> CompletedRun:
        """Run the job now and record the run; `executor` may ask for worker processes. A
        job with partitions runs one: `partition_key` (or the tag `tagbase/partition`)."""
        if not _runner:
            problem = Problem(
                f"job {self.name!r}",
                "cannot run: tagbase.execution, which runs jobs, is not imported",
                "import tagbase (or tagbase.execution) before running a job",
            )
            raise DefinitionError([problem])
        return _runner[0](
            self,
            tags=tags,
            partition_key=partition_key,
            op_selection=op_selection,
            raise_on_error=raise_on_error,
            executor=executor or self.executor,
        )

    @property
    def op_names(self) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes)

    def __repr__(self) -> str:
        return f"<{self.style} {self.name}>"


def build_job(
    name: str,
    nodes: Sequence[NodeInvocation],
    *,
    tags: TagsInput,
    metadata: Mapping[str, object] | None,
    description: str | None,
    style: Style = "job",
    executor: ExecutorDefinition | None = None,
    owners: Sequence[str] | None = None,
    **extra: Any,
) -> JobDefinition:
    checks = Checks(f"{'pipeline' if style == 'pipeline' else 'job'} {name!r}")
    check_name(checks, name, "job")
    job = JobDefinition(
        name=name,
        nodes=tuple(nodes),
        tags=checks.tags(tags, Kind.JOB),
        metadata=checks.metadata(metadata),
        description=description,
        owners=checks.owners(owners),
        executor=executor or in_process_executor,
        style=style,
        **extra,
    )
    checks.raise_if_any()
    return job


@dataclass(frozen=True, slots=True, eq=False)
class GraphDefinition:
    """Ops wired together; `.to_job(...)` makes a job of them."""

    name: str
    nodes: tuple[NodeInvocation, ...]
    description: str | None = None

    def to_job(
        self,
        name: str | None = None,
        *,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        description: str | None = None,
        executor_def: ExecutorDefinition | None = None,
        partitions_def: PartitionsDefinition | None = None,
    ) -> JobDefinition:
        return build_job(
            name or self.name,
            self.nodes,
            tags=tags,
            metadata=metadata,
            description=description or self.description,
            executor=executor_def,
            partitions_def=partitions_def,
        )

    def execute_in_process(self, tags: TagsInput = None, **options: Any) -> CompletedRun:
        return self.to_job().execute_in_process(tags, **options)


@overload
def graph(fn: Callable[..., Any], /) -> GraphDefinition: ...
@overload
def graph(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., Any]], GraphDefinition]: ...
def graph(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> GraphDefinition | Callable[[Callable[..., Any]], GraphDefinition]:
    """A graph: the body calls ops, passing outputs to inputs."""

    def decorate(function: Callable[..., Any]) -> GraphDefinition:
        graph_name = name or function.__name__
        nodes, _ = compose(f"graph {graph_name!r}", function)
        return GraphDefinition(graph_name, nodes, description or function.__doc__)

    return decorate(fn) if fn is not None else decorate


@overload
def job(fn: Callable[..., Any], /) -> JobDefinition: ...
@overload
def job(
    *,
    name: str | None = None,
    tags: TagsInput = None,
    metadata: Mapping[str, object] | None = None,
    description: str | None = None,
    executor_def: ExecutorDefinition | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> Callable[[Callable[..., Any]], JobDefinition]: ...
def job(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    tags: TagsInput = None,
    metadata: Mapping[str, object] | None = None,
    description: str | None = None,
    executor_def: ExecutorDefinition | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> JobDefinition | Callable[[Callable[..., Any]], JobDefinition]:
    """A job, bare (`@job`) or called (`@job(tags={"foo": "bar"}, metadata={...})`)."""

    def decorate(function: Callable[..., Any]) -> JobDefinition:
        job_name = name or function.__name__
        nodes, _ = compose(f"job {job_name!r}", function)
        return build_job(
            job_name,
            nodes,
            tags=tags,
            metadata=metadata,
            description=description or function.__doc__,
            executor=executor_def,
            partitions_def=partitions_def,
        )

    return decorate(fn) if fn is not None else decorate


SelectionInput = str | AssetKey | Sequence[Any] | None


@dataclass(frozen=True, slots=True, eq=False)
class UnresolvedAssetJob:
    """An asset job whose selection is resolved against the assets of its `Definitions`."""

    name: str
    selection: SelectionInput
    tags: tuple[Tag, ...]
    metadata: Mapping[str, MetadataValue]
    description: str | None
    executor: ExecutorDefinition | None
    partitions_def: PartitionsDefinition | None = None

    def resolve(self, assets: Sequence[AssetsDefinition]) -> JobDefinition:
        """The job over the selected assets; unknown names raise before anything runs."""
        chosen = select_assets(self.selection, assets)
        partitions = asset_partitions(f"job {self.name!r}", chosen, self.partitions_def)
        return JobDefinition(
            name=self.name,
            nodes=(),
            tags=self.tags,
            metadata=self.metadata,
            description=self.description,
            executor=self.executor or in_process_executor,
            style="asset_job",
            assets=chosen,
            asset_graph=tuple(assets),
            selection=self.selection if isinstance(self.selection, str) else None,
            partitions_def=partitions,
        )

    def __repr__(self) -> str:
        return f"<asset job {self.name} (unresolved)>"


def define_asset_job(
    name: str,
    selection: SelectionInput = None,
    *,
    tags: TagsInput = None,
    metadata: Mapping[str, object] | None = None,
    description: str | None = None,
    executor_def: ExecutorDefinition | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> UnresolvedAssetJob:
    """A job that materializes the assets a selection picks (`"*"`, `"tag:team=ml"`,
    `"+orders"`, a list of keys...), resolved when `Definitions` holds it. Its partitions
    are `partitions_def`, else those its partitioned assets share."""
    checks = Checks(f"asset job {name!r}")
    check_name(checks, name, "job")
    job_tags = checks.tags(tags, Kind.JOB)
    job_metadata = checks.metadata(metadata)
    checks.raise_if_any()
    return UnresolvedAssetJob(
        name, selection, job_tags, job_metadata, description, executor_def, partitions_def
    )


def asset_partitions(
    subject: str, assets: Sequence[AssetsDefinition], given: PartitionsDefinition | None
) -> PartitionsDefinition | None:
    """The partitions of a run of `assets` (`subject`, say "job 'daily'"): those given, else
    the one definition its partitioned assets share. Assets without partitions may join."""
    found = {d.partitions_def: d for d in assets if d.partitions_def is not None}
    if given is not None:
        problems = [
            Problem(
                f"asset {d.names[0]!r}",
                f"its partitions differ from those of {subject}",
                "give the job the partitions_def of its assets, or select other assets",
            )
            for partitions, d in found.items()
            if partitions != given
        ]
    elif len(found) > 1:
        names = ", ".join(repr(d.names[0]) for d in found.values())
        problems = [
            Problem(
                subject,
                f"its assets {names} are partitioned differently, and a run has one partition",
                "materialize assets of one partitions_def per run (select them apart)",
            )
        ]
    else:
        return next(iter(found), None)
    if problems:
        raise DefinitionError(problems)
    return given
