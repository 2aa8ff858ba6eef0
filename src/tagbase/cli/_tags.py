"""`tagbase tag`: the tag registry, tag history and "who held this tag at time T"."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click

from tagbase._bulk import chosen
from tagbase._errors import InvalidInputError
from tagbase._json import DeletedTagOut, RefOut, RetagOut, TagDefinitionOut, TagEventOut
from tagbase._kinds import Kind
from tagbase._records import Retagging, TagDefinition
from tagbase._tag_settings import TagSettings
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import KIND, TIME, json_option, tag_settings
from tagbase.cli._render import (
    emit_json,
    entities,
    noun,
    plural,
    print_holders,
    print_retagging,
    print_tag_definitions,
    print_tag_events,
)

KIND_HELP = "model, model_version, artifact, artifact_version, pipeline, run, run_template"


def _show_definition(definition: TagDefinition, title: str, as_json: bool) -> None:
    if as_json:
        emit_json(TagDefinitionOut.of(definition))
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
def register_tag(state: State, name: str, settings: TagSettings, as_json: bool) -> None:
    """Register tag NAME ('key' or 'key=value') so its behaviours stay with it wherever it is
    later used as a plain string. A registered tag is refused: `tagbase tag update` changes it.

    \b
    Example:
      tagbase tag register champion --exclusive --color blue --description "Best model"
    """
    definition = state.client.create_tag(name, settings)
    _show_definition(definition, "Registered tag", as_json)


@tag.command("update")
@click.argument("name")
@tag_settings
@json_option
@pass_state
def update_tag(state: State, name: str, settings: TagSettings, as_json: bool) -> None:
    """Change the settings of tag NAME; settings not given stay as they are."""
    if not settings.given:
        raise click.UsageError(
            "nothing to change: give --exclusive/--no-exclusive, --cascade/--no-cascade, "
            "--color, --description or --multi-valued/--single-valued"
        )
    definition = state.client.update_tag(name, settings)
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
        emit_json(DeletedTagOut(name=name, removed_from=removed))
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
        emit_json([TagDefinitionOut.of(definition) for definition in definitions])
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
        emit_json([TagEventOut.of(event) for event in events])
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
        emit_json([RefOut.of(ref) for ref in holders])
    else:
        print_holders(holders, tag_name, at)


def _retag_options(function: Callable[..., None]) -> Callable[..., None]:
    for decorator in reversed(
        (
            click.option(
                "--filter",
                "query",
                default="",
                metavar="QUERY",
                help="The entities to change, e.g. 'tag:env=prod and not tag:archived'.",
            ),
            click.option(
                "--all",
                "everything",
                is_flag=True,
                help="Change every entity of the kind (an empty --filter is refused without).",
            ),
            click.option(
                "--kind",
                type=KIND,
                default="run",
                show_default=True,
                help=f"Which entities: {KIND_HELP}.",
            ),
            click.option("--dry-run", is_flag=True, help="Only show what would change."),
            click.option("-y", "--yes", is_flag=True, help="Change without asking first."),
            json_option,
            pass_state,
        )
    ):
        function = decorator(function)
    return function


@dataclass(frozen=True)
class _Bulk:
    """How a bulk tag command was called: which entities, and how carefully."""

    kind: Kind
    query: str
    everything: bool
    dry_run: bool
    yes: bool
    as_json: bool


def _interactive() -> bool:
    return sys.stdin.isatty()


def _retag(
    state: State,
    bulk: _Bulk,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    holding: str = "",
) -> None:
    """Show what would change and ask (unless --yes or --dry-run), then change it."""
    query, _ = chosen(bulk.kind, bulk.query, None, everything=bulk.everything)
    if holding:  # replace: only the entities that hold the old tag
        query = f"({query}) and {holding}" if query else holding

    def call(dry_run: bool) -> Retagging:
        return state.client.retag(
            bulk.kind,
            query=query,
            add=list(add) or None,
            remove=list(remove) or None,
            dry_run=dry_run,
            all=bulk.everything,
        )

    if not (bulk.dry_run or bulk.yes):
        preview = call(True)
        if preview.changed:
            _confirm(preview, noun(bulk.kind))
    result = call(bulk.dry_run)
    if bulk.as_json:
        emit_json(RetagOut.of(result))
    else:
        print_retagging(result, noun(bulk.kind))


def _confirm(preview: Retagging, what: str) -> None:
    question = f"Change the tags of {plural(preview.changed, what)} ({preview.matched} matched)?"
    if not _interactive():
        raise InvalidInputError(
            f"{question[:-1]} needs a confirmation, and the input is not a terminal. "
            "Fix: pass --yes to change them without asking, or --dry-run to only see them"
        )
    print_retagging(preview, what, err=True)
    click.confirm(question, abort=True, err=True)


@tag.command("add")
@click.argument("tags", nargs=-1, required=True)
@_retag_options
def add_by_query(state: State, tags: tuple[str, ...], **options: Any) -> None:
    """Add TAGS to every entity matching --filter, in one transaction. Shows how many would
    change and asks first, unless --yes.

    \b
    Example:
      tagbase tag add --filter 'tag:experiment=exp-42' reviewed --dry-run
    """
    _retag(state, _Bulk(**options), add=tags)


@tag.command("remove")
@click.argument("tags", nargs=-1, required=True)
@_retag_options
def remove_by_query(state: State, tags: tuple[str, ...], **options: Any) -> None:
    """Remove TAGS from every entity matching --filter that holds them (asks first, unless
    --yes)."""
    _retag(state, _Bulk(**options), remove=tags)


@tag.command("replace")
@click.argument("old")
@click.argument("new")
@_retag_options
def replace_by_query(state: State, old: str, new: str, **options: Any) -> None:
    """Replace tag OLD by NEW on every entity matching --filter that holds OLD (asks first,
    unless --yes)."""
    _retag(state, _Bulk(**options), add=(new,), remove=(old,), holding=_holds(old))


def _holds(name: str) -> str:
    """The query term for holding tag `name` (string form), quoted to stay literal."""
    key, _, value = name.partition("=")
    quoted_key = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    quoted_value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"tag:{quoted_key}={quoted_value}"
