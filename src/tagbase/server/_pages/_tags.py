"""Tags admin: every registered or used tag with its colour, description, behaviours and
usage; a tag's page with who holds it and its history of adds, removals and moves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tagbase._errors import TagbaseError
from tagbase._kinds import Kind
from tagbase._records import Entity, TagDefinition
from tagbase._tag_settings import TagSettings
from tagbase._tags import NAMED_COLORS
from tagbase.server._pages import _links
from tagbase.server._pages._context import client_of
from tagbase.server._pages._render import page, redirect
from tagbase.server._pages._routing import page_router
from tagbase.server._security import require_admin, verify_csrf

router = page_router()
LISTED = 500
HOLDERS = 20
HISTORY = 200


@router.get("/tags", response_class=HTMLResponse)
def tags(request: Request, q: str = "", used: bool = False) -> HTMLResponse:
    """Registered tags (and, with `used`, every tag in use) whose string form contains `q`,
    registered first, then most used."""
    found, total = client_of(request).search_tags(q.strip(), registered_only=not used, limit=LISTED)
    return page(
        request,
        "tags.html",
        "tags",
        q=q,
        used=used,
        tags=found,
        total=total,
        kinds=list(Kind),
        colors=NAMED_COLORS,
    )


def holders(request: Request, definition: TagDefinition) -> list[tuple[Kind, list[Entity]]]:
    """The newest entities of each kind that hold the tag now."""
    client = client_of(request)
    term = _links.tag_term(definition.key, definition.value)
    return [
        (kind, list(client.list(kind, query=term, size=HOLDERS).items))
        for kind, count in definition.usage.items()
        if count
    ]


@router.get("/tags/{name:path}", response_class=HTMLResponse)
def tag_page(request: Request, name: str) -> HTMLResponse:
    client = client_of(request)
    definition = client.get_tag(name)
    return page(
        request,
        "tag.html",
        "tags",
        tag=definition,
        holders=holders(request, definition),
        history=client.tag_history(tag=definition.name, limit=HISTORY),
        colors=NAMED_COLORS,
        policies=[
            found
            for target in dict.fromkeys((definition.key, definition.name))
            if (found := client.store.get_tag_policy(target)) is not None
        ],
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


@router.post(
    "/tags/{name:path}/policy", dependencies=[Depends(verify_csrf), Depends(require_admin)]
)
def set_policy(
    request: Request,
    name: str,
    target: Annotated[str, Form()],
    allowed_values: Annotated[str, Form()] = "",
    pattern: Annotated[str, Form()] = "",
    assignable_by: Annotated[str, Form()] = "",
    required_on: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Set (replace) the policy of the tag's key, or of the tag itself."""
    try:
        client_of(request).store.set_tag_policy(
            target.strip(),
            allowed_values=_split(allowed_values) or None,
            allowed_pattern=pattern.strip() or None,
            assignable_by=_split(assignable_by),
            required_on=_split(required_on),
        )
    except TagbaseError as error:
        return redirect(_links.tag(name), str(error), error=True)
    return redirect(_links.tag(name), f"Saved the policy of {target.strip()}.")


@router.post("/tags", dependencies=[Depends(verify_csrf), Depends(require_admin)])
def register(
    request: Request,
    name: Annotated[str, Form()],
    color: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    exclusive: Annotated[bool, Form()] = False,
    cascade: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Register a new tag with its colour, text and behaviours (a registered one is
    refused; its own page changes it)."""
    try:
        settings = TagSettings(
            exclusive=exclusive,
            cascade=cascade,
            color=color.strip() or None,
            description=description.strip() or None,
        )
        made = client_of(request).create_tag(name.strip(), settings)
    except TagbaseError as error:
        return redirect("/tags", str(error), error=True)
    return redirect(_links.tag(made.name), f"Registered tag {made.name}.")


@router.post("/tags/{name:path}", dependencies=[Depends(verify_csrf), Depends(require_admin)])
def update(
    request: Request,
    name: str,
    color: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    exclusive: Annotated[bool, Form()] = False,
    cascade: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    try:
        settings = TagSettings(
            exclusive=exclusive,
            cascade=cascade,
            color=color.strip() or None,
            description=description.strip(),  # an emptied description clears it
        )
        client_of(request).update_tag(name, settings)
    except TagbaseError as error:
        return redirect(_links.tag(name), str(error), error=True)
    return redirect(_links.tag(name), f"Saved tag {name}.")
