"""The REST API under /api. Routers are included in this order because the entity routes end in
`{ref:path}` (names may hold slashes) and would otherwise swallow the more specific routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tagbase.server._api import (
    _docs,
    _entities,
    _entity_tags,
    _events,
    _identities,
    _policies,
    _runs,
    _session,
    _tags,
)
from tagbase.server._schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "invalid input: tags, metadata, owners, a query (with its position)"),
        (401, "no token, or an unknown, revoked or expired one"),
        (
            403,
            "a role below the route's (a viewer writing, an editor managing users), "
            "or a cross-site write",
        ),
        (404, "no entity, tag or job of that name or id"),
        (409, "a conflict with the catalog, e.g. a name taken"),
        (413, "a request body over the limit (16 MiB), refused before it is read"),
        (422, "request fields of the wrong type"),
    )
}
router = APIRouter(responses=ERRORS)
_PARTS = (_docs, _session, _identities, _policies, _events, _tags, _runs, _entity_tags, _entities)
for _part in _PARTS:
    router.include_router(_part.router)

__all__ = ["router"]
