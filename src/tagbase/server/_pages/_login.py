"""Signing a browser in with a token, when the server is configured with tokens: the token is
kept in the same session cookie `POST /api/session` sets."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from tagbase.server._auth import authenticator_of
from tagbase.server._pages._render import page, redirect, safe_next
from tagbase.server._pages._routing import page_router
from tagbase.server._security import session_cookie, verify_csrf

router = page_router()


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next_page: Annotated[str, Query(alias="next")] = "/assets"
) -> HTMLResponse:
    tokens = authenticator_of(request).required()
    return page(request, "login.html", "", next=safe_next(next_page, "/assets"), tokens=tokens)


@router.post("/login", response_model=None, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    token: Annotated[str, Form()],
    next_page: Annotated[str, Form(alias="next")] = "/assets",
) -> Response:
    target = safe_next(next_page, "/assets")
    if authenticator_of(request).identify(token.strip()) is None:
        return page(
            request,
            "login.html",
            "",
            401,
            next=target,
            tokens=True,
            error="Unknown, revoked or expired token.",
        )
    response = redirect(target, "Signed in.")
    session_cookie(response, token.strip())
    return response


@router.post("/logout", response_model=None, dependencies=[Depends(verify_csrf)])
def logout() -> Response:
    """Forget the session's token: the next page asks for one again."""
    response = redirect("/login", "Signed out.")
    session_cookie(response, None)
    return response
