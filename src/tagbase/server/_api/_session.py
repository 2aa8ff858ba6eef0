"""Signing a browser in with a token: the session cookie that pages and scripts then carry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tagbase._errors import AuthenticationError
from tagbase._json import SignedInOut
from tagbase.server._auth import authenticator_of
from tagbase.server._schemas import SessionIn, SessionOut
from tagbase.server._security import Identity, identity_of, request_access, session_cookie

router = APIRouter(prefix="/session", tags=["session"])


@router.get("", response_model=SessionOut)
def session(request: Request) -> dict[str, Any]:
    """What this request may do, and whether the server needs tokens at all."""
    access = request_access(request)
    return {"access": access.name.lower(), "tokens_required": authenticator_of(request).required()}


@router.get("/me", response_model=SignedInOut)
def me(request: Request) -> SignedInOut:
    """Who this request is signed in as: the token's user and role (401 without a token)."""
    identity = identity_of(request)
    if identity is None:
        raise AuthenticationError(
            "this request is not signed in. Fix: send `Authorization: Bearer <token>`, or "
            "sign in with POST /api/session"
        )
    return signed_in(identity)


def signed_in(identity: Identity) -> SignedInOut:
    return SignedInOut(
        name=identity.name, role=identity.role.label, actor=identity.actor, via=identity.via
    )


@router.post("", response_model=SessionOut)
def sign_in(body: SessionIn, request: Request, response: Response) -> dict[str, Any]:
    """Check a token and keep it in an HttpOnly, SameSite=Strict session cookie."""
    authenticator = authenticator_of(request)
    identity = authenticator.identify(body.token.strip())
    if identity is None:
        raise AuthenticationError(
            "this token is unknown here, revoked or expired. Fix: check the token, or ask an "
            "admin for one (`tagbase token create --user NAME`)"
        )
    required = authenticator.required()
    if required:  # without tokens there is nothing to remember
        session_cookie(response, body.token.strip())
    return {"access": identity.access.name.lower(), "tokens_required": required}


@router.delete("", status_code=204)
def sign_out() -> Response:
    response = Response(status_code=204)
    session_cookie(response, None)
    return response
