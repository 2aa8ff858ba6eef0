"""The OpenAPI document and its Swagger UI page, behind the same token check as the API, with
Swagger UI's scripts and styles served from the installed `swagger-ui-bundle` package: the page
loads nothing from another site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from swagger_ui_bundle import swagger_ui_path

from tagbase.server._errors import HTTPError

router = APIRouter(include_in_schema=False)

ASSETS = Path(swagger_ui_path)
_SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>tagbase API</title>
  <link rel="icon" href="/api/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


class _NoSuchAssetError(HTTPError):
    status = 404


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    document: dict[str, Any] = request.app.openapi()
    return JSONResponse(document)


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": POLICY})


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in _SERVED:
        raise _NoSuchAssetError(f"no docs asset {name!r}. Fix: open /api/docs")
    return FileResponse(ASSETS / name, headers={"Cache-Control": "max-age=86400"})
