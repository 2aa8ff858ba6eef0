"""`tagbase tag`: the tag registry, tag history and "who held this tag at time T"."""

from __future__ import annotations

from datetime import datetime

import click

from tagbase._kinds import Kind
from tagbase._records import TagDefinition
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import KIND, TIME, json_option, tag_settings
from tagbase.cli._render import (
    emit_json,
    entities,
    print_holders,
    print_tag_definitions,
    print_tag_events,
    ref_to_json,
    tag_definition_to_json,
    tag_event_to_json,
)

KIND_HELP = "model, model_version, artifact, artifact_version, pipeline, run, run_template"


def _show_definition(definition: TagDefinition, title: str, as_json: bool) -> None:
    if as_json:
        emit_json(tag_definition_to_json(definition))
    else:
        print_tag_definitions([definition], title)


@click.group("tag")
def tag() -> None:
    """Tags: register them with behaviours, list them, and read their history."""


@tag.command("register")
@click.argument("name")
@tag_settings
@json_option
@pass_state
def register_tag(
    state: State,
    name: str,
    exclusive: bool | None,
    cascade: bool | None,
    color: str | None,
    description: str | None,
    multi_valued: bool | None,
    as_json: bool,
) -> None:
    """Register tag NAME ('key' or 'key=value') so its behaviours stay with it wherever it is
    later used as a plain string. Registering it again changes only the settings given.

    \b
    Example:
      tagbase tag register champion --exclusive --color blue --description "Best model"
    """
    definition = state.client.create_tag(name, exclusive, cascade, color, description, multi_valued)
    _show_definition(definition, "Registered tag", as_json)


@tag.command("update")
@click.argument("name")
@tag_settings
@json_option
@pass_state
def update_tag(
    state: State,
    name: str,
    exclusive: bool | None,
    cascade: bool | None,
    color: str | None,
    description: str | None,
    multi_valued: bool | None,
    as_json: bool,
) -> None:
    """Change the settings of tag NAME; settings not given stay as they are."""
    if (exclusive, cascade, color, description, multi_valued) == (None,) * 5:
        raise click.UsageError(
            "nothing to change: give --exclusive/--no-exclusive, --cascade/--no-cascade, "
            "--color, --description or --multi-valued/--single-valued"
        )
    definition = state.client.update_tag(name, exclusive, cascade, color, description, multi_valued)
    _show_definition(definition, "Updated tag", as_json)


@tag.command("delete")
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_state
def delete_tag(state: State, name: str, yes: bool, as_json: bool) -> None:
    """Unregister tag NAME and take it off every entity (the removals stay in its history)."""
    client = state.client
    holders = client.get_tag(name).usage_count
    if not yes:
        click.confirm(f"Delete tag {name!r} and remove it from {entities(holders)}?", abort=True)
    removed = client.delete_tag(name)
    if as_json:
        emit_json({"tag": name, "removed_from": removed})
    else:
        click.echo(f"Deleted tag {name!r}; removed it from {entities(removed)}.")


@tag.command("list")
@click.option("--registered", is_flag=True, help="Only registered tags, not every tag in use.")
@click.option("--key", metavar="KEY", help="Only tags with this key (all its values).")
@json_option
@pass_state
def list_tags(state: State, registered: bool, key: str | None, as_json: bool) -> None:
    """List tags in use and registered tags, with their behaviours and usage counts."""
    definitions = state.client.list_tags(registered_only=registered, key=key)
    if as_json:
        emit_json([tag_definition_to_json(definition) for definition in definitions])
    else:
        print_tag_definitions(definitions, "Registered tags" if registered else "Tags")


@tag.command("history")
@click.option("--tag", "tag_name", metavar="TAG", help="Only events of this tag.")
@click.option("--kind", type=KIND, help=f"Only entities of this kind: {KIND_HELP}.")
@click.option("--entity", metavar="NAME_OR_ID", help="Only this entity; needs --kind.")
@click.option("--scope", metavar="NAME_OR_ID", help="The entity's parent (model, artifact...).")
@click.option(
    "--limit",
    metavar="N",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="Show at most this many events.",
)
@json_option
@pass_state
def tag_history(
    state: State,
    tag_name: str | None,
    kind: Kind | None,
    entity: str | None,
    scope: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Tag adds, removals and exclusive moves, newest first.

    \b
    Examples:
      tagbase tag history --tag champion
      tagbase tag history --kind model_version --entity 2.0.0 --scope iris_classifier
    """
    if entity is not None and kind is None:
        raise click.UsageError("--entity needs --kind, e.g. --kind model_version")
    if scope is not None and entity is None:
        raise click.UsageError("--scope names the parent of --entity; give --entity too")
    events = state.client.tag_history(kind, entity, scope, tag=tag_name, limit=limit)
    if as_json:
        emit_json([tag_event_to_json(event) for event in events])
    else:
        print_tag_events(events)


@tag.command("holders")
@click.argument("tag_name", metavar="TAG")
@click.option("--at", "at", type=TIME, required=True, help="ISO 8601 time; UTC unless zoned.")
@click.option("--kind", type=KIND, help=f"Only entities of this kind: {KIND_HELP}.")
@click.option("--scope", metavar="NAME_OR_ID", help="Only within this parent; needs --kind.")
@json_option
@pass_state
def tag_holders(
    state: State,
    tag_name: str,
    at: datetime,
    kind: Kind | None,
    scope: str | None,
    as_json: bool,
) -> None:
    """Which entities held TAG at a time: for an exclusive tag and a scope, at most one.

    \b
    Example:
      tagbase tag holders champion --at 2024-05-01T12:00:00Z --kind model_version \\
        --scope iris_classifier
    """
    if scope is not None and kind is None:
        raise click.UsageError("--scope needs --kind, e.g. --kind model_version")
    holders = state.client.tag_holders(tag_name, at, kind=kind, scope=scope)
    if as_json:
        emit_json([ref_to_json(ref) for ref in holders])
    else:
        print_holders(holders, tag_name, at)
