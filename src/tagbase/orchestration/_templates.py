"""Launching from a run template: the template's job, its tags (templates' own system tags
aside), then the launch's tags over them; its run config goes on the run as metadata."""

from __future__ import annotations

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.orchestration._launching import launch_run
from tagbase.store import Ref, StoreContract

RUN_CONFIG = "tagbase/run_config"


def launch_template(
    store: StoreContract, template: Ref, *, tags: TagsInput = None, pipeline: Ref | None = None
) -> Entity:
    found = store.get(Kind.RUN_TEMPLATE, template, pipeline)
    assert found.scope is not None  # a run template always belongs to a job
    given = normalize_tags(tags, kind=Kind.RUN)
    overridden = {tag.key for tag in given}
    kept = [
        Tag(t.key, t.value)
        for t in found.tags.assigned
        if not t.is_system and t.key not in overridden
    ]
    run = launch_run(found.scope.name, tags=[*kept, *given], store=store)
    config = found.metadata.get(RUN_CONFIG)
    if config is not None:
        run = store.log_metadata(Kind.RUN, run.id, metadata={RUN_CONFIG: config}, source="system")
    return run
