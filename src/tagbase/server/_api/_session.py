"""Signing a browser in with a token: the session cookie that pages and scripts then carry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tagbase.server._errors import AuthenticationError
from tagbase.server._schemas import SessionIn, SessionOut
from tagbase.server._security import Access, request_access, security_of, session_cookie

router = APIRouter(prefix="/session", tags=["session"])


@router.get("", response_model=SessionOut)
def session(request: Request) -> dict[str, Any]:
    """What this request may do, and whether the server needs tokens at all."""
    access = request_access(request)
    return {
        "access": access.name.lower(),
        "tokens_required": security_of(request).tokens_configured,
    }


@router.post("", response_model=SessionOut)
def sign_in(body: SessionIn, request: Request, response: Response) -> dict[str, Any]:
    """Check a token and keep it in an HttpOnly, SameSite=Strict session cookie."""
    security = security_of(request)
    access = security.access_of(body.token)
    if access is Access.NONE:
        raise AuthenticationError("this token is not configured here. Fix: check the token")
    if security.tokens_configured:  # without tokens there is nothing to remember
        session_cookie(response, body.token)
    return {"access": access.name.lower(), "tokens_required": security.tokens_configured}


@router.delete("", status_code=204)
def sign_out() -> Response:
    response = Response(status_code=204)
    session_cookie(response, None)
    return response
