"""The launchpad: pick a job or a run template, see the tags its runs carry, add or override
run tags, launch; the new run's page follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from tagbase._errors import NotFoundError, TagbaseError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.definitions import Definitions
from tagbase.server._pages import _chips, _links
from tagbase.server._pages._context import (
    client_of,
    definitions_of,
    launchable,
    launcher_of,
)
from tagbase.server._pages._render import page, redirect, registry
from tagbase.server._pages._routing import page_router
from tagbase.server._security import verify_csrf

router = page_router()
LISTED = 200
EMPTY_ROWS = 3


@dataclass(frozen=True, slots=True)
class Choice:
    """What the form launches: a job, maybe through a template, and the tags it brings."""

    job: str | None = None
    template: Entity | None = None
    job_tags: list[_chips.Chip] = field(default_factory=list)
    template_tags: list[_chips.Chip] = field(default_factory=list)
    launchable: bool = False


def _job_tags(request: Request, job: str, definitions: Definitions | None) -> list[_chips.Chip]:
    """The tags every run of the job carries: the loaded definition's, else the catalog's."""
    known = registry(request)
    if definitions is not None and job in definitions.job_names:
        tags = definitions.get_job_def(job).tags
        return [_chips.chip(t.key, t.value, known) for t in tags]
    try:
        return _chips.chips(client_of(request).get(Kind.JOB, job).tags, known)
    except NotFoundError:
        return []


def choose(request: Request, job: str | None, template: str | None) -> Choice:
    template_entity = None
    if template:
        template_entity = client_of(request).get(Kind.RUN_TEMPLATE, template, job or None)
        job = template_entity.scope.name if template_entity.scope else job
    if not job:
        return Choice()
    definitions = definitions_of(request)
    return Choice(
        job,
        template_entity,
        _job_tags(request, job, definitions),
        _chips.chips(template_entity.tags, registry(request)) if template_entity else [],
        bool(definitions and job in definitions.job_names),
    )


def _form(
    request: Request, choice: Choice, rows: list[tuple[str, str]], error: str | None
) -> HTMLResponse:
    client = client_of(request)
    return page(
        request,
        "launchpad.html",
        "launchpad",
        400 if error else 200,
        choice=choice,
        launchable=launchable(request),
        jobs=client.list(Kind.JOB, size=LISTED).items,
        templates=client.list(Kind.RUN_TEMPLATE, size=LISTED).items,
        rows=rows + [("", "")] * max(1, EMPTY_ROWS - len(rows)),
        error=error,
    )


@router.get("/launchpad", response_class=HTMLResponse)
def launchpad(request: Request, job: str = "", template: str = "") -> HTMLResponse:
    return _form(request, choose(request, job or None, template or None), [], None)


@router.post("/launchpad", response_model=None, dependencies=[Depends(verify_csrf)])
def launch(
    request: Request,
    job: Annotated[str, Form()],
    template: Annotated[str, Form()] = "",
    tag_key: Annotated[list[str] | None, Form()] = None,
    tag_value: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Launch the job (through the template, whose tags come first) with the added tags,
    which override; then the new run's page."""
    choice = choose(request, job, template or None)
    rows = [(k.strip(), v) for k, v in zip(tag_key or [], tag_value or [], strict=False)]
    rows = [(k, v) for k, v in rows if k]
    if not choice.launchable or choice.job is None:
        return _form(request, choice, rows, f"Job {job!r} has no loaded definition to run.")
    launcher = launcher_of(request)
    try:
        if choice.template is not None:
            run = launcher.launch_template(choice.template.id, dict(rows))
        else:
            run = launcher.launch(choice.job, dict(rows))
    except TagbaseError as error:
        return _form(request, choice, rows, str(error))
    return redirect(_links.run(run.id), f"Launched run {run.name}.")
