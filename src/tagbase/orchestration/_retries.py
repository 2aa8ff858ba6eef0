"""Run retries: a failed run whose tags allow it (`tagbase/max_retries`) is launched again,
as a child (`tagbase/parent_run_id`, `tagbase/root_run_id`, `tagbase/retry_number`).

`tagbase/retry_strategy` chooses what the retry runs: `from_failure` (the default) runs the
steps that did not succeed and what follows them, reading earlier outputs back, exactly as
`reexecute` does; `all_steps` runs everything the failed run ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import Tag
from tagbase.definitions._jobs import JobDefinition
from tagbase.execution._reexecute import failed_selection, parent_selection
from tagbase.orchestration._launching import launch_run
from tagbase.store import StoreContract

# What a retry takes from its parent besides its launch tags; its job's tags (`tagbase/*`
# included: max_retries, retry_strategy, priority, max_runtime) it gets as every run does.
CARRIED = (
    "tagbase/partition",
    "tagbase/backfill",
    "tagbase/schedule_name",
    "tagbase/sensor_name",
)


def retry_if_wanted(store: StoreContract, run_id: str) -> Entity | None:
    """Queue a retry of a failed run if its tags ask for one; the retry, or None."""
    run = store.get(Kind.RUN, run_id)
    tags = run.tag_dict
    number = int(tags.get("tagbase/retry_number", "0"))
    if run.status != "failed" or number >= int(tags.get("tagbase/max_retries", "0")):
        return None
    assert run.scope is not None  # a run always belongs to a job
    system = {key: tags[key] for key in CARRIED if key in tags}
    system["tagbase/parent_run_id"] = run.id
    system["tagbase/root_run_id"] = tags.get("tagbase/root_run_id", run.id)
    system["tagbase/retry_number"] = str(number + 1)
    if tags.get("tagbase/retry_strategy") == "all_steps" and "tagbase/op_selection" in tags:
        system["tagbase/op_selection"] = tags["tagbase/op_selection"]
    launch = [Tag(t.key, t.value) for t in run.tags.assigned if t.source == "launch"]
    return launch_run(run.scope.name, tags=launch, system=system, store=store)


def retry_selection(
    store: StoreContract, job: JobDefinition, tags: Mapping[str, str]
) -> Sequence[str] | None:
    """The steps a `from_failure` retry (with these tags) runs, decided when it starts (by
    then its parent's steps are all recorded); None for any other run. When nothing of its
    parent is left to run, or an earlier output is gone, it runs all its parent ran."""
    parent = tags.get("tagbase/parent_run_id")
    strategy = tags.get("tagbase/retry_strategy", "from_failure")
    if parent is None or "tagbase/retry_number" not in tags or strategy != "from_failure":
        return None
    if "tagbase/op_selection" in tags:
        return None
    among = parent_selection(store.get(Kind.RUN, parent))
    wanted = failed_selection(store, job, parent, among)
    return wanted or among
