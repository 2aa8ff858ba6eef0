"""The web UI: server-rendered pages (Jinja2, our own CSS and scripts, plotly.js from the
installed package), reading and writing through the same Client calls the API makes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from tagbase.server._pages import (
    _assets,
    _jobs,
    _launchpad,
    _login,
    _models,
    _runs,
    _tagging,
    _tags,
    _vendor,
)

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/assets", status_code=307)


for _module in (_assets, _runs, _jobs, _models, _tags, _launchpad, _tagging, _login, _vendor):
    router.include_router(_module.router)
