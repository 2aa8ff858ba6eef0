"""What the list, show and update commands of every entity kind do, written once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from tagbase._client import Client
from tagbase._errors import NotFoundError
from tagbase._json import entity_json
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.cli._render import emit_json, noun, print_entities, print_entity
from tagbase.store._store import Ref

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
        emit_json([entity_json(entity) for entity in page])
    else:
        print_entities(page, kind, listing_title(kind, scope))


def listing_title(kind: Kind, scope: Ref | None) -> str:
    if scope is not None and kind.scope is not None:
        what = "Versions" if kind.is_version else f"{noun(kind).capitalize()}s"
        return f"{what} of {noun(kind.scope)} {scope}"
    return f"{noun(kind).capitalize()}s"


def show_entity(entity: Entity, as_json: bool) -> None:
    if as_json:
        emit_json(entity_json(entity))
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
