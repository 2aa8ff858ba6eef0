"""The tag registry: tags with colour, description and behaviours, their usage, history and
who held them at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tagbase import _json
from tagbase.server._api._deps import ClientDep, ScopeQuery
from tagbase.server._schemas import (
    DeletedTagOut,
    KindPath,
    RefOut,
    TagCreate,
    TagDefinitionOut,
    TagEventOut,
    TagUpdate,
)

router = APIRouter(prefix="/tags", tags=["tag registry"])


@router.get("", response_model=list[TagDefinitionOut])
def list_tags(
    client: ClientDep,
    registered_only: bool = False,
    key: Annotated[str | None, Query(description="only tags of this key")] = None,
) -> list[dict[str, Any]]:
    """Tags in use or registered, with their usage counts per kind."""
    found = client.list_tags(registered_only=registered_only, key=key)
    return [_json.tag_definition_json(definition) for definition in found]


@router.post("", response_model=TagDefinitionOut, status_code=201)
def create_tag(body: TagCreate, client: ClientDep) -> dict[str, Any]:
    """Register a new tag (`key` or `key=value`); a registered one is refused (409):
    PATCH /api/tags/{name} changes it."""
    created = client.create_tag(
        body.name,
        exclusive=body.exclusive,
        cascade=body.cascade,
        color=body.color,
        description=body.description,
        multi_valued=body.multi_valued,
    )
    return _json.tag_definition_json(created)


@router.get("/{name:path}/history", response_model=list[TagEventOut])
def tag_history(
    name: str,
    client: ClientDep,
    kind: KindPath | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    """Every add, removal and move of the tag, newest first."""
    events = client.tag_history(kind.kind if kind else None, tag=name, limit=limit)
    return [_json.tag_event_json(event) for event in events]


@router.get("/{name:path}/holders", response_model=list[RefOut])
def tag_holders(
    name: str,
    client: ClientDep,
    at: Annotated[datetime, Query(description="ISO time; naive times are UTC")],
    kind: KindPath | None = None,
    scope: ScopeQuery = None,
) -> list[dict[str, Any]]:
    """Which entities held the tag at time `at`."""
    holders = client.tag_holders(name, at, kind.kind if kind else None, scope)
    return [_json.ref_json(ref) for ref in holders]


@router.get("/{name:path}", response_model=TagDefinitionOut)
def get_tag(name: str, client: ClientDep) -> dict[str, Any]:
    return _json.tag_definition_json(client.get_tag(name))


@router.patch("/{name:path}", response_model=TagDefinitionOut)
def update_tag(name: str, body: TagUpdate, client: ClientDep) -> dict[str, Any]:
    updated = client.update_tag(
        name,
        exclusive=body.exclusive,
        cascade=body.cascade,
        color=body.color,
        description=body.description,
        multi_valued=body.multi_valued,
    )
    return _json.tag_definition_json(updated)


@router.delete("/{name:path}", response_model=DeletedTagOut)
def delete_tag(name: str, client: ClientDep) -> dict[str, Any]:
    """Unregister the tag and take it off every entity."""
    return _json.deleted_tag_json(name, client.delete_tag(name))
