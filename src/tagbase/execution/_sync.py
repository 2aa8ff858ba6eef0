"""Catalog sync: the assets, ops and jobs of definitions, recorded with their tags, owners,
kinds and metadata (source `definition`).

A definition whose tags or metadata changed gets the new ones; the old stay in the tag and
metadata history. Tags that people or runs added are left alone. An unchanged definition
costs one read per kind (its entities are looked up together), and no write. A job's
partitions are its `tagbase/partitions` metadata (null once it has none), so that a launch
by job name alone is checked against them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tagbase._errors import AlreadyExistsError, DefinitionError, Problem
from tagbase._kinds import Kind
from tagbase._records import AssignedTag, Entity
from tagbase._tags import RESERVED_PREFIX, Tag
from tagbase.definitions._assets import AssetSpec
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._ops import OpDefinition
from tagbase.definitions._partitions import PARTITIONS_METADATA, partitions_json
from tagbase.definitions._plan import ExecutionPlan, plan_job
from tagbase.execution._run_tags import (
    RUN_TAGS_METADATA,
    STEP_TAGS_METADATA,
    Pair,
    plan_step_tags,
    run_tags_json,
)
from tagbase.execution._runtime import current_runtime
from tagbase.metadata import MetadataValue, encode_metadata_value
from tagbase.query import Match, NameMatch, Or
from tagbase.store import EntitySpec, StoreContract

_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Desired:
    """What the catalog should hold for one definition."""

    kind: Kind
    name: str
    tags: tuple[Tag, ...] = ()
    metadata: Mapping[str, MetadataValue] | None = None
    owners: tuple[str, ...] = ()
    description: str | None = None
    cleared: tuple[str, ...] = ()  # metadata keys to set to null if they hold a value


def _job_tags(tags: Sequence[Tag], exclusive: set[str]) -> tuple[Tag, ...]:
    """A job holds its tags, except exclusive ones: those move between its runs."""
    return tuple(t for t in tags if not (t.exclusive or t.name in exclusive))


def job_entity(plan: ExecutionPlan, exclusive: set[str]) -> Desired:
    """A job as the catalog holds it: `plan`, all of its steps, gives its steps' tags."""
    job = plan.job
    tags = _job_tags(job.tags, exclusive)
    metadata = {**job.metadata, **_run_metadata(job.tags, plan_step_tags(plan))}
    if job.partitions_def is not None:
        metadata[PARTITIONS_METADATA] = MetadataValue.json(partitions_json(job.partitions_def))
    cleared = tuple(key for key in _LAUNCH_METADATA if key not in metadata)
    return Desired(Kind.JOB, job.name, tags, metadata, job.owners, job.description, cleared)


_LAUNCH_METADATA = (PARTITIONS_METADATA, RUN_TAGS_METADATA, STEP_TAGS_METADATA)


def _run_metadata(tags: Sequence[Tag], steps: Sequence[Pair]) -> dict[str, MetadataValue]:
    """What a launch by job name alone needs (when the job has any): the tags its runs
    carry, its steps' tags. Null once it has none."""
    metadata: dict[str, MetadataValue] = {}
    if tags:
        metadata[RUN_TAGS_METADATA] = MetadataValue.json(run_tags_json(tags))
    if steps:
        metadata[STEP_TAGS_METADATA] = MetadataValue.json([list(pair) for pair in steps])
    return metadata


def op_entity(op: OpDefinition) -> Desired:
    return Desired(Kind.OP, op.name, op.tags, op.metadata, (), op.description)


def asset_entity(spec: AssetSpec) -> Desired:
    return Desired(
        Kind.ASSET, spec.name, spec.catalog_tags, spec.metadata, spec.owners, spec.description
    )


def plan_entities(
    plan: ExecutionPlan, exclusive: set[str], full: ExecutionPlan | None = None
) -> list[Desired]:
    """The job, ops and assets (artifacts) a run of `plan` (of `full`'s steps) refers to."""
    desired = [job_entity(full or plan, exclusive)]
    ops = {step.op.name: step.op for step in plan.steps}
    desired += [op_entity(op) for op in ops.values()]
    specs = {spec.name: spec for spec in plan.asset_specs}
    desired += [asset_entity(spec) for spec in specs.values()]
    artifacts = {a for step in plan.steps for a in step.artifacts} - specs.keys()
    desired += [Desired(Kind.ASSET, name) for name in sorted(artifacts)]
    return desired


def definitions_entities(defs: Definitions, exclusive: set[str]) -> list[Desired]:
    desired: list[Desired] = []
    for definition in defs.assets:
        desired += [asset_entity(spec) for spec in definition.specs]
    for job in defs.jobs:
        desired += [d for d in plan_entities(plan_job(job), exclusive) if d.kind is not Kind.ASSET]
    for pipeline in defs.pipelines:
        tags = _job_tags(pipeline.tags, exclusive)
        metadata = _run_metadata(pipeline.tags, ())
        cleared = tuple(key for key in _LAUNCH_METADATA[1:] if key not in metadata)
        desired.append(
            Desired(Kind.JOB, pipeline.name, tags, metadata, (), pipeline.description, cleared)
        )
    unique: dict[tuple[Kind, str], Desired] = {}
    for item in desired:
        unique.setdefault((item.kind, item.name), item)
    return list(unique.values())


