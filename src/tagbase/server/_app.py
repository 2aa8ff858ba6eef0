"""The application: the API and the pages share one Client, so the UI reads what the API does."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tagbase._client import Client
from tagbase.server import _api, _pages

STATIC = Path(__file__).parent / "static"


def create_app(client: Client | None = None) -> FastAPI:
    """The tagbase web app over `client` (by default the configured catalog)."""
    app = FastAPI(
        title="tagbase",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.client = client or Client()
    app.include_router(_api.router, prefix="/api")
    app.include_router(_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
