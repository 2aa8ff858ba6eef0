"""The asset catalog, an asset's page and an asset version's page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from tagbase._kinds import Kind
from tagbase._records import AssignedTag, Entity
from tagbase._tags import KIND_TAG_PREFIX
from tagbase.server._pages import _facets, _lineage, _metadata_view, _plots
from tagbase.server._pages._context import client_of, definitions_of
from tagbase.server._pages._listing import listing_page, version_page
from tagbase.server._pages._render import page
from tagbase.server._pages._routing import page_router

router = page_router()
PAGE_SIZE = 25
VERSIONS = 20
PLOTS = 8


def kinds_of(entity: Entity) -> list[str]:
    return sorted(
        t.key.removeprefix(KIND_TAG_PREFIX)
        for t in entity.tags.assigned
        if t.key.startswith(KIND_TAG_PREFIX)
    )


def group_of(entity: Entity) -> str | None:
    return entity.tag_dict.get(_facets.GROUP_KEY)


def listed_tags(entity: Entity) -> list[AssignedTag]:
    """The tags a catalog row shows as chips: kinds and group have columns of their own."""
    return [
        t
        for t in entity.tags.assigned
        if not (t.key.startswith(KIND_TAG_PREFIX) or t.key == _facets.GROUP_KEY)
    ]


@router.get("/assets", response_class=HTMLResponse)
def catalog(request: Request, q: str = "", cursor: str | None = None) -> HTMLResponse:
    """Assets matching the query, newest first, with facet counts."""
    return listing_page(
        request,
        Kind.ASSET,
        "assets",
        q,
        cursor,
        size=PAGE_SIZE,
        facets=_facets.asset_facets,
        kinds_of=kinds_of,
        group_of=group_of,
        listed_tags=listed_tags,
    )


@router.get("/assets/{name:path}", response_class=HTMLResponse)
def asset_page(request: Request, name: str, cursor: str | None = None) -> HTMLResponse:
    client = client_of(request)
    asset = client.get(Kind.ASSET, name)
    versions = client.list(Kind.ASSET_VERSION, scope=asset.id, size=VERSIONS, cursor=cursor)
    return page(
        request,
        "asset.html",
        "assets",
        asset=asset,
        kinds=kinds_of(asset),
        group=group_of(asset),
        metadata=_metadata_view.show_all(asset.metadata),
        versions=versions,
        plots=_plots.children_plots(client, asset, versions.items, PLOTS),
        lineage=_lineage.lineage_of(asset, definitions_of(request)),
        first_page=cursor is None,
    )


@router.get("/asset-versions/{version_id}", response_class=HTMLResponse)
def asset_version_page(request: Request, version_id: str) -> HTMLResponse:
    return version_page(request, Kind.ASSET_VERSION, version_id, "assets")
