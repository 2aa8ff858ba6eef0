"""Jobs (pipelines): the list, and a job's page with its metadata, templates, recent runs
and the numbers its runs logged, plotted."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from tagbase._kinds import Kind
from tagbase.server._pages import _metadata_view, _plots
from tagbase.server._pages._context import client_of, launchable
from tagbase.server._pages._listing import listing_page
from tagbase.server._pages._render import page
from tagbase.server._pages._routing import page_router
from tagbase.server._pages._runs import duration_of

router = page_router()
PAGE_SIZE = 50
RECENT_RUNS = 20
PLOTS = 4


@router.get("/jobs", response_class=HTMLResponse)
def jobs(request: Request, q: str = "", cursor: str | None = None) -> HTMLResponse:
    return listing_page(
        request, Kind.JOB, "jobs", q, cursor, size=PAGE_SIZE, launchable=launchable(request)
    )


@router.get("/jobs/{name:path}", response_class=HTMLResponse)
def job_page(request: Request, name: str) -> HTMLResponse:
    client = client_of(request)
    job = client.get(Kind.JOB, name)
    recent = client.list(Kind.RUN, scope=job.id, size=RECENT_RUNS)
    return page(
        request,
        "job.html",
        "jobs",
        job=job,
        metadata=_metadata_view.show_all(job.metadata),
        runs=recent,
        templates=client.list(Kind.RUN_TEMPLATE, scope=job.id, size=50).items,
        plots=_plots.children_plots(client, job, recent.items, PLOTS),
        duration_of=duration_of,
        launchable=job.name in launchable(request),
    )
