"""Writing a run to the catalog as it happens: the run entity and its status, its steps and
events, the asset versions its steps create, and the tags and metadata step code asked for.

Each lifecycle step is one transaction (`Store.atomic`): recording a run (its row, job, launch
and system tags), starting it (status, system tags, events, its model version), a step's start,
a step's end with everything it made (versions, their metadata and tags, cascaded tags,
exclusive moves, events), and the run's end. A failure inside one leaves nothing of it.

Tags keep their provenance: job tags `definition`, launch tags `launch`, tagbase's own
`system` (the run's `tagbase/partition` on each version of a partitioned asset, too), cascaded
job tags `cascade`, and tags step code added `user`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tagbase._errors import AlreadyExistsError
from tagbase._kinds import Kind
from tagbase._limits import storable_text
from tagbase._records import Entity
from tagbase._tags import Tag
from tagbase.definitions._jobs import JobDefinition
from tagbase.definitions._partitions import PARTITION_TAG
from tagbase.definitions._plan import ExecutionPlan, PlannedStep
from tagbase.definitions._values import Model
from tagbase.execution._outcome import OutputResult, StepOutcome
from tagbase.execution._run_tags import RunTags
from tagbase.execution._steps import now_ms
from tagbase.execution._tag_changes import apply_tag_changes
from tagbase.metadata import MetadataValue, encode_metadata_value
from tagbase.store import EntitySpec, Event, StepEnd, StoreContract


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A recorded run, as the executor needs it."""

    id: str
    name: str
    job_name: str
    tags: Mapping[str, str]
    cascade: tuple[Tag, ...] = ()
    model_version: tuple[str, str] | None = None
    started_ms: int = 0


