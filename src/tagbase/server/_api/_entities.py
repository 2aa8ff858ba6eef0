"""Every entity kind: list, count, facets, create, bulk retag, get, update and delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tagbase._json import EntityOut, EntityPage, RetagOut
from tagbase.server import _data
from tagbase.server._api._deps import (
    ClientDep,
    CursorQuery,
    FiltersDep,
    PageQuery,
    ScopeQuery,
    SizeQuery,
)
from tagbase.server._schemas import (
    CountOut,
    EntityCreate,
    EntityUpdate,
    FacetsOut,
    KindPath,
    Retag,
)

router = APIRouter(tags=["entities"])


@router.get("/{kind}", response_model=EntityPage)
def list_entities(
    kind: KindPath,
    client: ClientDep,
    filters: FiltersDep,
    size: SizeQuery = 50,
    page: PageQuery = None,
    cursor: CursorQuery = None,
    total: Annotated[
        bool, Query(description="count all matches (false: `total` is null, and faster)")
    ] = True,
) -> EntityPage:
    """Entities of a kind, newest first, filtered by a query, tag operator strings and name."""
    found = _data.list_entities(
        client, kind.kind, filters, size=size, page=page, cursor=cursor, with_total=total
    )
    return EntityPage.of(found)


@router.get("/{kind}/count", response_model=CountOut)
def count_entities(kind: KindPath, client: ClientDep, filters: FiltersDep) -> CountOut:
    return CountOut(count=_data.count_entities(client, kind.kind, filters))


@router.get("/{kind}/facets", response_model=FacetsOut)
def facets(
    kind: KindPath,
    client: ClientDep,
    filters: FiltersDep,
    key: Annotated[str, Query(description="the tag key whose values are counted")],
) -> FacetsOut:
    """How many entities (within the filters) hold each value of a tag key."""
    return FacetsOut.of(key, _data.facet_values(client, kind.kind, key, filters))


@router.post("/{kind}", response_model=EntityOut, status_code=201)
def create_entity(kind: KindPath, body: EntityCreate, client: ClientDep) -> EntityOut:
    created = client.create(
        kind.kind,
        body.name,
        scope=body.scope,
        tags=body.tags,
        metadata=body.metadata,
        owners=body.owners,
        description=body.description,
        status=body.status,
    )
    return EntityOut.of(created)


@router.post("/{kind}/retag", response_model=RetagOut)
def retag(kind: KindPath, body: Retag, client: ClientDep) -> RetagOut:
    """Add and remove tags on every entity a query matches, in one transaction; an empty
    query needs `all: true`. `dry_run`: do exactly that, roll it back, and report."""
    result = client.retag(
        kind.kind,
        query=body.query or None,
        tags=body.tags or None,
        scope=body.scope,
        add=body.add,
        remove=body.remove,
        dry_run=body.dry_run,
        all=body.all,
    )
    return RetagOut.of(result)


@router.get("/{kind}/{ref:path}", response_model=EntityOut)
def get_entity(kind: KindPath, ref: str, client: ClientDep, scope: ScopeQuery = None) -> EntityOut:
    """By id, or by name (with `scope` for a version, run or template by name or number)."""
    return EntityOut.of(client.get(kind.kind, ref, scope))


@router.patch("/{kind}/{ref:path}", response_model=EntityOut)
def update_entity(
    kind: KindPath, ref: str, body: EntityUpdate, client: ClientDep, scope: ScopeQuery = None
) -> EntityOut:
    updated = client.update(
        kind.kind,
        ref,
        scope,
        add_tags=body.add_tags,
        remove_tags=body.remove_tags,
        name=body.name,
        description=body.description,
        status=body.status,
        metadata=body.metadata,
        owners=body.owners,
    )
    return EntityOut.of(updated)


@router.delete("/{kind}/{ref:path}", status_code=204)
def delete_entity(
    kind: KindPath,
    ref: str,
    client: ClientDep,
    scope: ScopeQuery = None,
    recursive: Annotated[bool, Query(description="also delete its versions/runs")] = False,
) -> Response:
    client.delete(kind.kind, ref, scope, recursive=recursive)
    return Response(status_code=204)
