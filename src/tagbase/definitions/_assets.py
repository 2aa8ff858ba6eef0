"""Assets: `@asset`, `AssetSpec`, `@multi_asset` with `AssetOut`, and `@graph_asset`.

An asset's parameters name the assets it reads; `deps=` adds assets it depends on without
reading them. Asset tags follow the strict rules; `kinds` become `tagbase/kind/<kind>` labels
and the group becomes the `tagbase/group` tag, so the query language finds them. An asset with
`partitions_def=` is materialized one partition per run, each a version of its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput
from tagbase.definitions._checks import Checks, check_name, group_tag, kind_tags
from tagbase.definitions._compose import NodeInvocation, OutputHandle, compose, handle_outputs
from tagbase.definitions._ops import OpDefinition, OutputDefinition, build_op
from tagbase.definitions._partitions import PartitionsDefinition
from tagbase.metadata import AssetKey, MetadataValue

AssetKeyInput = AssetKey | str | Sequence[str]
DepInput = Any  # an AssetKey, str, AssetSpec or AssetsDefinition
ASSET_INPUT_PREFIX = "asset:"


def to_key(key: AssetKeyInput) -> AssetKey:
    if isinstance(key, AssetKey):
        return key
    if isinstance(key, str):
        return AssetKey.from_user_string(key) if "/" in key else AssetKey(key)
    return AssetKey(list(key))


def _dep_keys(deps: Iterable[DepInput] | None) -> tuple[AssetKey, ...]:
    keys: list[AssetKey] = []
    for dep in deps or ():
        if isinstance(dep, AssetsDefinition):
            keys.extend(dep.keys)
        elif isinstance(dep, AssetSpec):
            keys.append(dep.key)
        else:
            keys.append(to_key(dep))
    return tuple(dict.fromkeys(keys))


def _kind_set(kinds: Iterable[str] | None) -> frozenset[str]:
    """`kinds="python"` means one kind, not six letters."""
    return frozenset([kinds] if isinstance(kinds, str) else kinds or ())


@dataclass(frozen=True, slots=True, init=False)
class AssetSpec:
    """What the catalog knows of an asset: key, dependencies, tags, owners, kinds, metadata."""

    key: AssetKey
    deps: tuple[AssetKey, ...]
    description: str | None
    metadata: Mapping[str, MetadataValue]
    tags: tuple[Tag, ...]
    owners: tuple[str, ...]
    kinds: frozenset[str]
    group_name: str
    code_version: str | None
    partitions_def: PartitionsDefinition | None

    def __init__(
        self,
        key: AssetKeyInput,
        *,
        deps: Iterable[DepInput] | None = None,
        description: str | None = None,
        metadata: Mapping[str, object] | None = None,
        group_name: str | None = None,
        code_version: str | None = None,
        owners: Sequence[str] | None = None,
        tags: TagsInput = None,
        kinds: Iterable[str] | None = None,
        skippable: bool = False,
        partitions_def: PartitionsDefinition | None = None,
    ) -> None:
        asset_key = to_key(key)
        checks = Checks(f"asset {asset_key.to_user_string()!r}")
        for part in asset_key.path:
            check_name(checks, part, "asset key part")
        setter = object.__setattr__
        setter(self, "key", asset_key)
        setter(self, "deps", _dep_keys(deps))
        setter(self, "description", description)
        setter(self, "metadata", checks.metadata(metadata))
        setter(self, "tags", checks.tags(tags, Kind.ASSET))
        setter(self, "owners", checks.owners(owners))
        kind_set = _kind_set(kinds)
        kind_tags(checks, kind_set)
        setter(self, "kinds", kind_set)
        group_tag(checks, group_name)
        setter(self, "group_name", group_name or "default")
        setter(self, "code_version", code_version)
        setter(self, "partitions_def", partitions_def)
        checks.raise_if_any()

    @property
    def name(self) -> str:
        """The catalog name: the key's parts joined by '/'."""
        return self.key.to_user_string()

    @property
    def catalog_tags(self) -> tuple[Tag, ...]:
        """Every tag the asset carries in the catalog: its own, its kinds and its group."""
        checks = Checks(f"asset {self.name!r}")
        return self.tags + kind_tags(checks, self.kinds) + group_tag(checks, self.group_name)

    def with_metadata(self, extra: Mapping[str, MetadataValue]) -> AssetSpec:
        """A copy with more definition metadata (used to attach code references)."""
        return replace(self, metadata={**self.metadata, **extra})


