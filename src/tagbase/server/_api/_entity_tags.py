"""One entity's tags and metadata: add and remove tags, tag history, metadata history,
logging metadata, and a numeric key's time series.

These routes come before the entity routes, whose `{ref:path}` would swallow their suffixes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tagbase._json import EntityOut, MetadataEntryOut, PointOut, TagEventOut
from tagbase.server._api._deps import ClientDep, ScopeQuery
from tagbase.server._schemas import (
    KindPath,
    MetadataLog,
    TagsAdd,
)

router = APIRouter(tags=["tags and metadata of an entity"])
HistoryLimit = Annotated[int, Query(ge=1, le=10_000)]


@router.post("/{kind}/{ref:path}/tags", response_model=EntityOut)
def add_tags(
    kind: KindPath, ref: str, body: TagsAdd, client: ClientDep, scope: ScopeQuery = None
) -> EntityOut:
    """Add tags (an exclusive tag moves here from its holder in the scope)."""
    return EntityOut.of(client.add_tags(kind.kind, ref, body.tags, scope))


@router.delete("/{kind}/{ref:path}/tags", response_model=EntityOut)
def remove_tags(
    kind: KindPath,
    ref: str,
    client: ClientDep,
    tag: Annotated[list[str], Query(description="a tag to remove (`key` or `key=value`)")],
    scope: ScopeQuery = None,
) -> EntityOut:
    return EntityOut.of(client.remove_tags(kind.kind, ref, tag, scope))


@router.get("/{kind}/{ref:path}/tag_history", response_model=list[TagEventOut])
def tag_history(
    kind: KindPath,
    ref: str,
    client: ClientDep,
    scope: ScopeQuery = None,
    tag: Annotated[str | None, Query(description="only this tag")] = None,
    limit: HistoryLimit = 1000,
) -> list[TagEventOut]:
    """Adds, removals and exclusive moves on this entity, newest first."""
    events = client.tag_history(kind.kind, ref, scope, tag=tag, limit=limit)
    return [TagEventOut.of(event) for event in events]


@router.get("/{kind}/{ref:path}/metadata", response_model=list[MetadataEntryOut])
def metadata_history(
    kind: KindPath,
    ref: str,
    client: ClientDep,
    scope: ScopeQuery = None,
    key: Annotated[str | None, Query(description="only this key")] = None,
) -> list[MetadataEntryOut]:
    """Every value logged on this entity, as history."""
    entries = client.metadata_history(kind.kind, ref, scope, key=key)
    return [MetadataEntryOut.of(entry) for entry in entries]


@router.post("/{kind}/{ref:path}/metadata", response_model=EntityOut)
def log_metadata(
    kind: KindPath, ref: str, body: MetadataLog, client: ClientDep, scope: ScopeQuery = None
) -> EntityOut:
    """Log metadata values (plain JSON values: text, numbers, booleans, JSON)."""
    return EntityOut.of(client.log_metadata(kind.kind, ref, body.metadata, scope))


@router.get("/{kind}/{ref:path}/series", response_model=list[PointOut])
def metadata_series(
    kind: KindPath,
    ref: str,
    client: ClientDep,
    key: Annotated[str, Query(description="a numeric metadata key")],
    scope: ScopeQuery = None,
) -> list[PointOut]:
    """The numbers logged under `key` on the entity and its children, oldest first."""
    points = client.metadata_series(kind.kind, ref, key, scope)
    return [PointOut.of(point) for point in points]
