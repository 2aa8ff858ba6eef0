"""The runs list, a run's page, and re-executing a run."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tagbase._errors import TagbaseError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.server import _data
from tagbase.server._pages import _facets, _links, _metadata_view
from tagbase.server._pages._context import client_of, launchable, launcher_of
from tagbase.server._pages._listing import listing_page
from tagbase.server._pages._render import page, redirect
from tagbase.server._pages._routing import page_router
from tagbase.server._security import verify_csrf

router = page_router()
PAGE_SIZE = 30
LIVE = ("queued", "started")  # a run page in these states reloads itself


def duration_of(run: Entity) -> str | None:
    value = run.metadata.get("tagbase/duration_s")
    return None if value is None else f"{float(value.value):.1f} s"


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, q: str = "", cursor: str | None = None) -> HTMLResponse:
    return listing_page(
        request,
        Kind.RUN,
        "runs",
        q,
        cursor,
        size=PAGE_SIZE,
        facets=_facets.run_facets,
        duration_of=duration_of,
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    """A run: tags with their source, steps, events, metadata, the asset versions it made."""
    client = client_of(request)
    detail = _data.run_detail(client, run_id)
    run = detail.run
    return page(
        request,
        "run.html",
        "runs",
        run=run,
        live=run.status in LIVE,
        duration=duration_of(run),
        detail=detail,
        metadata=_metadata_view.show_all(run.metadata),
        history=client.tag_history(Kind.RUN, run.id, limit=50),
        can_reexecute=bool(run.scope and run.scope.name in launchable(request)),
    )


@router.post("/runs/{run_id}/reexecute", dependencies=[Depends(verify_csrf)])
def reexecute_run(
    request: Request, run_id: str, from_failure: Annotated[bool, Form()] = False
) -> RedirectResponse:
    """Run the run's job again (all steps, or from the failure), then show the new run."""
    try:
        run = launcher_of(request).reexecute(run_id, from_failure=from_failure)
    except TagbaseError as error:
        return redirect(_links.run(run_id), str(error), error=True)
    return redirect(_links.run(run.id), f"Re-executing as run {run.name}.")