@dataclass(frozen=True, slots=True)
class AssetOut:
    """One asset of a `@multi_asset`."""

    key: AssetKeyInput | None = None
    key_prefix: str | Sequence[str] | None = None
    tags: TagsInput = None
    metadata: Mapping[str, object] | None = None
    owners: Sequence[str] | None = None
    kinds: Iterable[str] | None = None
    group_name: str | None = None
    description: str | None = None
    code_version: str | None = None
    is_required: bool = True


@dataclass(frozen=True, slots=True, eq=False)
class AssetsDefinition:
    """One or more assets and how to compute them: an op (one output per asset), a graph of
    ops (`@graph_asset`), or nothing, for an asset made elsewhere (a bare `AssetSpec`)."""

    specs: tuple[AssetSpec, ...]
    op: OpDefinition | None = None
    output_names: tuple[str, ...] = ()  # the op output (or graph node output) of each spec
    nodes: tuple[NodeInvocation, ...] = ()
    graph_outputs: tuple[OutputHandle, ...] = ()

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        return tuple(spec.key for spec in self.specs)

    @property
    def key(self) -> AssetKey:
        return self.specs[0].key

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.specs)

    @property
    def partitions_def(self) -> PartitionsDefinition | None:
        """The partitions of its assets (one definition for all of them)."""
        return self.specs[0].partitions_def

    @property
    def is_executable(self) -> bool:
        return self.op is not None or bool(self.nodes)

    @property
    def input_keys(self) -> Mapping[str, AssetKey]:
        """Each parameter of the op (or graph) and the asset it reads."""
        if self.op is None:
            return {}
        return {i.name: AssetKey(i.name) for i in self.op.inputs}

    @property
    def read_keys(self) -> tuple[AssetKey, ...]:
        """Every asset whose value this one reads (its function's or graph's parameters)."""
        return tuple(dict.fromkeys([*self.input_keys.values(), *_graph_inputs(self.nodes)]))

    @property
    def upstream(self) -> tuple[AssetKey, ...]:
        """Every asset this one reads or depends on."""
        deps = (d for s in self.specs for d in s.deps)
        return tuple(dict.fromkeys([*self.read_keys, *deps]))

    def with_specs(self, specs: Sequence[AssetSpec]) -> AssetsDefinition:
        return replace(self, specs=tuple(specs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.op is None:
            raise TypeError(f"asset {self.names[0]!r} has no function to call")
        return self.op(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<assets {', '.join(self.names)}>"


def _graph_inputs(nodes: Sequence[NodeInvocation]) -> list[AssetKey]:
    return [
        AssetKey.from_user_string(b.node.removeprefix(ASSET_INPUT_PREFIX))
        for node in nodes
        for b in node.inputs.values()
        if isinstance(b, OutputHandle) and b.node.startswith(ASSET_INPUT_PREFIX)
    ]


def _asset_key(
    name: str, key: AssetKeyInput | None, prefix: str | Sequence[str] | None
) -> AssetKey:
    if key is not None:
        return to_key(key)
    parts = [prefix] if isinstance(prefix, str) else list(prefix or ())
    return AssetKey([*parts, name])


@overload
def asset(fn: Callable[..., Any], /) -> AssetsDefinition: ...
@overload
def asset(
    *,
    name: str | None = None,
    key: AssetKeyInput | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[DepInput] | None = None,
    metadata: Mapping[str, object] | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    group_name: str | None = None,
    code_version: str | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    compute_kind: str | None = None,
    op_tags: TagsInput = None,
    partitions_def: PartitionsDefinition | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...
def asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key: AssetKeyInput | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[DepInput] | None = None,
    metadata: Mapping[str, object] | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    group_name: str | None = None,
    code_version: str | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    compute_kind: str | None = None,
    op_tags: TagsInput = None,
    partitions_def: PartitionsDefinition | None = None,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """An asset computed by the decorated function, bare (`@asset`) or called; with
    `partitions_def`, one partition per run (`context.partition_key` in the body)."""

    def decorate(function: Callable[..., Any]) -> AssetsDefinition:
        asset_key = _asset_key(name or function.__name__, key, key_prefix)
        all_kinds = _kind_set(kinds) | ({compute_kind} if compute_kind else set())
        spec = AssetSpec(
            asset_key,
            deps=deps,
            description=description,
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=all_kinds,
            partitions_def=partitions_def,
        )
        op = build_op(
            function,
            style="asset",
            name="__".join(asset_key.path),
            tags=op_tags,
            description=description,
        )
        output = OutputDefinition("result", artifact=spec.name, is_artifact=True)
        return AssetsDefinition((spec,), replace(op, outputs=(output,)), ("result",))

    return decorate(fn) if fn is not None else decorate


def multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    deps: Iterable[DepInput] | None = None,
    description: str | None = None,
    group_name: str | None = None,
    op_tags: TagsInput = None,
    partitions_def: PartitionsDefinition | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Several assets computed by one function: return them in the order of `outs`, or yield
    an `Output(value, output_name=...)` or `MaterializeResult(asset_key=...)` for each."""

    def decorate(function: Callable[..., Any]) -> AssetsDefinition:
        specs = [
            AssetSpec(
                _asset_key(out_name, out.key, out.key_prefix),
                deps=deps,
                description=out.description or description,
                metadata=out.metadata,
                group_name=out.group_name or group_name,
                code_version=out.code_version,
                owners=out.owners,
                tags=out.tags,
                kinds=out.kinds,
                partitions_def=partitions_def,
            )
            for out_name, out in outs.items()
        ]
        op = build_op(
            function,
            style="asset",
            name=name or function.__name__,
            tags=op_tags,
            description=description,
        )
        outputs = tuple(
            OutputDefinition(out_name, artifact=spec.name, is_artifact=True)
            for out_name, spec in zip(outs, specs, strict=True)
        )
        return AssetsDefinition(tuple(specs), replace(op, outputs=outputs), tuple(outs))

    return decorate


@overload
def graph_asset(fn: Callable[..., Any], /) -> AssetsDefinition: ...
@overload
def graph_asset(
    *,
    name: str | None = None,
    key: AssetKeyInput | None = None,
    key_prefix: str | Sequence[str] | None = None,
    metadata: Mapping[str, object] | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    group_name: str | None = None,
    code_version: str | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...
def graph_asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key: AssetKeyInput | None = None,
    key_prefix: str | Sequence[str] | None = None,
    metadata: Mapping[str, object] | None = None,
    tags: TagsInput = None,
    description: str | None = None,
    group_name: str | None = None,
    code_version: str | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """An asset computed by a graph of ops: the body calls ops, and returns the final output."""

    def decorate(function: Callable[..., Any]) -> AssetsDefinition:
        asset_key = _asset_key(name or function.__name__, key, key_prefix)
        spec = AssetSpec(
            asset_key,
            description=description,
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=kinds,
            partitions_def=partitions_def,
        )
        params = inspect.signature(function).parameters
        handles = {p: OutputHandle(f"{ASSET_INPUT_PREFIX}{p}", "result") for p in params}
        nodes, returned = compose(f"graph asset {spec.name!r}", function, **handles)
        outputs = handle_outputs(returned)
        if len(outputs) != 1:
            checks = Checks(f"graph asset {spec.name!r}")
            checks.add("its body", "must return the output of one op call", "return op(...)")
            checks.raise_if_any()
        return AssetsDefinition((spec,), None, ("result",), nodes, outputs)

    return decorate(fn) if fn is not None else decorate
