"""The tag registry: tags with colour, description and behaviours, their usage, history and
who held them at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tagbase._json import DeletedTagOut, RefOut, TagDefinitionOut, TagEventOut
from tagbase.server._api._deps import ClientDep, ScopeQuery
from tagbase.server._schemas import (
    KindPath,
    TagCreate,
    TagUpdate,
)
from tagbase.server._security import require_admin

router = APIRouter(prefix="/tags", tags=["tag registry"])


@router.get("", response_model=list[TagDefinitionOut])
def list_tags(
    client: ClientDep,
    registered_only: bool = False,
    key: Annotated[str | None, Query(description="only tags of this key")] = None,
) -> list[TagDefinitionOut]:
    """Tags in use or registered, with their usage counts per kind."""
    found = client.list_tags(registered_only=registered_only, key=key)
    return [TagDefinitionOut.of(definition) for definition in found]


@router.post(
    "", response_model=TagDefinitionOut, status_code=201, dependencies=[Depends(require_admin)]
)
def create_tag(body: TagCreate, client: ClientDep) -> TagDefinitionOut:
    """Register a new tag (`key` or `key=value`); a registered one is refused (409):
    PATCH /api/tags/{name} changes it."""
    created = client.create_tag(body.name, body.settings())
    return TagDefinitionOut.of(created)


@router.get("/{name:path}/history", response_model=list[TagEventOut])
def tag_history(
    name: str,
    client: ClientDep,
    kind: KindPath | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[TagEventOut]:
    """Every add, removal and move of the tag, newest first."""
    events = client.tag_history(kind.kind if kind else None, tag=name, limit=limit)
    return [TagEventOut.of(event) for event in events]


@router.get("/{name:path}/holders", response_model=list[RefOut])
def tag_holders(
    name: str,
    client: ClientDep,
    at: Annotated[datetime, Query(description="ISO time; naive times are UTC")],
    kind: KindPath | None = None,
    scope: ScopeQuery = None,
) -> list[RefOut]:
    """Which entities held the tag at time `at`."""
    holders = client.tag_holders(name, at, kind.kind if kind else None, scope)
    return [RefOut.of(ref) for ref in holders]


@router.get("/{name:path}", response_model=TagDefinitionOut)
def get_tag(name: str, client: ClientDep) -> TagDefinitionOut:
    return TagDefinitionOut.of(client.get_tag(name))


@router.patch(
    "/{name:path}", response_model=TagDefinitionOut, dependencies=[Depends(require_admin)]
)
def update_tag(name: str, body: TagUpdate, client: ClientDep) -> TagDefinitionOut:
    updated = client.update_tag(name, body.settings())
    return TagDefinitionOut.of(updated)


@router.delete("/{name:path}", response_model=DeletedTagOut, dependencies=[Depends(require_admin)])
def delete_tag(name: str, client: ClientDep) -> DeletedTagOut:
    """Unregister the tag and take it off every entity."""
    return DeletedTagOut(name=name, removed_from=client.delete_tag(name))
