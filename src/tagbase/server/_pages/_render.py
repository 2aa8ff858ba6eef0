"""Rendering: one Jinja2 environment (autoescape on, undefined names are errors), the
context every page shares, and one-shot notices carried across a redirect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tagbase import __version__
from tagbase.server._pages import _chips, _links, _metadata_view
from tagbase.server._pages._context import client_of
from tagbase.server._security import CSRF_FIELD, csrf_token, identity_of

TEMPLATES = Path(__file__).parent.parent / "templates"
NOTICE = "tagbase_notice"
# Scripts only from this server; inline styles stay allowed for chip colours and plotly.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
NAV = (
    ("assets", "Assets", "/assets"),
    ("runs", "Runs", "/runs"),
    ("jobs", "Jobs", "/jobs"),
    ("models", "Models", "/models"),
    ("tags", "Tags", "/tags"),
    ("launchpad", "Launchpad", "/launchpad"),
)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """`5 min ago`, `3 h ago`, `12 d ago`; the exact time goes in a title attribute."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def _run_of(metadata: dict[str, Any]) -> str | None:
    """The id of the run that made a version (its `tagbase/run_id` metadata)."""
    value = metadata.get("tagbase/run_id")
    return None if value is None else str(getattr(value, "value", value))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(links=_links, nav=NAV, version=__version__)
    env.filters.update(
        ago=ago,
        when=_metadata_view.format_time,
        number=_metadata_view.format_number,
        summary=_metadata_view.summary,
        brief=_metadata_view.brief,
        run_of=_run_of,
        markdown=_metadata_view.render_markdown,
    )
    return env


ENVIRONMENT = _environment()


def registry(request: Request) -> _chips.Registry:
    """The tag registry, read once per request."""
    cached: _chips.Registry | None = getattr(request.state, "registry", None)
    if cached is None:
        cached = _chips.Registry.of(client_of(request).list_tags(registered_only=True))
        request.state.registry = cached
    return cached


def page(
    request: Request, template: str, section: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page of the nav `section`, with the CSRF token and any pending notice."""
    notice = request.cookies.get(NOTICE)
    html = ENVIRONMENT.get_template(template).render(
        request=request,
        section=section,
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request),
        identity=identity_of(request),
        notice=_decode_notice(notice) if notice else None,
        make_chips=lambda tags: _chips.chips(tags, registry(request)),
        make_chip=lambda key, value: _chips.chip(key, value, registry(request)),
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": POLICY})
    if notice:
        response.delete_cookie(NOTICE, path="/")
    return response


def redirect(to: str, notice: str | None = None, error: bool = False) -> RedirectResponse:
    """303 to `to`, showing `notice` once on the next page (as an error if `error`)."""
    response = RedirectResponse(to, status_code=303)
    if notice:
        response.set_cookie(
            NOTICE, quote(f"{'e' if error else 'i'}{notice[:1500]}"), samesite="strict", path="/"
        )
    return response


def _decode_notice(raw: str) -> dict[str, Any]:
    text = unquote(raw)
    return {"error": text[:1] == "e", "text": text[1:]}


def safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site is followed after a form (no `//host` or `https:` tricks)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback
