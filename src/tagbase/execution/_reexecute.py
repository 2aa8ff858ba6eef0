"""Re-execution: running a job again after a run of it, as that run's child
(`tagbase/parent_run_id`, `tagbase/root_run_id`), for the same partition and the same steps.

From the failure, the steps of the parent that did not succeed run again, with what follows
them, reading the earlier outputs back; a parent with no such step is refused rather than
recorded as a child run of no steps. Without it, every step the parent ran runs again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from tagbase._errors import ConflictError, DefinitionError, NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._run_records import ENDED
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.definitions._jobs import ExecutorDefinition, JobDefinition
from tagbase.definitions._partitions import PARTITION_TAG
from tagbase.definitions._plan import plan_job
from tagbase.execution._launch import execute_job
from tagbase.execution._result import RunResult
from tagbase.execution._runtime import current_runtime
from tagbase.store import StoreContract


@dataclass(frozen=True, slots=True)
class Rerun:
    """What a child run of `parent` carries and runs."""

    parent: Entity
    launch: tuple[Tag, ...]  # the parent's launch tags
    partition: str | None
    selection: list[str] | None  # None: every step of the job

    @property
    def lineage(self) -> dict[str, str]:
        """The child's system tags naming its parent and the first run of the chain."""
        root = self.parent.tag_dict.get("tagbase/root_run_id", self.parent.id)
        return {"tagbase/parent_run_id": self.parent.id, "tagbase/root_run_id": root}


def plan_rerun(
    store: StoreContract, job: JobDefinition, parent: Entity, from_failure: bool
) -> Rerun:
    """The child run of `parent` to launch; a refusal if from its failure nothing is left."""
    if parent.scope is None or parent.scope.name != job.name:
        raise NotFoundError(
            f"run {parent.id} is not a run of job {job.name!r}. Fix: pass a run of this job"
        )
    launch = tuple(
        Tag(t.key, t.value)
        for t in parent.tags.assigned
        if t.source == "launch" and t.key != PARTITION_TAG
    )
    partition = parent.tag_dict.get(PARTITION_TAG)
    among = parent_selection(parent)
    if not from_failure:
        return Rerun(parent, launch, partition, among)
    if parent.status not in ENDED:
        raise ConflictError(
            f"run {parent.name} ({parent.id}) is {parent.status}: which of its steps fail is "
            "not known yet. Fix: re-execute it once it ended, or re-execute all its steps"
        )
    succeeded = parent.status == "success"  # even if its steps went unrecorded
    wanted = [] if succeeded else failed_selection(store, job, parent.id, among)
    if wanted == []:
        raise ConflictError(
            f"run {parent.name} ({parent.id}) has no failed step: it ended {parent.status}, "
            "so from its failure there is nothing to run. Fix: re-execute all its steps "
            "(from_failure=False; `tagbase run reexecute` without --from-failure)"
        )
    return Rerun(parent, launch, partition, among if wanted is None else wanted)


def parent_selection(run: Entity) -> list[str] | None:
    """The steps a run was asked to run (its `tagbase/op_selection`); None for all."""
    chosen = run.tag_dict.get("tagbase/op_selection")
    return None if chosen is None else list(json.loads(chosen))


def failed_selection(
    store: StoreContract, job: JobDefinition, run_id: str, among: Sequence[str] | None
) -> list[str] | None:
    """The steps of `among` (else of the job) run `run_id` did not finish with success, in
    plan order; [] when all did; None when an earlier output cannot be read back."""
    done = {s.key for s in store.list_steps(run_id) if s.status == "success"}
    plan = plan_job(job)
    wanted = [key for key in (plan.keys if among is None else among) if key not in done]
    try:
        plan.subset(wanted)
    except DefinitionError:
        return None
    return wanted


def reexecute(
    job: JobDefinition,
    parent_run_id: str,
    *,
    from_failure: bool = True,
    tags: TagsInput = None,
    raise_on_error: bool = True,
    executor: ExecutorDefinition | None = None,
    store: StoreContract | None = None,
) -> RunResult:
    """Run a job again after a run of it (see the module); `tags` go over the parent's."""
    store = store or current_runtime().store
    rerun = plan_rerun(store, job, store.get(Kind.RUN, parent_run_id), from_failure)
    lineage = rerun.lineage
    return execute_job(
        job,
        tags=[*rerun.launch, *normalize_tags(tags, kind=Kind.RUN)],
        partition_key=rerun.partition,
        op_selection=rerun.selection,
        raise_on_error=raise_on_error,
        executor=executor,
        parent_run_id=lineage["tagbase/parent_run_id"],
        root_run_id=lineage["tagbase/root_run_id"],
        store=store,
    )