def exclusive_tag_names(store: StoreContract) -> set[str]:
    return {d.name for d in store.list_tags(registered_only=True) if d.exclusive}


def sync(store: StoreContract, desired: Sequence[Desired]) -> None:
    """Create what is missing and bring what changed up to date."""
    for kind in {d.kind for d in desired}:
        of_kind = [d for d in desired if d.kind is kind]
        try:
            _sync_kind(store, kind, of_kind)
        except AlreadyExistsError:  # another process created some meanwhile: update those
            _sync_kind(store, kind, of_kind)


def _sync_kind(store: StoreContract, kind: Kind, of_kind: Sequence[Desired]) -> None:
    existing = store.find_named(kind, [d.name for d in of_kind])
    missing = [d for d in of_kind if d.name not in existing]
    if missing:
        store.add_many([_spec(d) for d in missing], source="definition")
        _add_system_tags(store, kind, missing)
    for item in of_kind:
        if item.name in existing:
            _update(store, existing[item.name], item)


def _is_system(tag: Tag | AssignedTag) -> bool:
    """Kind and group tags are tagbase's own (source `system`), the rest the definition's."""
    return tag.key.startswith(RESERVED_PREFIX)


def _add_system_tags(store: StoreContract, kind: Kind, created: Sequence[Desired]) -> None:
    """One bulk write per distinct set of system tags (most assets share their kinds)."""
    groups: dict[tuple[Tag, ...], list[str]] = {}
    for item in created:
        system = tuple(t for t in item.tags if _is_system(t))
        if system:
            groups.setdefault(system, []).append(item.name)
    for tags, names in groups.items():
        for start in range(0, len(names), _CHUNK):
            part = names[start : start + _CHUNK]
            query = Or(tuple(NameMatch(Match.EQUALS, name) for name in part))
            store.retag(kind, query, add=tags, source="system")


def _spec(item: Desired) -> EntitySpec:
    return EntitySpec(
        item.kind,
        item.name,
        tags=[t for t in item.tags if not _is_system(t)],
        metadata=item.metadata,
        owners=item.owners or None,
        description=item.description,
    )


def _update(store: StoreContract, current: Entity, item: Desired) -> None:
    held = {tag.name for tag in current.tags.assigned}
    held_keys = [tag.key for tag in current.tags.assigned]
    wanted = {tag.name for tag in item.tags}
    add = [tag for tag in item.tags if tag.name not in held]
    remove = [
        tag.name
        for tag in current.tags.assigned
        if (tag.source == "definition" or (tag.source == "system" and _is_system(tag)))
        and tag.name not in wanted
        and (tag.value or held_keys.count(tag.key) == 1)  # a label's removal takes its key
    ]
    metadata = _changed(current.metadata, item.metadata or {})
    metadata.update(_cleared(current.metadata, item.cleared))
    owners = item.owners if item.owners and set(item.owners) != set(current.owners) else None
    description = item.description if item.description != current.description else None
    own = [tag for tag in add if not _is_system(tag)]
    if own or remove or metadata or owners is not None or description is not None:
        store.update(
            item.kind,
            current.id,
            add_tags=own,
            remove_tags=remove,
            metadata=metadata,
            owners=owners,
            description=description,
            source="definition",
        )
    system = [tag for tag in add if _is_system(tag)]
    if system:
        store.add_tags(item.kind, current.id, tags=system, source="system")


def _changed(
    current: Mapping[str, object], wanted: Mapping[str, MetadataValue]
) -> dict[str, MetadataValue]:
    return {
        key: value
        for key, value in wanted.items()
        if not isinstance(current.get(key), MetadataValue)
        or encode_metadata_value(current[key]) != encode_metadata_value(value)  # type: ignore[arg-type]
    }


def _cleared(current: Mapping[str, object], keys: Sequence[str]) -> dict[str, MetadataValue]:
    return {
        key: MetadataValue.null()
        for key in keys
        if isinstance(held := current.get(key), MetadataValue) and held.value is not None
    }


def sync_plan(store: StoreContract, plan: ExecutionPlan, full: ExecutionPlan | None = None) -> None:
    """Record what a run of `plan` refers to; `full` is the job's whole plan when `plan` is
    a subset of it (the job's steps' tags are all of its steps')."""
    exclusive = exclusive_tag_names(store) if plan.job.tags else set()
    sync(store, plan_entities(plan, exclusive, full))


def sync_definitions(defs: Definitions, store: StoreContract | None = None) -> None:
    """Record a code location's assets, ops and jobs in the catalog (the runtime's, by default)."""
    store = store or current_runtime().store
    desired = definitions_entities(defs, exclusive_tag_names(store))
    check_required_tags(store, desired)
    sync(store, desired)


def check_required_tags(store: StoreContract, desired: Sequence[Desired]) -> None:
    """DefinitionError listing every definition that lacks a key a tag policy requires on
    its kind (`required_on`); nothing is recorded then."""
    required = [(p.target, set(p.required_on)) for p in store.list_tag_policies() if p.required_on]
    problems = [
        Problem(
            f"{item.kind.label} {item.name!r}",
            f"the tag policy of {key!r} requires the tag key {key!r} on every {item.kind.label}",
            f"add a tag {key}=... to its definition's tags",
        )
        for item in desired
        for key, kinds in required
        if item.kind.value in kinds and key not in {t.key for t in item.tags}
    ]
    if problems:
        raise DefinitionError(problems)
