"""What API handlers take from the app and the query string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from tagbase._client import Client
from tagbase._limits import MAX_PAGE_NUMBER
from tagbase.server._data import MAX_PAGE_SIZE, Filters
from tagbase.server._launcher import Launcher


def client_of(request: Request) -> Client:
    client: Client = request.app.state.client
    return client


def launcher_of(request: Request) -> Launcher:
    launcher: Launcher = request.app.state.launcher
    return launcher


def filters(
    query: Annotated[
        str | None,
        Query(description="a selection, e.g. `tag:env=prod and not tag:deprecated`"),
    ] = None,
    tags: Annotated[
        list[str] | None,
        Query(description="operator strings, ANDed: `equals:env=prod`, `startswith:exp`"),
    ] = None,
    name: Annotated[str | None, Query(description="a name filter, e.g. `orders*`")] = None,
    scope: Annotated[str | None, Query(description="the parent's name or id")] = None,
) -> Filters:
    return Filters(query=query, tags=tags, name=name, scope=scope)


ClientDep = Annotated[Client, Depends(client_of)]
LauncherDep = Annotated[Launcher, Depends(launcher_of)]
FiltersDep = Annotated[Filters, Depends(filters)]
ScopeQuery = Annotated[
    str | None, Query(description="the parent's name or id, to name a scoped entity by name")
]
SizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
PageQuery = Annotated[
    int | None,
    Query(ge=1, description=f"1-based, at most {MAX_PAGE_NUMBER:,}; `cursor` is faster"),
]
CursorQuery = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