@dataclass
class RunRecorder:
    store: StoreContract
    written: list[str] = field(default_factory=list)  # asset version ids, in order

    # -- the run ----------------------------------------------------------------------------

    def begin(self, plan: ExecutionPlan, tags: RunTags) -> RunInfo:
        """Record the run as queued with its job's and launch tags, add system tags, start it."""
        with self.store.atomic():
            run = self.record(plan.job.name, replace(tags, system=()))
            return self.start(plan, run.id, tags.system, [Event("run_queued", now_ms())])

    def record(self, job_name: str, tags: RunTags) -> Entity:
        """The run, `queued`, with its job's tags (`definition`), launch and system tags, and
        the aliases they were given as (`run_tags` built them all). Called inside a block
        (`Store.atomic`) that also starts or queues the run."""
        spec = EntitySpec(
            Kind.RUN, scope=job_name, tags=tags.job, status="queued", metadata=tags.metadata
        )
        run = self.store.add(spec, source="definition")
        if tags.launch:
            run = self.store.add_tags(Kind.RUN, run.id, tags=tags.launch, source="launch")
        if tags.system:
            run = self.store.add_tags(Kind.RUN, run.id, tags=tags.system, source="system")
        return run

    def start(
        self,
        plan: ExecutionPlan,
        run_id: str,
        system: Sequence[Tag] = (),
        earlier: Sequence[Event] = (),
    ) -> RunInfo:
        """Mark a recorded run started (adding system tags, creating its model version), and
        describe it for executors; `earlier` events (its queueing) are written with it."""
        job = plan.job
        started = now_ms()
        with self.store.atomic():
            run = self.store.update(
                Kind.RUN,
                run_id,
                add_tags=system,
                status="started",
                metadata={"tagbase/started_at": MetadataValue.timestamp(started / 1000)},
                source="system",
            )
            self.store.add_run_events(run.id, [*earlier, Event("run_started", started)])
            model_version = self._model_version(job, run.id)
        return RunInfo(
            run.id,
            run.name,
            job.name,
            run.tag_dict,
            self._cascade(job.tags),
            model_version,
            started,
        )

    def _cascade(self, tags: Sequence[Tag]) -> tuple[Tag, ...]:
        if not tags:
            return ()
        registry = {d.name for d in self.store.list_tags(registered_only=True) if d.cascade}
        chosen = [t for t in tags if t.cascade or (t.cascade is None and t.name in registry)]
        return tuple(Tag(t.key, t.value) for t in chosen)

    def _model_version(self, job: JobDefinition, run_id: str) -> tuple[str, str] | None:
        model = job.model
        if model is None:
            return None
        self._ensure(EntitySpec(Kind.MODEL, model.name, description=model.description))
        link = {"tagbase/run_id": run_id}
        if model.version is None:
            version = self.store.add(
                EntitySpec(
                    Kind.MODEL_VERSION,
                    scope=model.name,
                    tags=model.tags,
                    metadata={**model.metadata, **link},
                ),
                source="definition",
            )
            return model.name, version.name
        return model.name, self._named_version(model, link)

    def _named_version(self, model: Model, link: Mapping[str, object]) -> str:
        assert model.version is not None
        spec = EntitySpec(
            Kind.MODEL_VERSION, model.version, scope=model.name, tags=model.tags, metadata=link
        )
        if not self._ensure(spec):
            self.store.update(
                Kind.MODEL_VERSION,
                model.version,
                model.name,
                add_tags=model.tags,
                metadata={**model.metadata, **link},
                source="definition",
            )
        return model.version

    def _ensure(self, spec: EntitySpec) -> bool:
        """Create the entity unless it exists; whether it was created."""
        assert spec.name is not None
        if self.store.find(spec.kind, spec.name, spec.scope) is not None:
            return False
        try:
            with self.store.atomic():  # a savepoint: the refusal undoes this add alone
                self.store.add(spec, source="definition")
        except AlreadyExistsError:  # another run created it meanwhile
            return False
        return True

    def end(self, run: RunInfo, failed: StepOutcome | None, interrupted: str | None) -> None:
        """Mark the run success or failed, with the error and stack of what failed."""
        ended = now_ms()
        metadata: dict[str, object] = {
            "tagbase/ended_at": MetadataValue.timestamp(ended / 1000),
            "tagbase/duration_s": (ended - run.started_ms) / 1000,
        }
        if failed is not None:
            metadata["tagbase/failed_step"] = failed.key
            metadata["tagbase/error"] = failed.error
            metadata["tagbase/stack_trace"] = failed.stack
        elif interrupted is not None:
            metadata["tagbase/error"] = interrupted
        status = "success" if failed is None and interrupted is None else "failed"
        event = Event(f"run_{status}", ended, failed.key if failed else None)
        with self.store.atomic():
            self.store.update(Kind.RUN, run.id, status=status, metadata=metadata, source="system")
            self.store.add_run_events(run.id, [event])

    # -- steps ------------------------------------------------------------------------------

    def step_started(self, run: RunInfo, step: PlannedStep) -> None:
        self.store.start_step(run.id, step.key, step.op.name, now_ms())

    def step_finished(self, run: RunInfo, outcome: StepOutcome) -> StepOutcome:
        """Record what a step made and asked for with its end, in one transaction; a failure
        to record its outputs (say, an exclusive tag conflict) fails the step, which is then
        recorded as failed with none of them."""
        try:
            with self.store.atomic():
                if outcome.succeeded:
                    self._versions(run, outcome)
                self._effects(run, outcome)
                self._end_step(run, outcome)
            self.written.extend(o.version_id for o in outcome.outputs if o.version_id)
        except Exception as error:
            outcome.status, outcome.exception = "failed", error
            outcome.error = storable_text(f"{type(error).__name__}: {error}")
            for output in outcome.outputs:  # rolled back with the rest
                output.version_id = None
            self._end_step(run, outcome)
        return outcome

    def _end_step(self, run: RunInfo, outcome: StepOutcome) -> None:
        end = StepEnd(
            outcome.key,
            outcome.op_name,
            outcome.status,
            outcome.started_ms,
            outcome.ended_ms,
            outcome.error,
            outcome.stack,
        )
        self.store.end_steps(run.id, [end], _events(outcome))

    def steps_skipped(self, run: RunInfo, skipped: Sequence[PlannedStep], reason: str) -> None:
        at = now_ms()
        ends = [StepEnd(s.key, s.op.name, "skipped", None, at, reason) for s in skipped]
        events = [Event("step_skipped", at, s.key, reason) for s in skipped]
        self.store.end_steps(run.id, ends, events)

    def _versions(self, run: RunInfo, outcome: StepOutcome) -> None:
        made = [o for o in outcome.outputs if o.artifact is not None]
        if not made:
            return
        specs = [_version_spec(run, outcome, output) for output in made]
        stored = [output.stored for output in made]
        ids = self.store.add_asset_versions(specs, stored, source="definition")
        partition = run.tags.get(PARTITION_TAG)
        for output, version_id in zip(made, ids, strict=True):
            output.version_id = version_id
            if output.partitioned and partition is not None:  # one write more per version
                self._tag(Kind.ASSET_VERSION, version_id, [Tag(PARTITION_TAG, partition)], "system")
            if output.tags:
                self._tag(Kind.ASSET_VERSION, version_id, output.tags, "user")
            if run.cascade:
                self._tag(Kind.ASSET_VERSION, version_id, run.cascade, "cascade")

    def _tag(self, kind: Kind, ref: str, tags: Sequence[Tag], source: str) -> None:
        self.store.add_tags(kind, ref, tags=tags, source=source)

    def _effects(self, run: RunInfo, outcome: StepOutcome) -> None:
        effects = outcome.effects
        if effects.run_metadata:
            self.store.log_metadata(Kind.RUN, run.id, metadata=effects.run_metadata, source="user")
        apply_tag_changes(self.store, run.id, outcome)
        if effects.model_metadata and run.model_version is not None:
            model, version = run.model_version
            self.store.log_metadata(
                Kind.MODEL_VERSION, version, model, metadata=effects.model_metadata, source="user"
            )


def _version_spec(run: RunInfo, outcome: StepOutcome, output: OutputResult) -> EntitySpec:
    assert output.artifact is not None
    metadata: dict[str, object] = {"tagbase/run_id": run.id, "tagbase/step": outcome.key}
    metadata.update(output.metadata)
    return EntitySpec(
        Kind.ASSET_VERSION,
        output.version,
        scope=output.artifact,
        tags=output.definition_tags,
        metadata=metadata,
    )


def _events(outcome: StepOutcome) -> list[Event]:
    events = [
        Event("log", at, outcome.key, f"{level}: {message}")
        for at, level, message in outcome.effects.logs
    ]
    for output in outcome.outputs if outcome.succeeded else ():  # a failed step made none
        if not (output.version_id or output.metadata):
            continue
        described: dict[str, Any] = {"output": output.name}
        if output.version_id:
            described["asset_version"] = output.version_id
            described["artifact"] = output.artifact
        if output.metadata:
            described["metadata"] = {
                key: json.loads(encode_metadata_value(value).payload)
                for key, value in output.metadata.items()
            }
        events.append(Event("step_output", outcome.ended_ms, outcome.key, json.dumps(described)))
    events.append(Event(f"step_{outcome.status}", outcome.ended_ms, outcome.key, outcome.error))
    return events
