"""Third-party browser code served from installed Python packages, never from a CDN."""

from __future__ import annotations

from fastapi.responses import FileResponse

from tagbase.server._pages._plots import plotly_js
from tagbase.server._pages._routing import page_router

router = page_router()


@router.get("/vendor/plotly.min.js")
def plotly() -> FileResponse:
    """The plotly.js bundled with the `plotly` package (cached for a day)."""
    return FileResponse(
        plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
