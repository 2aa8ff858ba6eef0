"""What the list pages share: a page of one kind matching the query box, and a version's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tagbase._client import Client
from tagbase._errors import QueryError
from tagbase._kinds import Kind
from tagbase._records import Entity, Page
from tagbase.server import _data
from tagbase.server._data import Filters
from tagbase.server._pages import _metadata_view
from tagbase.server._pages._context import client_of
from tagbase.server._pages._render import page

Facets = Callable[[Client, str, Page[Entity]], Any]
VERSION_HISTORY = 50


def listing_page(
    request: Request,
    kind: Kind,
    section: str,
    q: str,
    cursor: str | None,
    *,
    size: int,
    facets: Facets | None = None,
    **context: Any,
) -> HTMLResponse:
    """`{section}.html` with a page of `kind` matching query `q`, newest first (and its facet
    panel, given `facets`); a bad query is shown with a caret under the column it names."""
    client = client_of(request)
    try:
        found = _data.list_entities(client, kind, Filters(q), size=size, cursor=cursor)
        if facets is not None:
            context["facets"] = facets(client, q, found)
    except QueryError as error:
        return page(request, f"{section}.html", section, 400, q=q, error=error, found=None)
    return page(
        request,
        f"{section}.html",
        section,
        q=q,
        error=None,
        found=found,
        first_page=cursor is None,
        **context,
    )


def version_page(request: Request, kind: Kind, version_id: str, section: str) -> HTMLResponse:
    """An asset or model version: its tags, metadata, the run that made it, its tag history."""
    client = client_of(request)
    version = client.get(kind, version_id)
    return page(
        request,
        "version.html",
        section,
        version=version,
        metadata=_metadata_view.show_all(version.metadata),
        history=client.tag_history(kind, version.id, limit=VERSION_HISTORY),
    )
