"""What the list, show and update commands of every entity kind do, written once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from tagbase._client import Client
from tagbase._errors import NotFoundError
from tagbase._json import EntityOut
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import (
    json_option,
    limit_option,
    query_option,
    tag_changes,
    tag_filter_option,
)
from tagbase.cli._render import a, emit_json, noun, print_entities, print_entity
from tagbase.store import Ref

T = TypeVar("T")


def list_entities(
    client: Client,
    kind: Kind,
    *,
    scope: Ref | None = None,
    tag_filters: Sequence[str] = (),
    query: str | None = None,
    limit: int = 50,
    as_json: bool = False,
) -> None:
    tags = list(tag_filters) or None
    page = client.list(kind, scope=scope, tags=tags, query=query, size=limit)
    if as_json:
        emit_json([EntityOut.of(entity) for entity in page])
    else:
        print_entities(page, kind, listing_title(kind, scope))


def listing_title(kind: Kind, scope: Ref | None) -> str:
    if scope is not None and kind.scope is not None:
        what = "Versions" if kind.is_version else f"{noun(kind).capitalize()}s"
        return f"{what} of {noun(kind.scope)} {scope}"
    return f"{noun(kind).capitalize()}s"


def show_entity(entity: Entity, as_json: bool) -> None:
    if as_json:
        emit_json(EntityOut.of(entity))
    else:
        print_entity(entity)


def on_entity(kind: Kind, ref: str, action: Callable[[Ref], T]) -> T:
    """Apply `action` to `ref`. A version that no name matches is tried as a version number,
    so `iris_data 3` finds the third version even when it is named `2023-06-15`."""
    try:
        return action(ref)
    except NotFoundError:
        if not (kind.is_version and ref.isdigit()):
            raise
    return action(int(ref))


def get_entity(client: Client, kind: Kind, ref: str, scope: Ref | None = None) -> Entity:
    return on_entity(kind, ref, lambda found: client.get(kind, found, scope))


def update_tags(
    client: Client,
    kind: Kind,
    ref: str,
    scope: Ref | None,
    add_tags: Sequence[str],
    remove_tags: Sequence[str],
) -> Entity:
    """Remove, then add tags, in one transaction; nothing changes if any tag is invalid."""
    if not add_tags and not remove_tags:
        raise click.UsageError("nothing to change: give -t/--tag TAG or -r/--remove-tag TAG")
    return on_entity(
        kind,
        ref,
        lambda found: client.update(
            kind,
            found,
            scope,
            add_tags=list(add_tags) or None,
            remove_tags=list(remove_tags) or None,
        ),
    )


def add_entity_commands(group: click.Group, kind: Kind, update_example: str) -> None:
    """The `list`, `show` and `update` commands of an unscoped kind, added to `group`."""
    name = noun(kind)

    @group.command("list", help=f"List {name}s, newest first.")
    @tag_filter_option
    @query_option
    @limit_option
    @json_option
    @pass_state
    def list_command(
        state: State, tag_filters: tuple[str, ...], query: str | None, limit: int, as_json: bool
    ) -> None:
        list_entities(
            state.client,
            kind,
            tag_filters=tag_filters,
            query=query,
            limit=limit,
            as_json=as_json,
        )

    @group.command("show", help=f"Show {a(name)}: its tags with provenance, metadata and owners.")
    @click.argument("name_or_id", metavar="NAME_OR_ID")
    @json_option
    @pass_state
    def show_command(state: State, name_or_id: str, as_json: bool) -> None:
        show_entity(get_entity(state.client, kind, name_or_id), as_json)

    @group.command("update", help=update_help(name, update_example))
    @click.argument("name_or_id", metavar="NAME_OR_ID")
    @tag_changes
    @json_option
    @pass_state
    def update_command(
        state: State,
        name_or_id: str,
        add_tags: tuple[str, ...],
        remove_tags: tuple[str, ...],
        as_json: bool,
    ) -> None:
        entity = update_tags(state.client, kind, name_or_id, None, add_tags, remove_tags)
        show_entity(entity, as_json)


def update_help(what: str, example: str) -> str:
    return (
        f"Add (-t) or remove (-r) tags of {a(what)}. A registered exclusive tag moves here "
        f"from the entity that held it.\n\n\b\nExample:\n  {example}"
    )
