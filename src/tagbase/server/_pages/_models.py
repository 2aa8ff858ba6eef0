"""Models, a model's page with its versions and which version holds each exclusive tag,
and a model version's page."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from fastapi.responses import HTMLResponse

from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.server._pages import _chips, _metadata_view, _plots
from tagbase.server._pages._context import client_of
from tagbase.server._pages._listing import listing_page, version_page
from tagbase.server._pages._render import page, registry
from tagbase.server._pages._routing import page_router

router = page_router()
PAGE_SIZE = 50
VERSIONS = 50
PLOTS = 6


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, q: str = "", cursor: str | None = None) -> HTMLResponse:
    return listing_page(request, Kind.MODEL, "models", q, cursor, size=PAGE_SIZE)


def exclusive_holders(
    versions: Sequence[Entity], known: _chips.Registry
) -> list[tuple[_chips.Chip, Entity]]:
    """Each exclusive tag held among the versions, with the version holding it."""
    held = [
        (chip, version)
        for version in versions
        for chip in _chips.chips(version.tags, known)
        if chip.exclusive
    ]
    return sorted(held, key=lambda pair: pair[0].name)


@router.get("/models/{name:path}", response_class=HTMLResponse)
def model_page(request: Request, name: str) -> HTMLResponse:
    client = client_of(request)
    model = client.get(Kind.MODEL, name)
    versions = client.list(Kind.MODEL_VERSION, scope=model.id, size=VERSIONS)
    return page(
        request,
        "model.html",
        "models",
        model=model,
        metadata=_metadata_view.show_all(model.metadata),
        versions=versions,
        holders=exclusive_holders(versions.items, registry(request)),
        plots=_plots.children_plots(client, model, versions.items, PLOTS),
    )


@router.get("/model-versions/{version_id}", response_class=HTMLResponse)
def model_version_page(request: Request, version_id: str) -> HTMLResponse:
    return version_page(request, Kind.MODEL_VERSION, version_id, "models")
