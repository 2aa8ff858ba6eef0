"""The REST API under /api. Routers are included in this order because the entity routes end in
`{ref:path}` (names may hold slashes) and would otherwise swallow the more specific routes."""

from __future__ import annotations

from fastapi import APIRouter

from tagbase.server._api import _entities, _entity_tags, _runs, _session, _tags

router = APIRouter()
for _part in (_session, _tags, _runs, _entity_tags, _entities):
    router.include_router(_part.router)

__all__ = ["router"]
