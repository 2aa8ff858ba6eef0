"""Adding and removing tags on runs, assets, versions and models from the pages' forms,
through the Client calls the API makes (source `user`, the configured user as actor)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse

from tagbase._errors import TagbaseError
from tagbase._kinds import Kind
from tagbase.server._pages._context import client_of
from tagbase.server._pages._render import redirect, safe_next
from tagbase.server._pages._routing import page_router
from tagbase.server._security import verify_csrf

router = page_router()


@router.post("/entity-tags/{kind}/{entity_id}", dependencies=[Depends(verify_csrf)])
def change_tags(
    request: Request,
    kind: str,
    entity_id: str,
    action: Annotated[str, Form()],
    tag: Annotated[str, Form()],
    next_page: Annotated[str | None, Form(alias="next")] = None,
) -> RedirectResponse:
    """`action=add` or `action=remove` one tag (`key` or `key=value`), then back to the page."""
    back = safe_next(next_page, "/")
    tag = tag.strip()
    if action not in ("add", "remove") or not tag:
        return redirect(back, "Give a tag as key or key=value.", error=True)
    client = client_of(request)
    try:
        if action == "add":
            client.add_tags(Kind.parse(kind), entity_id, [tag])
        else:
            client.remove_tags(Kind.parse(kind), entity_id, [tag])
    except TagbaseError as error:
        return redirect(back, str(error), error=True)
    return redirect(back, f"{'Added' if action == 'add' else 'Removed'} tag {tag}.")
