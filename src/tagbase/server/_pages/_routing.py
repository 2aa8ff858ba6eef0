"""Page routes answer errors with an HTML page of the status the API would send (same
`describe`), and send a browser without a token to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from tagbase._errors import AuthenticationError, TagbaseError
from tagbase.server._errors import HTTPError, describe
from tagbase.server._pages import _links
from tagbase.server._pages._render import page

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
TITLES = {400: "Bad request", 403: "Refused", 404: "Not found", 409: "Conflict"}


def error_page(request: Request, status: int, message: str) -> Response:
    title = TITLES.get(status, "Error")
    return page(request, "error.html", "", status, title=title, message=message)


class PageRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except AuthenticationError:
                target = _links.with_query("/login", next=request.url.path)
                return RedirectResponse(target, status_code=303)
            except (TagbaseError, HTTPError) as error:
                info = describe(error)  # the status and message the API would send
                return error_page(request, info.status, info.message)
            except HTTPException as error:
                return error_page(request, error.status_code, error.detail)

        return handler


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute)
