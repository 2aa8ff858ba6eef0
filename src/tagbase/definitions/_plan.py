"""The execution plan: the steps of a run in dependency order, with where each input comes from.

Built from a job's graph of ops, from a set of assets (parameters read upstream assets: from
the step that computes them in the same run, else from their latest stored version), or from
a composed pipeline.

Partitions: an output of a partitioned asset, or an artifact of a job with partitions, is
stored per partition (its version carries the run's `tagbase/partition`). A partitioned asset
is read only by assets partitioned alike, for the same partition key; any other reader is a
DefinitionError, raised when the plan is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from tagbase._errors import DefinitionError, Problem
from tagbase._tags import Tag
from tagbase.definitions._assets import ASSET_INPUT_PREFIX, AssetsDefinition, AssetSpec
from tagbase.definitions._compose import Constant, NodeInvocation, OutputHandle
from tagbase.definitions._jobs import JobDefinition
from tagbase.definitions._ops import OpDefinition
from tagbase.definitions._partitions import PartitionsDefinition
from tagbase.definitions._selection import unknown
from tagbase.metadata import MetadataValue

_EMPTY: Mapping[str, MetadataValue] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FromStep:
    step: str
    output: str


@dataclass(frozen=True, slots=True)
class FromAsset:
    """The value of the latest stored version of an asset computed in an earlier run: of the
    run's own partition when `partitioned`."""

    name: str
    partitioned: bool = False


Source = FromStep | FromAsset | Constant


@dataclass(frozen=True, slots=True)
class PlannedOutput:
    """An output, and the artifact (asset) whose new version it becomes, if any."""

    name: str
    artifact: str | None = None
    tags: tuple[Tag, ...] = ()
    metadata: Mapping[str, MetadataValue] = field(default_factory=lambda: _EMPTY)
    version: str | None = None
    partitioned: bool = False  # its version is of the run's partition


@dataclass(frozen=True, slots=True)
class PlannedStep:
    key: str
    op: OpDefinition
    inputs: Mapping[str, Source]
    outputs: tuple[PlannedOutput, ...]
    after: frozenset[str] = frozenset()  # steps to wait for without reading their outputs

    @property
    def upstream(self) -> frozenset[str]:
        read = {s.step for s in self.inputs.values() if isinstance(s, FromStep)}
        return frozenset(read) | self.after

    @property
    def artifacts(self) -> tuple[str, ...]:
        return tuple(o.artifact for o in self.outputs if o.artifact is not None)


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    job: JobDefinition
    steps: tuple[PlannedStep, ...]
    asset_specs: tuple[AssetSpec, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(step.key for step in self.steps)

    def step(self, key: str) -> PlannedStep:
        for planned in self.steps:
            if planned.key == key:
                return planned
        raise unknown("step", key, self.keys, where=f" in job {self.job.name!r}")

    def subset(self, keys: Iterable[str]) -> ExecutionPlan:
        """Only these steps; each input from a step left out must be an artifact to load."""
        chosen = {self.step(key).key for key in keys}
        by_key = {s.key: s for s in self.steps}
        steps = [_cut(step, chosen, by_key) for step in self.steps if step.key in chosen]
        return replace(self, steps=tuple(steps))


def _cut(step: PlannedStep, chosen: set[str], by_key: Mapping[str, PlannedStep]) -> PlannedStep:
    inputs: dict[str, Source] = {}
    for name, source in step.inputs.items():
        if isinstance(source, FromStep) and source.step not in chosen:
            output = next(o for o in by_key[source.step].outputs if o.name == source.output)
            if output.artifact is None:
                raise DefinitionError(
                    [
                        Problem(
                            f"step {step.key!r}",
                            f"input {name!r} comes from step {source.step!r}, which is not "
                            "selected and stores no artifact to load",
                            f"select {source.step!r} too",
                        )
                    ]
                )
            inputs[name] = FromAsset(output.artifact, output.partitioned)
        else:
            inputs[name] = source
    return replace(step, inputs=MappingProxyType(inputs), after=step.after & chosen)


def plan_job(job: JobDefinition) -> ExecutionPlan:
    if job.style == "asset_job":
        return plan_assets(job, job.assets)
    steps = [_node_step(job, node) for node in job.nodes]
    return ExecutionPlan(job, _ordered(steps, job.name))


def _node_inputs(
    node: NodeInvocation, prefix: str, assets: _AssetSources | None = None
) -> Mapping[str, Source]:
    """Where each input of a graph node comes from: a step of the graph (its key under
    `prefix`), a constant, or, in a graph asset (`assets` given), an upstream asset."""
    inputs: dict[str, Source] = {}
    for name, binding in node.inputs.items():
        if not isinstance(binding, OutputHandle):
            inputs[name] = binding
        elif assets is not None and binding.node.startswith(ASSET_INPUT_PREFIX):
            inputs[name] = assets.source(binding.node.removeprefix(ASSET_INPUT_PREFIX))
        else:
            inputs[name] = FromStep(prefix + binding.node, binding.output)
    return MappingProxyType(inputs)


def _node_step(job: JobDefinition, node: NodeInvocation) -> PlannedStep:
    partitioned = job.partitions_def is not None
    outputs = tuple(
        PlannedOutput(
            o.name,
            (o.artifact or f"{job.name}::{node.name}::{o.name}") if o.is_artifact else None,
            o.tags,
            o.metadata,
            o.version,
            partitioned and o.is_artifact,
        )
        for o in node.op.outputs
    )
    return PlannedStep(node.name, node.op, _node_inputs(node, ""), outputs)


@dataclass(frozen=True, slots=True)
class _AssetSources:
    """Where an asset's value comes from in a run: the step computing it, else its store."""

    producers: Mapping[str, FromStep]
    partitions: Mapping[str, PartitionsDefinition | None]

    def source(self, name: str) -> Source:
        return self.producers.get(name) or FromAsset(name, self.partitions.get(name) is not None)


def plan_assets(job: JobDefinition, assets: Sequence[AssetsDefinition]) -> ExecutionPlan:
    """Steps computing `assets`; upstream assets outside the set are loaded from storage."""
    partitions = {s.name: s.partitions_def for d in (*job.asset_graph, *assets) for s in d.specs}
    problems = [p for definition in assets for p in _read_problems(definition, partitions)]
    if problems:
        raise DefinitionError(problems)
    sources = _AssetSources(_producers(assets), partitions)
    steps: list[PlannedStep] = []
    for definition in assets:
        steps.extend(_asset_steps(definition, sources))
    specs = tuple(spec for definition in assets for spec in definition.specs)
    return ExecutionPlan(job, _ordered(steps, job.name), specs)


def _read_problems(
    definition: AssetsDefinition, partitions: Mapping[str, PartitionsDefinition | None]
) -> list[Problem]:
    """A partitioned asset read by an asset not partitioned alike: which partition to read?"""
    own = definition.partitions_def
    problems = []
    for key in definition.read_keys:
        name = key.to_user_string()
        theirs = partitions.get(name)
        if theirs is None or theirs == own:
            continue
        differs = "has no partitions" if own is None else "is partitioned differently"
        problems.append(
            Problem(
                f"asset {definition.names[0]!r}",
                f"it reads the partitioned asset {name!r} but {differs}; a partitioned asset "
                "is read by assets of the same partitions, for the same partition key",
                f"give it the partitions_def of {name!r}, or depend on it without reading "
                f"its value (deps=[{name!r}])",
            )
        )
    return problems


def _producers(assets: Sequence[AssetsDefinition]) -> dict[str, FromStep]:
    """Where each asset's value comes from within the run."""
    found: dict[str, FromStep] = {}
    for definition in assets:
        if definition.op is not None:
            for spec, output in zip(definition.specs, definition.output_names, strict=True):
                found[spec.name] = FromStep(definition.op.name, output)
        elif definition.graph_outputs:
            handle = definition.graph_outputs[0]
            found[definition.specs[0].name] = FromStep(
                f"{_graph_prefix(definition)}{handle.node}", handle.output
            )
    return found


def _graph_prefix(definition: AssetsDefinition) -> str:
    return "__".join(definition.key.path) + "."


def _after(definition: AssetsDefinition, producers: Mapping[str, FromStep]) -> frozenset[str]:
    deps = {d.to_user_string() for s in definition.specs for d in s.deps}
    return frozenset(producers[d].step for d in deps if d in producers)


def _asset_steps(definition: AssetsDefinition, sources: _AssetSources) -> list[PlannedStep]:
    partitioned = definition.partitions_def is not None
    if definition.op is not None:
        op = definition.op
        inputs = {
            param: sources.source(key.to_user_string())
            for param, key in definition.input_keys.items()
        }
        outputs = tuple(
            PlannedOutput(name, spec.name, partitioned=partitioned)
            for spec, name in zip(definition.specs, definition.output_names, strict=True)
        )
        after = _after(definition, sources.producers)
        return [PlannedStep(op.name, op, MappingProxyType(inputs), outputs, after)]
    return _graph_asset_steps(definition, sources)


def _graph_asset_steps(definition: AssetsDefinition, sources: _AssetSources) -> list[PlannedStep]:
    prefix = _graph_prefix(definition)
    final = definition.graph_outputs[0]
    after = _after(definition, sources.producers)
    partitioned = definition.partitions_def is not None
    steps = []
    for node in definition.nodes:
        outputs = tuple(
            PlannedOutput(o.name, definition.specs[0].name, partitioned=partitioned)
            if (node.name, o.name) == (final.node, final.output)
            else PlannedOutput(o.name)
            for o in node.op.outputs
        )
        steps.append(
            PlannedStep(
                prefix + node.name, node.op, _node_inputs(node, prefix, sources), outputs, after
            )
        )
    return steps


def _ordered(steps: Sequence[PlannedStep], job_name: str) -> tuple[PlannedStep, ...]:
    """Steps in dependency order (stable: definition order among independent steps)."""
    by_key = {step.key: step for step in steps}
    done: list[PlannedStep] = []
    placed: set[str] = set()
    remaining = list(steps)
    while remaining:
        ready = [s for s in remaining if (s.upstream & by_key.keys()) <= placed]
        if not ready:
            cycle = ", ".join(s.key for s in remaining)
            raise DefinitionError(
                [
                    Problem(
                        f"job {job_name!r}",
                        f"steps {cycle} depend on each other in a cycle",
                        "remove one of the dependencies",
                    )
                ]
            )
        for step in ready:
            done.append(step)
            placed.add(step.key)
        remaining = [s for s in remaining if s.key not in placed]
    return tuple(done)
