"""`pipeline` and `run`: jobs and their executions."""

from __future__ import annotations

import click

from tagbase._kinds import Kind
from tagbase.cli._app import State, pass_state
from tagbase.cli._entities import (
    add_entity_commands,
    get_entity,
    list_entities,
    show_entity,
    update_tags,
)
from tagbase.cli._execution import RunGroup
from tagbase.cli._options import (
    json_option,
    limit_option,
    pipeline_option,
    query_option,
    tag_changes,
    tag_filter_option,
)


@click.group("pipeline")
def pipeline() -> None:
    """Pipelines (jobs)."""


add_entity_commands(
    pipeline, Kind.JOB, "tagbase pipeline update training_pipeline -t production -t v2"
)


@click.group("run", cls=RunGroup)
def run() -> None:
    """Pipeline runs; `tagbase run JOB -f file.py --tag k=v` launches one."""


@run.command("list")
@pipeline_option
@tag_filter_option
@query_option
@limit_option
@json_option
@pass_state
def list_runs(
    state: State,
    pipeline: str | None,
    tag_filters: tuple[str, ...],
    query: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List runs, newest first: of one pipeline, or of all of them."""
    list_entities(
        state.client,
        Kind.RUN,
        scope=pipeline,
        tag_filters=tag_filters,
        query=query,
        limit=limit,
        as_json=as_json,
    )


@run.command("show")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@pipeline_option
@json_option
@pass_state
def show_run(state: State, name_or_id: str, pipeline: str | None, as_json: bool) -> None:
    """Show a run: its tags with provenance, metadata and status."""
    show_entity(get_entity(state.client, Kind.RUN, name_or_id, pipeline), as_json)


@run.command("update")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@pipeline_option
@tag_changes
@json_option
@pass_state
def update_run(
    state: State,
    name_or_id: str,
    pipeline: str | None,
    add_tags: tuple[str, ...],
    remove_tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add (-t) or remove (-r) tags of a run. Give --pipeline when two pipelines have runs
    of that name.

    \b
    Example:
      tagbase run update training_pipeline-3 -t archived
    """
    entity = update_tags(state.client, Kind.RUN, name_or_id, pipeline, add_tags, remove_tags)
    show_entity(entity, as_json)
