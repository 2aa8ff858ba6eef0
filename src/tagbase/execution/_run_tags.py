"""The tags of a run, built by one function for every path that makes a run.

`execute_in_process`, `materialize`, a launch into the queue (by definition, or by job name
against the catalog), a run template, a schedule, a sensor, a backfill, a re-execution and
every retry all call `run_tags`, so a run carries the same tags however it was made:

- its job's tags, `tagbase/*` included (source `definition`). A launch by name, with no code
  at hand, reads them from the job's `tagbase/run_tags` metadata, which the catalog sync
  writes (exclusive and cascade flags included: exclusive tags are not held by the job);
- the launch's tags over them (source `launch`), then tagbase's own (source `system`);
- `dagster/` aliases under their `tagbase/` key, noted on the run (`tagbase/tag_aliases`);
- the run's partition, checked against the job's partitions.

It also gathers the tags of the ops and assets the run executes (`step_tags`): the run queue's
tag concurrency limits and priority read them as well as the run's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tag_aliases import ALIASES_METADATA, resolve_aliases
from tagbase._tags import SYSTEM_TAG_KEYS, Tag, TagsInput, normalize_tags
from tagbase.definitions._partitions import PARTITION_TAG, PartitionsDefinition, split_partition
from tagbase.definitions._plan import ExecutionPlan
from tagbase.metadata import MetadataValue

RUN_TAGS_METADATA = "tagbase/run_tags"  # on a job: the tags every run of it carries
STEP_TAGS_METADATA = "tagbase/step_tags"  # on a job: the tags of its ops and assets
PRIORITY_TAG = "tagbase/priority"
Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RunTags:
    """A run's tags by source, the aliases they were given as, and its steps' tags."""

    job: tuple[Tag, ...] = ()
    launch: tuple[Tag, ...] = ()
    system: tuple[Tag, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    step_tags: tuple[Pair, ...] = ()

    @property
    def metadata(self) -> dict[str, MetadataValue]:
        """What the run records besides its tags: the aliases it was given."""
        if not self.aliases:
            return {}
        return {ALIASES_METADATA: MetadataValue.json(dict(sorted(self.aliases.items())))}

    def as_dict(self) -> dict[str, str]:
        """The run's tags as one mapping, later sources over earlier (as the store keeps a
        single-valued key)."""
        return {tag.key: tag.value for tag in (*self.job, *self.launch, *self.system)}

    @property
    def priority(self) -> int:
        """The run's `tagbase/priority`; without one, the highest of its ops and assets."""
        own = self.as_dict().get(PRIORITY_TAG)
        if own is not None:
            return int(own)
        steps = [int(value) for key, value in self.step_tags if key == PRIORITY_TAG]
        return max(steps, default=0)


def run_tags(
    subject: str,
    job_tags: Sequence[Tag],
    *,
    launch: TagsInput = None,
    system: Mapping[str, str] | Sequence[Tag] = (),
    partitions: PartitionsDefinition | None = None,
    partition_key: str | None = None,
    step_tags: Sequence[Pair] = (),
) -> RunTags:
    """The tags of a run of `subject` (say "job 'daily'"): refuses bad tags and a partition
    the job does not have before anything is written."""
    job, job_aliases = resolve_aliases(job_tags)
    given, launch_aliases = resolve_aliases(normalize_tags(launch, kind=Kind.RUN))
    own = dict(system) if isinstance(system, Mapping) else {t.key: t.value for t in system}
    partition_key = partition_key if partition_key is not None else own.pop(PARTITION_TAG, None)
    own.pop(PARTITION_TAG, None)
    rest, partition = split_partition(subject, partitions, given, partition_key)
    system_tags = normalize_tags(own, kind=Kind.RUN) + partition
    return RunTags(job, rest, system_tags, {**job_aliases, **launch_aliases}, tuple(step_tags))


def plan_step_tags(plan: ExecutionPlan) -> tuple[Pair, ...]:
    """The tags of the ops and assets a plan executes, aliases under their canonical keys."""
    specs = {spec.name: spec for spec in plan.asset_specs}
    tags: list[Tag] = []
    for step in plan.steps:
        tags += step.op.tags
        for artifact in step.artifacts:
            spec = specs.get(artifact)
            tags += spec.tags if spec is not None else ()
    return _pairs(tags)


def _pairs(tags: Iterable[Tag]) -> tuple[Pair, ...]:
    resolved, _ = resolve_aliases(list(tags))
    return tuple(sorted({(tag.key, tag.value) for tag in resolved}))


def run_tags_json(tags: Sequence[Tag]) -> list[dict[str, object]]:
    """A job's tags as its `tagbase/run_tags` metadata, with the flags a run must keep."""
    described: list[dict[str, object]] = []
    for tag in tags:
        item: dict[str, object] = {"key": tag.key, "value": tag.value}
        for flag in ("exclusive", "cascade"):
            if getattr(tag, flag) is not None:
                item[flag] = getattr(tag, flag)
        described.append(item)
    return described


def catalog_job_tags(job: Entity) -> tuple[Tag, ...]:
    """The tags every run of a job the catalog recorded carries: its `tagbase/run_tags`, or
    for a job recorded before tagbase kept them, its definition tags and run keys."""
    held = job.metadata.get(RUN_TAGS_METADATA)
    if held is None or not isinstance(held.value, list):
        return tuple(
            Tag(t.key, t.value)
            for t in job.tags.assigned
            if t.source == "definition" or (t.source == "system" and t.key in SYSTEM_TAG_KEYS)
        )
    return tuple(
        Tag(
            str(item["key"]),
            str(item["value"]),
            exclusive=item.get("exclusive"),
            cascade=item.get("cascade"),
        )
        for item in held.value
    )


def catalog_step_tags(job: Entity) -> tuple[Pair, ...]:
    """The tags of the ops and assets of a job the catalog recorded."""
    held = job.metadata.get(STEP_TAGS_METADATA)
    if held is None or not isinstance(held.value, list):
        return ()
    return tuple((str(key), str(value)) for key, value in held.value)


def step_tags_json(pairs: Sequence[Pair]) -> str:
    return json.dumps([list(pair) for pair in pairs])
